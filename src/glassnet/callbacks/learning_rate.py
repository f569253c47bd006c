"""Callbacks that change the learning rate during ``fit`` (``keras.callbacks``):
``LearningRateScheduler`` (a function of the epoch) and ``ReduceLROnPlateau`` (a cut when a
monitored quantity stops improving).

As in Keras 3, both add ``learning_rate`` to each epoch's logs, so ``History`` records the
rate every epoch trained with (and the progress line shows it). Setting the rate of an
optimizer built on a schedule (``glassnet.optimizers.schedules``) raises ``TypeError``, as
in Keras: choose one of the two ways to vary the rate.
"""
import inspect
import warnings

import numpy as np

from .base import Callback
from .monitor import MonitorCallback


def _current_rate(model):
    return float(model.optimizer.learning_rate)


class LearningRateScheduler(Callback):
    """At the start of every epoch, set the learning rate to ``schedule(epoch, lr)`` (or
    ``schedule(epoch)`` for a function of one argument); ``epoch`` counts from 0 and ``lr``
    is the current rate. The result must be a float, as Keras requires.

    ``verbose=1`` prints ``Epoch 3: LearningRateScheduler setting learning rate to 0.01.``
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler needs a function schedule(epoch, lr) -> "
                            f"float, got {schedule!r}.")
        self.schedule = schedule
        self.verbose = verbose

    def _takes_rate(self):
        """Whether ``schedule`` takes the current rate as a second argument."""
        try:
            parameters = inspect.signature(self.schedule).parameters.values()
        except (TypeError, ValueError):
            return True
        positional = [p for p in parameters
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
        return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in positional)

    def on_epoch_begin(self, epoch, logs=None):
        rate = _current_rate(self.model)
        new_rate = self.schedule(epoch, rate) if self._takes_rate() else self.schedule(epoch)
        if isinstance(new_rate, bool) or not isinstance(new_rate, (float, np.floating)):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: "
                             f"{new_rate!r}. Return e.g. float(value).")
        self.model.optimizer.learning_rate = float(new_rate)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{new_rate}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = _current_rate(self.model)


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the learning rate by ``factor`` once ``monitor`` has not improved (by more
    than ``min_delta``) for ``patience`` epochs, never below ``min_lr``; after a cut, wait
    ``cooldown`` epochs before counting again. Keras 3's rules and defaults:
    ``monitor="val_loss"``, ``factor=0.1``, ``patience=10``, ``min_delta=1e-4``,
    ``cooldown=0``, ``min_lr=0.0``; ``mode`` as EarlyStopping's.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        super().__init__(monitor, mode, min_delta=min_delta)
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau got unexpected argument(s) "
                            f"{', '.join(map(repr, kwargs))}.")
        if not factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received "
                             f"factor={factor}")
        self.factor, self.min_lr, self.patience = factor, min_lr, patience
        self.verbose, self.cooldown = verbose, cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        logs["learning_rate"] = _current_rate(self.model)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` "
                          f"which is not available. Available metrics are: "
                          f"{','.join(logs)}.", stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _reduce(self, epoch):
        """Cut the rate (unless it is already at ``min_lr``); True when it was cut."""
        old_rate = _current_rate(self.model)
        if not old_rate > np.float32(self.min_lr):     # Keras compares in float32
            return False
        new_rate = max(old_rate * self.factor, self.min_lr)
        self.model.optimizer.learning_rate = new_rate
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                  f"{new_rate}.")
        return True
