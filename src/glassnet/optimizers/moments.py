"""The in-place lines the adaptive optimizers are built from: moving averages of the
gradient and of its square, and the step divided by a root (no temporary arrays: each
writes into ``scratch``).
"""
from ..arrays import array_module


def _divide_by_root(grad, square_sum, epsilon, learning_rate, scratch):
    """``lr * g / sqrt(square_sum + epsilon)`` into ``scratch`` (Adagrad's and RMSprop's step;
    epsilon inside the root, as Keras)."""
    xp = array_module(grad, square_sum, scratch)
    xp.add(square_sum, epsilon, out=scratch)
    xp.sqrt(scratch, out=scratch)
    xp.divide(grad, scratch, out=scratch)
    scratch *= learning_rate
    return scratch


def _move_average(average, value, decay, scratch):
    """``average = decay * average + (1 - decay) * value``, in place (Keras on torch's order)."""
    xp = array_module(average, value, scratch)
    average *= decay
    average += xp.multiply(value, 1 - decay, out=scratch)


def _move_square_average(average, grad, decay, scratch):
    """``average = decay * average + (1 - decay) * grad**2``, in place."""
    xp = array_module(average, grad, scratch)
    average *= decay
    xp.multiply(grad, grad, out=scratch)
    scratch *= 1 - decay
    average += scratch
