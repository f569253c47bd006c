"""Callbacks (``keras.callbacks``): hooks that see training as it happens.

Keras's hooks and order: the user's callbacks, then ``History``, then the progress bar
(``ProgbarLogger``). Logs reach callbacks as plain floats with their keys sorted, as Keras's
``pythonify_logs`` gives them, so ``history.history`` has ``accuracy, loss, val_accuracy,
val_loss`` in that order. ``CallbackList`` calls a batch hook only on the callbacks that use it,
so a plain ``fit`` pays nothing per batch.
"""
import math
import sys
import time
import warnings


class Callback:
    """Base class with every Keras hook; ``self.model`` and ``self.params`` are set by ``fit``.

    ``on_train_batch_begin/end`` call ``on_batch_begin/end`` (Keras's backwards-compatible
    aliases), so overriding either works.
    """

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_batch_begin(self, batch, logs=None): pass
    def on_batch_end(self, batch, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_test_begin(self, logs=None): pass
    def on_test_end(self, logs=None): pass
    def on_predict_begin(self, logs=None): pass
    def on_predict_end(self, logs=None): pass
    def on_test_batch_begin(self, batch, logs=None): pass
    def on_test_batch_end(self, batch, logs=None): pass
    def on_predict_batch_begin(self, batch, logs=None): pass
    def on_predict_batch_end(self, batch, logs=None): pass

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def _uses(self, hook):
        """Whether this callback does anything in ``hook`` (so the loop may skip calling it)."""
        aliases = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}
        cls = type(self)
        return any(getattr(cls, name) is not getattr(Callback, name)
                   for name in (hook, aliases.get(hook, hook)))


_BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
                "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end")


class CallbackList(Callback):
    """Dispatches events to a list of callbacks, as ``keras.callbacks.CallbackList``.

    ``add_history`` / ``add_progbar`` append a ``History`` / ``ProgbarLogger`` unless the list
    has one. ``params`` (verbose, epochs, steps) go to every callback. For each batch hook,
    ``uses(hook)`` says whether any callback needs it: the training loop asks once, not per batch.
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                 **params):
        super().__init__()
        if isinstance(callbacks, Callback):
            callbacks = [callbacks]
        self.callbacks = list(callbacks or [])
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(f"callbacks must be glassnet.callbacks.Callback instances, got "
                                f"{callback!r}. Subclass glassnet.callbacks.Callback.")
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        self.set_model(model)
        self.set_params(params)

    @property
    def history(self):
        return self._history

    def set_model(self, model):
        super().set_model(model)
        if model is None:
            return
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def set_params(self, params):
        super().set_params(params)
        if params:
            for callback in self.callbacks:
                callback.set_params(params)
        self._users = {hook: [c for c in self.callbacks if c._uses(hook)] for hook in _BATCH_HOOKS}

    def uses(self, hook):
        return bool(self._users[hook])

    def _each(self, hook, *args):
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    def _batch(self, hook, batch, logs):
        for callback in self._users[hook]:
            getattr(callback, hook)(batch, logs)

    def on_train_begin(self, logs=None): self._each("on_train_begin", _plain(logs))
    def on_train_end(self, logs=None): self._each("on_train_end", _plain(logs))
    def on_test_begin(self, logs=None): self._each("on_test_begin", _plain(logs))
    def on_test_end(self, logs=None): self._each("on_test_end", _plain(logs))
    def on_predict_begin(self, logs=None): self._each("on_predict_begin", _plain(logs))
    def on_predict_end(self, logs=None): self._each("on_predict_end", _plain(logs))
    def on_epoch_begin(self, epoch, logs=None): self._each("on_epoch_begin", epoch, _plain(logs))
    def on_epoch_end(self, epoch, logs=None): self._each("on_epoch_end", epoch, _plain(logs))

    def on_train_batch_begin(self, batch, logs=None):
        self._batch("on_train_batch_begin", batch, _plain(logs))

    def on_train_batch_end(self, batch, logs=None):
        self._batch("on_train_batch_end", batch, _plain(logs))

    def on_test_batch_begin(self, batch, logs=None):
        self._batch("on_test_batch_begin", batch, _plain(logs))

    def on_test_batch_end(self, batch, logs=None):
        self._batch("on_test_batch_end", batch, _plain(logs))

    def on_predict_batch_begin(self, batch, logs=None):
        self._batch("on_predict_batch_begin", batch, logs or {})

    def on_predict_batch_end(self, batch, logs=None):
        self._batch("on_predict_batch_end", batch, logs or {})

    def __iter__(self):
        return iter(self.callbacks)


def _plain(logs):
    """Logs as Keras hands them to callbacks: keys sorted, numbers as Python floats."""
    result = {}
    for key, value in sorted((logs or {}).items()):
        try:
            value = float(value)
        except (TypeError, ValueError):
            pass
        result[key] = value
    return result


class History(Callback):
    """Records each epoch's logs: ``history.history["loss"]`` and friends, ``history.epoch``,
    ``history.params``. ``fit`` returns it; ``probes`` holds what a ``Probe`` recorded."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []
        self.probes = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self

    def __repr__(self):
        return f"<History epochs={len(self.epoch)} keys={list(self.history)}>"


class Progbar:
    """Keras's progress line, e.g. ``40/40 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.3000``.

    ``verbose=1``: on a terminal the line is redrawn in place (at most every ``interval``
    seconds, with Keras's colours) and finished with a newline; elsewhere (a file, a captured
    stream) only the finished line is written. ``verbose=2``: one plain line when finished,
    ``40/40 - 0s - 2ms/step - loss: 0.3000``. Values are shown as given (``.4f``, or ``.4e``
    when at most 1e-3 in size, as Keras); the time per step leaves out the first step.
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, unit_name="step", stream=None):
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        self.stream = stream or sys.stdout
        self.interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self._values = {}
        self._start = time.time()
        self._last_update = 0.0
        self._after_first_step = None
        self._previous_width = 0

    def update(self, current, values=None, finalize=None):
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for key, value in values or []:
            self._values[key] = value
        now = time.time()
        per_step = self._step_duration(current, now)
        if self.verbose == 1 and (finalize or (self.interactive
                                               and now - self._last_update >= self.interval)):
            self._write_line(current, now, per_step, finalize)
        elif self.verbose == 2 and finalize and self.target:
            digits = int(math.log10(self.target)) + 1
            line = (f"{current:{digits}d}/{self.target} - {now - self._start:.0f}s -"
                    f"{_format_time(per_step, self.unit_name)}"
                    + "".join(f" - {k}: {_format_value(v, signed=False)}"
                              for k, v in self._values.items()))
            self._write(line + "\n")
        self._last_update = now

    def _write_line(self, current, now, per_step, finalize):
        paint = _ansi if self.interactive else _plain_text
        if self.target:
            digits = int(math.log10(self.target)) + 1
            done = int(self.width * current / self.target)
            bar = (paint(f"{current:{digits}d}/{self.target}", "1") + " "
                   + (paint("━" * done, "32") if done > 0 else "")
                   + paint("━" * (self.width - done), "37"))
        else:
            bar = f"{current:7d}/Unknown"
        if self.target and not finalize:
            clock = _format_eta(per_step * (self.target - current))
        else:
            clock = f"{now - self._start:.0f}s"
        info = " " + paint(clock, "1") + _format_time(per_step, self.unit_name)
        info += "".join(f" - {k}: {_format_value(v)}" for k, v in self._values.items())
        line = bar + info
        if not self.interactive:
            self._write(line + "\n")
            return
        width = len(_strip_ansi(line))
        padding = " " * max(self._previous_width - width, 0)
        self._write("\b" * self._previous_width + "\r" + line + padding
                    + ("\n" if finalize else ""))
        self._previous_width = width

    def _step_duration(self, current, now):
        if not current:
            return 0.0
        if self._after_first_step is not None and current > 1:
            duration = (now - self._after_first_step) / (current - 1)
        else:
            duration = (now - self._start) / current
        if current == 1:
            self._after_first_step = now
        return duration

    def _write(self, text):
        self.stream.write(text)
        self.stream.flush()


def _ansi(text, code):
    return f"\x1b[{code}m{text}\x1b[0m"


def _plain_text(text, code):
    return text


def _strip_ansi(text):
    import re
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _format_value(value, signed=True):
    """Keras's rule: 4 decimals, or scientific notation for values at most 1e-3 in size."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return f"{value}"
    big = abs(value) > 1e-3 if signed else value > 1e-3
    return f"{value:.4f}" if big else f"{value:.4e}"


def _format_time(seconds, unit_name):
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit_name}"
    return f" {seconds * 1e6:.0f}us/{unit_name}"


def _format_eta(eta):
    if eta > 3600:
        return f"{int(eta // 3600)}:{int((eta % 3600) // 60):02d}:{int(eta % 60):02d}"
    if eta > 60:
        return f"{int(eta // 60)}:{int(eta % 60):02d}"
    return f"{int(eta)}s"


class ProgbarLogger(Callback):
    """Prints Keras's progress bar for ``fit`` (``Epoch i/N`` when N > 1, then one line per
    epoch with the epoch's logs), ``evaluate`` and ``predict``; validation inside ``fit`` is
    silent, as in Keras. ``fit`` adds one when ``verbose`` is not 0."""

    def __init__(self, stream=None):
        super().__init__()
        self.stream = stream
        self.progbar = None
        self.verbose, self.epochs, self.target = 1, 1, None
        self._called_in_fit = False

    def set_params(self, params):
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def _uses(self, hook):
        if hook in ("on_train_batch_end", "on_test_batch_end", "on_predict_batch_end"):
            return self.verbose == 1 and self._interactive()
        return super()._uses(hook)

    def _interactive(self):
        stream = self.stream or sys.stdout
        return bool(getattr(stream, "isatty", lambda: False)())

    def on_train_begin(self, logs=None):
        self._called_in_fit = True

    def on_epoch_begin(self, epoch, logs=None):
        self._start_bar()
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}", file=self.stream or sys.stdout, flush=True)

    def on_train_batch_end(self, batch, logs=None):
        self._update(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finish(logs)

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._start_bar()

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update(batch, logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finish(logs)

    def on_predict_begin(self, logs=None):
        self._start_bar()

    def on_predict_batch_end(self, batch, logs=None):
        self._update(batch, None)

    def on_predict_end(self, logs=None):
        self._finish(logs)

    def _start_bar(self):
        self.seen = 0
        self.progbar = Progbar(self.target, verbose=self.verbose, stream=self.stream)

    def _update(self, batch, logs):
        self.seen = batch + 1
        if self.verbose == 1:
            self.progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def _finish(self, logs):
        if self.progbar is None:
            self._start_bar()
        if self.target is None:
            self.target = self.progbar.target = self.seen
        self.progbar.update(self.target, list((logs or {}).items()), finalize=True)


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
from .probe import Probe  # noqa: F401,E402
from .checkpoint import ModelCheckpoint  # noqa: F401
from .learning_rate_callbacks import LearningRateScheduler, ReduceLROnPlateau  # noqa: F401,E402
from .logging_callbacks import CSVLogger, LambdaCallback  # noqa: F401,E402
