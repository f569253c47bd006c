"""Callbacks that watch the logs: ``TerminateOnNaN``, and ``MonitorCallback`` (a monitored
value, its direction and ``min_delta``) with its first user, ``EarlyStopping``."""
import math
import warnings

from .base import Callback


class TerminateOnNaN(Callback):
    """Stops training as soon as a batch's loss is NaN or inf, and says so (as Keras).

    ``raise_error=True`` raises ``RuntimeError`` instead of stopping gracefully.
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            if self.raise_error:
                raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: "
                                   f"{loss}. Terminating training immediately.")
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class MonitorCallback(Callback):
    """Base of callbacks that watch one logged quantity (EarlyStopping, ModelCheckpoint).

    ``mode`` "min" or "max", or "auto": "loss" and "val_loss" are minimized, a compiled metric
    goes the way it improves (accuracy up, errors down); anything else raises ``ValueError``
    asking for ``mode``. An improvement beats the reference by more than ``min_delta``.
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto "
                          f"mode.", stacklevel=2)
            mode = "auto"
        self.monitor, self.mode = monitor, mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None            # "min" or "max" once known

    def _set_monitor_op(self):
        if self.mode in ("min", "max"):
            self.monitor_op = self.mode
            return
        name = self.monitor[4:] if self.monitor.startswith("val_") else self.monitor
        direction = "down" if name == "loss" else None
        for metric in getattr(self.model, "metrics", None) or []:
            if getattr(metric, "name", None) == name:
                direction = _metric_direction(metric) or direction
        if direction is None:
            raise ValueError(
                f"{type(self).__name__} callback received monitor={self.monitor}, but glassnet "
                f"cannot tell whether that metric should be maximized or minimized. Pass "
                f"mode='max' to keep the highest value, or mode='min' to keep the lowest.")
        self.monitor_op = "max" if direction == "up" else "min"

    def _is_improvement(self, value, reference):
        if reference is None:
            return True
        if self.monitor_op == "max":
            return value - self.min_delta > reference
        return value + self.min_delta < reference


def _metric_direction(metric):
    """"up" or "down": the metric's own ``_direction`` (as Keras), else read from its class."""
    direction = getattr(metric, "_direction", None) or getattr(metric, "direction", None)
    if direction in ("up", "down"):
        return direction
    name = type(metric).__name__.lower()
    if any(word in name for word in ("accuracy", "auc", "precision", "recall", "score", "iou")):
        return "up"
    if any(word in name for word in ("error", "crossentropy", "hinge", "divergence", "loss",
                                     "poisson", "logcosh")):
        return "down"
    return None


class EarlyStopping(MonitorCallback):
    """Stops training when ``monitor`` has stopped improving, with Keras 3's exact rules.

    At each epoch end (from ``start_from_epoch`` on) the wait grows by one; an improvement on
    the best value (by more than ``min_delta``) records it and resets the wait only if it also
    beats ``baseline``; training stops when the wait reaches ``patience`` (never at epoch 0).
    With ``restore_best_weights`` the best epoch's weights come back at the end of training,
    whether or not it stopped early.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience, self.verbose, self.baseline = patience, verbose, baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        self.best_epoch = 0

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0
        if self.monitor_op is None:
            self._set_monitor_op()          # a wrong monitor/mode fails before any work

    def on_epoch_end(self, epoch, logs=None):
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs)}", stacklevel=2)
        return value
