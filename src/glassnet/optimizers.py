"""Optimizers (``keras.optimizers``): SGD, Adagrad, RMSprop and Adam, with Keras 3's defaults
and update rules (``keras/src/optimizers/*.py``), in order of increasing complexity.

Each step is ``optimizer.apply(params, grads)``: every weight array is updated in place.
Gradients come from the layers' ``backward``; only the optimizer changes weights. The base
class does what all of them share, in Keras's order: count the step, clip the gradients
(``clipnorm`` / ``global_clipnorm`` / ``clipvalue``), decay the weights (``weight_decay``),
then the subclass's ``update`` for each weight.

State ("slots", e.g. Adam's momentum and velocity) is positional: ``slots[i]`` belongs to the
i-th weight array of ``params``, in the model's trainable-weight order, so it can be saved and
read back. ``variables`` lists the whole state in Keras's order (``optimizer.variables``).
"""
import math
import numbers
import warnings

import numpy as np

from . import config
from ._registry import Registry
from .naming import unique_name

_CLIP_ARGS = ("clipnorm", "global_clipnorm", "clipvalue")


class Optimizer:
    """Base class of the optimizers.

    Arguments every optimizer takes, as Keras: ``learning_rate``; ``weight_decay`` (each step
    ``w *= 1 - weight_decay * learning_rate`` before the update); at most one of ``clipnorm``
    (each gradient rescaled to an L2 norm of at most this), ``global_clipnorm`` (all gradients
    rescaled together) and ``clipvalue`` (each element clipped to ``[-v, v]``); ``name``.
    Keras's ``use_ema``, ``loss_scale_factor`` and ``gradient_accumulation_steps`` are accepted
    at their defaults only (so Keras configs load) and refused otherwise.

    A subclass names its state in ``slot_groups()`` and defines ``update(param, grad, slots,
    scratch)``, which changes ``param`` and the arrays of the dict ``slots`` in place.
    ``scratch`` is a preallocated array of ``param``'s shape that ``update`` may overwrite:
    with it a step allocates no array (temporaries made W1's Adam step about a quarter
    slower: allocating and first-touching fresh memory costs as much as a pass of arithmetic).
    """

    default_name = "optimizer"          # Keras's snake-case class name, e.g. "rm_sprop"

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored "
                          "(as in Keras 3).", UserWarning, stacklevel=3)
        if kwargs:
            raise TypeError(f"{type(self).__name__} got unexpected argument(s) "
                            f"{', '.join(map(repr, kwargs))}.")
        self.learning_rate = learning_rate
        self.weight_decay = _optional(weight_decay, "weight_decay", low=0.0)
        self.clipnorm = _optional(clipnorm, "clipnorm", low=0.0)
        self.clipvalue = _optional(clipvalue, "clipvalue", low=0.0)
        self.global_clipnorm = _optional(global_clipnorm, "global_clipnorm", low=0.0)
        clipping = [a for a in _CLIP_ARGS if getattr(self, a) is not None]
        if len(clipping) > 1:
            raise ValueError(f"Only one of clipnorm, clipvalue and global_clipnorm can be set; "
                             f"got {' and '.join(clipping)}.")
        _refuse("use_ema", use_ema, False)
        _refuse("ema_overwrite_frequency", ema_overwrite_frequency, None)
        _refuse("loss_scale_factor", loss_scale_factor, None)
        _refuse("gradient_accumulation_steps", gradient_accumulation_steps, None)
        self.use_ema = False
        self.ema_momentum = ema_momentum              # unused while use_ema is False
        self.ema_overwrite_frequency = None
        self.loss_scale_factor = None
        self.gradient_accumulation_steps = None
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, got {name!r}.")
        self.name = name or unique_name(self.default_name)
        self.iterations = 0
        self.built = False
        self.slots = []                 # slots[i]: {slot name: array} of the i-th weight

    # -- the learning rate --------------------------------------------------------------------
    @property
    def learning_rate(self):
        """The step size, a float (settable, e.g. by a callback between steps)."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if callable(value) or isinstance(value, dict):
            raise TypeError(f"learning_rate must be a number such as 0.001; learning-rate "
                            f"schedules are not supported yet (got {value!r}).")
        self._learning_rate = _check_range(value, "learning_rate", 0.0, math.inf)

    # -- state --------------------------------------------------------------------------------
    def slot_groups(self):
        """Names of the per-weight state arrays, grouped as Keras creates them: the names of
        one group alternate weight by weight (Adam: momentum, velocity of weight 0, then of
        weight 1, ...), and groups follow one another (then Adam's velocity_hat of each)."""
        return ()

    def initial_slot(self, name, param):
        """The starting value of slot ``name`` for ``param``: zeros (Adagrad overrides)."""
        return np.zeros_like(param)

    def build(self, params):
        """Create the state for the weight arrays ``params`` (the model's trainable weights,
        in order). ``apply`` builds on its first call; loading a saved state builds first."""
        params = list(params)
        dtypes = {p.dtype for p in params}
        if len(dtypes) > 1:
            raise TypeError(f"All weights given to one optimizer must share a dtype; got "
                            f"{sorted(d.name for d in dtypes)}.")
        names = [name for group in self.slot_groups() for name in group]
        self.slots = [{name: self.initial_slot(name, p) for name in names} for p in params]
        self._param_ids = tuple(map(id, params))
        self._float_type = params[0].dtype if params else np.dtype(config.floatx())
        self._scratch = _shared_views(params)
        self._clip_scratch = _shared_views(params) if self._clips() else [None] * len(params)
        self.built = True

    @property
    def variables(self):
        """The whole state as Keras's ``optimizer.variables`` orders it: the step count
        (``iteration``), ``learning_rate``, then the slots group by group. Slot arrays are
        the live state; the first two are snapshots (set them with ``set_weights``)."""
        return self._head() + [slots[name] for group in self.slot_groups()
                               for slots in self.slots for name in group]

    def _head(self):
        dtype = self._float_type if self.built else config.floatx()
        return [np.array(self.iterations, dtype=np.int32),
                np.array(self.learning_rate, dtype=dtype)]

    def set_weights(self, weights):
        """Set the state from arrays in the order of ``variables`` (as Keras's)."""
        weights = list(weights)
        current = self.variables
        if len(weights) != len(current):
            raise ValueError(
                f"{type(self).__name__} {self.name!r} has {len(current)} variables (iteration, "
                f"learning_rate and {len(current) - 2} slot arrays), got {len(weights)}. "
                f"Call optimizer.build(model.trainable_weights) first if it has not stepped yet.")
        for index, (variable, value) in enumerate(zip(current, weights)):
            value = np.asarray(value)
            if value.shape != variable.shape:
                raise ValueError(f"Optimizer variable {index} has shape {variable.shape}, got "
                                 f"an array of shape {value.shape}.")
        self.iterations = int(weights[0])
        self.learning_rate = float(weights[1])
        for variable, value in zip(current[2:], weights[2:]):
            variable[...] = value

    def save_own_variables(self, store):
        """Write ``variables`` into ``store`` under "0", "1", ... (Keras's file layout)."""
        for index, variable in enumerate(self.variables):
            store[str(index)] = np.array(variable)

    def load_own_variables(self, store):
        """Read what ``save_own_variables`` wrote. As Keras, a store with another number of
        variables is skipped with a warning (e.g. state saved before the first step)."""
        count = len(self.variables)
        if len(store.keys()) != count:
            warnings.warn(f"Skipping variable loading for optimizer {self.name!r}: it has "
                          f"{count} variables, the saved optimizer has {len(store.keys())}.",
                          UserWarning, stacklevel=2)
            return
        self.set_weights([store[str(index)] for index in range(count)])

    def count_params(self):
        """What Keras's ``summary()`` prints as "Optimizer params": the size of every variable
        (iteration and learning rate included) once built, 0 before."""
        return sum(int(np.size(v)) for v in self.variables) if self.built else 0

    # -- one step -----------------------------------------------------------------------------
    def apply(self, params, grads):
        """One step: ``iterations`` += 1, then each array of ``params`` is updated in place
        from the same-position array of ``grads``. (Keras's ``apply`` takes the gradients
        first; ``apply_gradients`` takes Keras's ``(grad, variable)`` pairs.)"""
        if len(grads) != len(params):
            raise ValueError(f"apply got {len(params)} weight arrays but {len(grads)} gradients.")
        if not params:
            return                      # nothing to train (all frozen): a no-op, as Keras
        if not self.built:
            self.build(params)
        elif tuple(map(id, params)) != self._param_ids:
            raise ValueError(
                f"Optimizer {self.name!r} was built for other weight arrays (another model, or "
                f"before the trainable weights changed). Use a new optimizer instance: "
                f"compile again with a fresh one, e.g. optimizer='{self.default_name}'.")
        self.iterations += 1
        global_scale = self._global_clip_scale(grads) if self.global_clipnorm else None
        decay = 1.0 - self.weight_decay * self.learning_rate if self.weight_decay else None
        for param, grad, slots, scratch, clip_out in zip(
                params, grads, self.slots, self._scratch, self._clip_scratch):
            if clip_out is not None:
                grad = self._clip(grad, global_scale, clip_out)
            if decay is not None:
                param *= decay
            self.update(param, grad, slots, scratch)

    def apply_gradients(self, grads_and_vars):
        """Keras's form: an iterable of ``(gradient, weight)`` pairs."""
        grads, params = zip(*grads_and_vars)
        self.apply(list(params), list(grads))
        return self.iterations

    def update(self, param, grad, slots, scratch):
        raise NotImplementedError

    # -- clipping, as keras/src/optimizers/base_optimizer.py ----------------------------------
    def _clips(self):
        return any(getattr(self, a) for a in _CLIP_ARGS)      # 0 means off, as in Keras

    def _global_clip_scale(self, grads):
        """clipnorm * min(1 / norm, 1 / clipnorm) over all gradients; NaN when norm is not finite."""
        norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
        scale = self.global_clipnorm * min(1.0 / norm if norm else math.inf,
                                           1.0 / self.global_clipnorm)
        return scale + (norm - norm)

    def _clip(self, grad, global_scale, out):
        if self.clipnorm:       # g * clipnorm / max(||g||, clipnorm)
            norm = math.sqrt(float(np.vdot(grad, grad)))
            return np.multiply(grad, self.clipnorm / max(norm, self.clipnorm), out=out)
        if self.global_clipnorm:
            return np.multiply(grad, global_scale, out=out)
        return np.clip(grad, -self.clipvalue, self.clipvalue, out=out)

    # -- config -------------------------------------------------------------------------------
    def get_config(self):
        """Keras's keys, in Keras's order."""
        return {"name": self.name, "learning_rate": self.learning_rate,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)

    def __repr__(self):
        base = Optimizer.get_config(self)
        own = {k: v for k, v in self.get_config().items() if k not in base}
        shown = {"learning_rate": self.learning_rate, **own,
                 **{k: getattr(self, k) for k in ("weight_decay",) + _CLIP_ARGS
                    if getattr(self, k) is not None}}
        args = ", ".join(f"{k}={v!r}" for k, v in shown.items())
        return f"{type(self).__name__}({args}, name={self.name!r})"


registry = Registry("optimizer", base=Optimizer)


@registry.register("SGD", "sgd")
class SGD(Optimizer):
    """Gradient descent, with momentum and Nesterov momentum (Keras's form).

    ``w -= lr * g``. With momentum ``mu`` a velocity ``m`` (starting at 0) carries past steps:
    ``m = mu * m - lr * g`` and ``w += m``; Nesterov looks one step ahead:
    ``w += mu * m - lr * g`` with the new ``m``.

    PyTorch writes the same method with the learning rate outside the buffer
    (``b = mu * b + g``, ``w -= lr * b``): for a constant learning rate ``m = -lr * b`` at every
    step, so the weights agree; when the learning rate changes, Keras's velocity keeps the old
    rates' steps and PyTorch's rescales them.

    Defaults as Keras: ``learning_rate=0.01``, ``momentum=0.0``, ``nesterov=False``.
    """

    default_name = "sgd"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = _check_range(momentum, "momentum", 0.0, 1.0)
        self.nesterov = _check_bool(nesterov, "nesterov")

    def slot_groups(self):
        return [("momentum",)] if self.momentum != 0 else []

    def update(self, param, grad, slots, scratch):
        step = np.multiply(grad, self.learning_rate, out=scratch)          # lr * g
        if self.momentum == 0:
            param -= step
            return
        velocity = slots["momentum"]
        velocity *= self.momentum
        velocity -= step
        if self.nesterov:
            param -= step
            param += np.multiply(velocity, self.momentum, out=scratch)
        else:
            param += velocity

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


def _divide_by_root(grad, square_sum, epsilon, learning_rate, scratch):
    """``lr * g / sqrt(square_sum + epsilon)`` into ``scratch`` (Adagrad's and RMSprop's step;
    epsilon inside the root, as Keras)."""
    np.add(square_sum, epsilon, out=scratch)
    np.sqrt(scratch, out=scratch)
    np.divide(grad, scratch, out=scratch)
    scratch *= learning_rate
    return scratch


@registry.register("Adagrad", "adagrad")
class Adagrad(Optimizer):
    """SGD with a step per weight that shrinks with the sum of that weight's squared gradients.

    ``a += g**2``, ``w -= lr * g / sqrt(a + epsilon)``, the accumulator ``a`` starting at
    ``initial_accumulator_value``. Defaults as Keras: ``learning_rate=0.001``,
    ``initial_accumulator_value=0.1``, ``epsilon=1e-7``.
    """

    default_name = "adagrad"

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = _check_range(
            initial_accumulator_value, "initial_accumulator_value", 0.0, math.inf)
        self.epsilon = _check_range(epsilon, "epsilon", 0.0, math.inf)

    def slot_groups(self):
        return [("accumulator",)]

    def initial_slot(self, name, param):
        return np.full_like(param, self.initial_accumulator_value)

    def update(self, param, grad, slots, scratch):
        accumulator = slots["accumulator"]
        accumulator += np.multiply(grad, grad, out=scratch)
        param -= _divide_by_root(grad, accumulator, self.epsilon, self.learning_rate, scratch)

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


@registry.register("RMSprop", "rmsprop")
class RMSprop(Optimizer):
    """Adagrad whose sum of squared gradients becomes a moving average, so steps do not
    shrink forever; optionally centered and with momentum.

    ``v = rho * v + (1 - rho) * g**2``; the step is ``lr * g / sqrt(v + epsilon)``, or
    centered ``lr * g / sqrt(v - gbar**2 + epsilon)`` with ``gbar = rho * gbar + (1 - rho) * g``
    (the variance instead of the second moment). With momentum ``mu``:
    ``m = mu * m + step``, ``w -= m``; otherwise ``w -= step``.
    Defaults as Keras: ``learning_rate=0.001``, ``rho=0.9``, ``momentum=0.0``,
    ``epsilon=1e-7``, ``centered=False``.
    """

    default_name = "rm_sprop"           # what Keras names it

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = _check_range(rho, "rho", 0.0, 1.0, high_open=True)
        self.momentum = _check_range(momentum, "momentum", 0.0, 1.0)
        self.epsilon = _check_range(epsilon, "epsilon", 0.0, math.inf)
        self.centered = _check_bool(centered, "centered")

    def slot_groups(self):
        groups = [("velocity",)]
        if self.momentum > 0:
            groups.append(("momentum",))
        if self.centered:
            groups.append(("average_gradient",))
        return groups

    def update(self, param, grad, slots, scratch):
        rho = self.rho
        velocity = slots["velocity"]                    # v = rho v + (1 - rho) g^2
        velocity *= rho
        np.multiply(grad, grad, out=scratch)
        scratch *= 1 - rho
        velocity += scratch
        square_mean = velocity
        if self.centered:
            average = slots["average_gradient"]         # gbar = rho gbar + (1 - rho) g
            average *= rho
            average += np.multiply(grad, 1 - rho, out=scratch)
            np.multiply(average, average, out=scratch)  # v - gbar^2
            square_mean = np.subtract(velocity, scratch, out=scratch)
        step = _divide_by_root(grad, square_mean, self.epsilon, self.learning_rate, scratch)
        if self.momentum > 0:
            momentum = slots["momentum"]
            momentum *= self.momentum
            momentum += step
            step = momentum
        param -= step

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


@registry.register("Adam", "adam")
class Adam(Optimizer):
    """RMSprop's moving average of squared gradients plus a moving average of the gradients
    themselves (momentum), both corrected for starting at zero.

    At step ``t``: ``m = beta_1 * m + (1 - beta_1) * g``,
    ``v = beta_2 * v + (1 - beta_2) * g**2`` (Keras writes ``m += (g - m) * (1 - beta_1)``;
    this form is one pass cheaper and the order Keras runs on torch),
    ``w -= alpha * m / (sqrt(v) + epsilon)`` with
    ``alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)`` computed in the weights' float type,
    as Keras. amsgrad divides by the largest ``v`` so far instead (``v_hat = max(v_hat, v)``).

    Keras's epsilon and PyTorch's differ in place: this is PyTorch's Adam
    (``lr * m_hat / (sqrt(v_hat) + eps)`` with bias-corrected ``m_hat``, ``v_hat``) with
    ``eps`` replaced by ``epsilon / sqrt(1 - beta_2**t)``; the two agree exactly when epsilon
    is 0 and differ slightly otherwise (most in the first steps). Keras's default
    ``epsilon=1e-7``, PyTorch's 1e-8.
    Defaults as Keras: ``learning_rate=0.001``, ``beta_1=0.9``, ``beta_2=0.999``,
    ``epsilon=1e-7``, ``amsgrad=False``.
    """

    default_name = "adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = _check_range(beta_1, "beta_1", 0.0, 1.0, high_open=True)
        self.beta_2 = _check_range(beta_2, "beta_2", 0.0, 1.0, high_open=True)
        self.epsilon = _check_range(epsilon, "epsilon", 0.0, math.inf)
        self.amsgrad = _check_bool(amsgrad, "amsgrad")

    def slot_groups(self):
        groups = [("momentum", "velocity")]
        if self.amsgrad:
            groups.append(("velocity_hat",))
        return groups

    def apply(self, params, grads):
        if len(params):
            self._alpha = self._step_size(self.iterations + 1, params[0].dtype.type)
        super().apply(params, grads)

    def _step_size(self, t, float_type):
        """lr * sqrt(1 - beta_2**t) / (1 - beta_1**t), in the weights' float type as Keras."""
        one, t = float_type(1), float_type(t)
        return (float_type(self.learning_rate) * np.sqrt(one - float_type(self.beta_2) ** t)
                / (one - float_type(self.beta_1) ** t))

    def update(self, param, grad, slots, scratch):
        m, v = slots["momentum"], slots["velocity"]
        m *= self.beta_1                                # m = beta_1 m + (1 - beta_1) g
        m += np.multiply(grad, 1 - self.beta_1, out=scratch)
        v *= self.beta_2                                # v = beta_2 v + (1 - beta_2) g^2
        np.multiply(grad, grad, out=scratch)
        scratch *= 1 - self.beta_2
        v += scratch
        if self.amsgrad:                                # v_hat = max(v_hat, v)
            v = np.maximum(slots["velocity_hat"], v, out=slots["velocity_hat"])
        np.sqrt(v, out=scratch)                         # w -= alpha m / (sqrt(v) + eps)
        scratch += self.epsilon
        np.divide(m, scratch, out=scratch)
        scratch *= self._alpha
        param -= scratch

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


def get(identifier):
    """An optimizer from a name ('adam', 'SGD', 'rmsprop', ...; case and underscores ignored,
    as Keras's), a config dict, a class, or an instance (returned as is)."""
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    optimizer = registry.get(identifier)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"Could not interpret optimizer {identifier!r}: pass a name such as "
                        f"'adam', a config dict, or an instance such as "
                        f"glassnet.optimizers.SGD(0.01).")
    return optimizer


def serialize(optimizer):
    return registry.serialize(optimizer)


def deserialize(config_):
    return registry.deserialize(config_)


# -- helpers --------------------------------------------------------------------------------
def _shared_views(params):
    """One buffer as long as the largest array, seen in the shape of each: scratch space that
    the per-weight updates reuse one after another."""
    if not params:
        return []
    buffer = np.empty(max(p.size for p in params), dtype=params[0].dtype)
    return [buffer[:p.size].reshape(p.shape) for p in params]


def _check_range(value, name, low, high, high_open=False):
    """``value`` as a float in [low, high] (or [low, high)); else one clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}.")
    value = float(value)
    inside = low <= value < high if high_open else low <= value <= high
    if not inside:
        interval = f"[{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be in {interval}, got {value!r}.")
    return value


def _optional(value, name, low):
    return None if value is None else _check_range(value, name, low, math.inf)


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def _refuse(name, value, default):
    if value != default:
        raise ValueError(f"glassnet's optimizers do not support {name}={value!r} yet; leave it "
                         f"at {default!r}.")
