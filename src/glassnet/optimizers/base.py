"""The optimizer core: ``Optimizer`` (building the state, one step in Keras's order: skip
weights without a gradient, accumulate, clip, decay, update, moving averages, constraints,
count; the config), the optimizer registry and ``get`` / ``serialize`` / ``deserialize``.

The learning rate, the saved state and the clipping are mixins of their own modules
(``learning_rate.LearningRate``, ``state.OptimizerState``, ``clipping.GradientClipping``).
"""
import re
import warnings

import numpy as np

from .. import config, schedules
from .._registry import Registry
from ..arrays import array_module
from ..naming import unique_name
from .arguments import _accumulation_steps, _check_bool, _check_range, _optional, _refuse
from .clipping import _CLIP_ARGS, GradientClipping
from .learning_rate import LearningRate
from .state import OptimizerState


FLUSH_EVERY = 32       # steps between flushes of subnormal optimizer state (see _flush_subnormals)


class Optimizer(LearningRate, OptimizerState, GradientClipping):
    """Base class of the optimizers.

    Arguments every optimizer takes, as Keras: ``learning_rate`` (a number or a schedule);
    ``weight_decay`` (each step ``w *= 1 - weight_decay * learning_rate`` before the update);
    at most one of ``clipnorm`` (each gradient rescaled to an L2 norm of at most this),
    ``global_clipnorm`` (all gradients rescaled together) and ``clipvalue`` (each element
    clipped to ``[-v, v]``); ``name``.
    ``use_ema``: keep an exponential moving average of each weight, ``a = m a + (1 - m) w``
    after every step (``m = ema_momentum``, 0 at the first step so that ``a`` starts at
    ``w``); every ``ema_overwrite_frequency`` steps the weights take the averages' values, and
    ``finalize_variable_values`` (called at the end of ``fit``) puts the averages in.
    ``gradient_accumulation_steps`` n: the gradients of n calls are summed and their mean
    applied at every n-th call (the steps between only accumulate); ``iterations`` then counts
    applied steps, the stored ``iteration`` every call, as Keras. Keras's
    ``loss_scale_factor`` is accepted at None only.
    A ``None`` gradient skips its weight (with Keras's warning); all ``None`` is an error.

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
        _refuse("loss_scale_factor", loss_scale_factor, None)
        self.use_ema = _check_bool(use_ema, "use_ema")
        self.ema_momentum, self.ema_overwrite_frequency = ema_momentum, ema_overwrite_frequency
        if self.use_ema:
            _check_range(ema_momentum, "ema_momentum", 0.0, 1.0)
            if ema_overwrite_frequency is not None and (
                    isinstance(ema_overwrite_frequency, bool)
                    or not isinstance(ema_overwrite_frequency, int)
                    or ema_overwrite_frequency < 1):
                raise ValueError(f"ema_overwrite_frequency must be an integer >= 1 or None; got "
                                 f"{ema_overwrite_frequency!r}.")
        self.loss_scale_factor = None
        self.gradient_accumulation_steps = _accumulation_steps(gradient_accumulation_steps)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, got {name!r}.")
        self.name = name or unique_name(self.default_name)
        self._iterations = 0            # every call of apply (Keras's "iteration" variable)
        self.built = False
        self.slots = []                 # slots[i]: {slot name: array} of the i-th weight
        self._averages, self._accumulators = [], []     # use_ema's, accumulation's
        self._param_names, self._constraints = [], []
        self.exclude_from_weight_decay()

    @property
    def iterations(self):
        """Steps applied: every call, or with ``gradient_accumulation_steps`` n the calls // n
        (Keras's ``optimizer.iterations``)."""
        if self.gradient_accumulation_steps:
            return self._iterations // self.gradient_accumulation_steps
        return self._iterations

    @iterations.setter
    def iterations(self, value):
        self._iterations = int(value)

    # -- state --------------------------------------------------------------------------------
    def slot_groups(self):
        """Names of the per-weight state arrays, grouped as Keras creates them: the names of
        one group alternate weight by weight (Adam: momentum, velocity of weight 0, then of
        weight 1, ...), and groups follow one another (then Adam's velocity_hat of each)."""
        return ()

    def initial_slot(self, name, param):
        """The starting value of slot ``name`` for ``param``: zeros (Adagrad overrides)."""
        xp = array_module(param)
        return xp.zeros_like(param)

    def build(self, params, names=None, constraints=None):
        """Create the state for the weight arrays ``params`` (the model's trainable weights,
        in order). ``apply`` builds on its first call; loading a saved state builds first.
        ``names`` (e.g. "kernel", "bias") are what ``exclude_from_weight_decay(var_names=)``
        matches; ``constraints`` (one callable or None per weight) are applied to each weight
        after every update, as Keras applies a variable's constraint."""
        params = list(params)
        self._param_names = list(names) if names is not None else [None] * len(params)
        self._constraints = list(constraints) if constraints is not None else \
            [None] * len(params)
        if len(self._param_names) != len(params) or len(self._constraints) != len(params):
            raise ValueError(f"build got {len(params)} weights but {len(self._param_names)} "
                             f"names and {len(self._constraints)} constraints.")
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
        zeros = [array_module(p).zeros_like(p) for p in params]
        self._averages = zeros if self.use_ema else []
        self._accumulators = [array_module(p).zeros_like(p) for p in params] \
            if self.gradient_accumulation_steps else []
        self.built = True

    # -- one step -----------------------------------------------------------------------------
    def apply(self, params, grads):
        """One step: each array of ``params`` is updated in place from the same-position array
        of ``grads`` (None: that weight is skipped), then the moving averages and the
        constraints, then the count. (Keras's ``apply`` takes the gradients first;
        ``apply_gradients`` takes Keras's ``(grad, variable)`` pairs.)"""
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
        kept = self._with_gradients(grads)
        self._lr = self.learning_rate       # a schedule's value before the count moves, as Keras
        steps = self.gradient_accumulation_steps
        if steps and (self._iterations + 1) % steps:
            for index in kept:              # not an update step: only accumulate
                self._accumulators[index] += grads[index]
        else:
            if steps:                       # the mean of the accumulated gradients
                grads = list(grads)
                for index in kept:
                    accumulated = self._accumulators[index]
                    accumulated += grads[index]
                    accumulated /= steps
                    grads[index] = accumulated
            self._update(params, grads, kept)
            for index in kept if steps else ():
                self._accumulators[index][...] = 0
        self._after_update(params, kept)
        self._iterations += 1
        if self._iterations % FLUSH_EVERY == 0:
            self._flush_subnormals()

    def _with_gradients(self, grads):
        """Indices of the weights that have a gradient (Keras skips None, with a warning)."""
        kept = [index for index, grad in enumerate(grads) if grad is not None]
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        if len(kept) < len(grads):
            missing = [self._param_names[i] or f"weight {i}" for i, g in enumerate(grads)
                       if g is None]
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the "
                          f"loss. If using `model.compile()`, did you forget to provide a "
                          f"`loss` argument?", UserWarning, stacklevel=3)
        return kept

    def _update(self, params, grads, kept):
        """Clip, decay and update the weights in ``kept`` (one applied step)."""
        self.begin_step(self.iterations + 1, params[0].dtype.type)
        chosen = [grads[i] for i in kept]
        global_scale = self._global_clip_scale(chosen) if self.global_clipnorm else None
        decay = 1.0 - self.weight_decay * self._lr if self.weight_decay else None
        for index in kept:
            param, grad, clip_out = params[index], grads[index], self._clip_scratch[index]
            if clip_out is not None:
                grad = self._clip(grad, global_scale, clip_out)
            if decay is not None and self._decays(index):
                param *= decay
            self.update(param, grad, self.slots[index], self._scratch[index])

    def _after_update(self, params, kept):
        """Keras's order after the update: the moving averages (and their overwrite every
        ``ema_overwrite_frequency`` steps), then each weight's constraint."""
        if self.use_ema:
            f = params[0].dtype.type
            momentum = f(self.ema_momentum) if self.iterations != 0 else f(0)
            for param, average in zip(params, self._averages):
                average *= momentum                 # a = m a + (1 - m) w
                average += (f(1) - momentum) * param
            frequency = self.ema_overwrite_frequency
            if frequency and (self.iterations + 1) % frequency == 0:
                self.finalize_variable_values(params)
        for index in kept:
            constraint = self._constraints[index]
            if constraint is not None:
                params[index][...] = constraint(params[index])

    def finalize_variable_values(self, var_list):
        """With ``use_ema``, give the weights their moving averages (Keras calls this at the
        end of ``fit``); otherwise nothing."""
        if self.use_ema and self.built:
            for param, average in zip(var_list, self._averages):
                param[...] = average

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Leave out of ``weight_decay`` the arrays of ``var_list`` and the weights whose name
        (given to ``build``, e.g. "bias", as Keras's ``variable.name``) matches one of the
        regular expressions ``var_names``."""
        self._excluded_ids = {id(v) for v in var_list or ()}
        self._excluded_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _decays(self, index):
        """Whether weight ``index`` takes the weight decay."""
        if self._excluded_ids and self._param_ids[index] in self._excluded_ids:
            return False
        name = self._param_names[index]
        return not (self._excluded_pattern is not None and name is not None
                    and self._excluded_pattern.search(name))

    def apply_gradients(self, grads_and_vars):
        """Keras's form: an iterable of ``(gradient, weight)`` pairs."""
        grads, params = zip(*grads_and_vars)
        self.apply(list(params), list(grads))
        return self._iterations

    def begin_step(self, step, float_type):
        """Work done once per step before the per-weight updates (Adam's bias-corrected step
        size); ``step`` counts from 1, ``self._lr`` is this step's learning rate."""

    def update(self, param, grad, slots, scratch):
        raise NotImplementedError

    # -- config -------------------------------------------------------------------------------
    def get_config(self):
        """Keras's keys, in Keras's order (a schedule as its ``{"class_name", "config"}``)."""
        schedule = self.learning_rate_schedule
        learning_rate = self.learning_rate if schedule is None else schedule
        if isinstance(schedule, schedules.LearningRateSchedule):
            learning_rate = schedules.serialize(schedule)   # a plain function stays itself
        return {"name": self.name, "learning_rate": learning_rate,
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
        shown = {"learning_rate": self.learning_rate_schedule or self.learning_rate, **own,
                 **{k: getattr(self, k) for k in ("weight_decay",) + _CLIP_ARGS
                    if getattr(self, k) is not None}}
        args = ", ".join(f"{k}={v!r}" for k, v in shown.items())
        return f"{type(self).__name__}({args}, name={self.name!r})"


registry = Registry("optimizer", base=Optimizer)


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


def _shared_views(params):
    """One buffer as long as the largest array, seen in the shape of each: scratch space that
    the per-weight updates reuse one after another."""
    if not params:
        return []
    xp = array_module(*params)
    buffer = xp.empty(max(p.size for p in params), dtype=params[0].dtype)
    return [buffer[:p.size].reshape(p.shape) for p in params]
