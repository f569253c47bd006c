"""Layers whose output is their input, as Keras's:

- ``Identity``: ``y = x``, ``dx = dy`` (a placeholder, e.g. a branch that does nothing);
- ``ActivityRegularization``: ``y = x``, and the penalty ``l1 * sum|x| + l2 * sum x**2``
  (divided by the batch size, as Keras 3) joins the loss; its gradient reaches ``x`` through
  the model's backward pass, as any layer's ``activity_regularizer`` does.
"""
from .. import regularizers
from .base import Layer


class Identity(Layer):
    """``y = x``; ``dx = dy``. Any rank."""

    needs_batch = False

    def forward(self, x, training=False):
        self._x = self._y = x
        return x

    def backward(self, grad, need_input_grad=True):
        return grad


class ActivityRegularization(Identity):
    """``y = x`` with the activity penalty ``L1L2(l1, l2)`` on its output (defaults 0, 0)."""

    needs_batch = True                  # the penalty is divided by the batch size

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)       # Keras's get_config drops it too
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = self.activity_regularizer.l1, self.activity_regularizer.l2

    def get_config(self):
        config_ = super().get_config()
        config_.pop("activity_regularizer", None)
        return {**config_, "l1": self.l1, "l2": self.l2}

    def __repr__(self):
        return f"<ActivityRegularization name={self.name!r} l1={self.l1} l2={self.l2}>"
