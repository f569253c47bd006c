"""``ModelCheckpoint``: save the model (or its weights) while it trains, as Keras 3 does.

The file name may hold ``str.format`` fields filled with the epoch (counted from 1) and the
epoch's logs, e.g. ``"ckpt-{epoch:02d}-{val_loss:.2f}.keras"``. Every save goes through
``model.save`` / ``model.save_weights``, so it is atomic: a crash mid-save leaves the previous
checkpoint whole.
"""
import math
import os
import string

from .monitor import MonitorCallback


def check_template(filepath):
    """Refuse, when the callback is made, a file name ``str.format`` could not fill after an
    epoch: unbalanced braces, positional fields (``{0}``, ``{}``), attribute or index access,
    or a format spec that fails on the value it will get (``epoch`` and ``batch`` are
    integers, every log value is a float: ``{loss:d}`` cannot work)."""
    try:
        fields = [(name, spec) for _, name, spec, _ in string.Formatter().parse(filepath)
                  if name is not None]
    except ValueError as error:
        raise ValueError(f"ModelCheckpoint's file name {filepath!r} is not a valid template "
                         f"({error}); write literal braces as {{{{ and }}}}.") from None
    for name, spec in fields:
        if not name.isidentifier():
            raise ValueError(f"ModelCheckpoint's file name {filepath!r} has the field "
                             f"{{{name}}}; fields are named by epoch, batch or a log such as "
                             f"val_loss, e.g. 'ckpt-{{epoch:02d}}-{{val_loss:.2f}}.keras'.")
        sample = 1 if name in ("epoch", "batch") else 0.5
        try:
            format(sample, spec)
        except ValueError as error:
            kind = "an integer" if isinstance(sample, int) else "a float"
            raise ValueError(f"ModelCheckpoint's file name {filepath!r}: {{{name}:{spec}}} "
                             f"cannot format {name}, which is {kind} ({error}); e.g. "
                             f"{{{name}:{'02d' if kind == 'an integer' else '.4f'}}}.") from None


class ModelCheckpoint(MonitorCallback):
    """Save after every epoch (or every ``save_freq`` batches), or only on improvement.

    ``save_best_only``: save only when ``monitor`` improves on the best value so far (the
    first value always does, unless ``initial_value_threshold`` is better); ``mode`` as in
    ``EarlyStopping`` ("auto" minimizes losses and maximizes accuracies). A monitored value
    missing from the logs warns and saves anyway, as Keras. ``save_weights_only``: write
    ``.weights.h5`` files (the name must end so); otherwise ``.keras`` files.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"ModelCheckpoint mode must be 'auto', 'min' or 'max', got "
                             f"{mode!r}.")
        super().__init__(monitor, mode, initial_value_threshold)
        self.filepath = os.fspath(filepath)
        check_template(self.filepath)
        self.verbose, self.save_best_only = verbose, save_best_only
        self.save_weights_only, self.save_freq = save_weights_only, save_freq
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)
                                     or save_freq <= 0):
            raise ValueError(f"save_freq must be 'epoch' or a positive number of batches, got "
                             f"{save_freq!r}.")
        ending = ".weights.h5" if save_weights_only else ".keras"
        if not self.filepath.endswith(ending):
            what = "weights (save_weights_only=True)" if save_weights_only else "a whole model"
            raise ValueError(f"ModelCheckpoint saving {what} needs a file name ending in "
                             f"{ending}, got {self.filepath!r}.")
        self._batches_since_save = 0
        self._epoch = 0

    def on_train_begin(self, logs=None):
        if self.save_best_only and self.monitor_op is None:
            self._set_monitor_op()          # a monitor of unknown direction fails before work

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._epoch, batch, logs or {})

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None and self.save_best_only:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def _uses(self, hook):
        if hook == "on_train_batch_end":
            return self.save_freq != "epoch"
        return super()._uses(hook)

    def filepath_for(self, epoch, batch=None, logs=None):
        """The file name for ``epoch`` (counted from 0 here, written from 1, as Keras)."""
        logs = dict(logs or {})
        fields = {"epoch": epoch + 1, **logs}
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as error:
            raise KeyError(f"ModelCheckpoint cannot fill {error} in {self.filepath!r}: the logs "
                           f"have {', '.join(sorted(logs)) or 'nothing'}.") from None

    def _should_save(self, epoch, logs, path):
        if not self.save_best_only:
            self._say(f"\nEpoch {epoch + 1}: saving model to {path}")
            return True
        value = logs.get(self.monitor)
        if value is None:
            import warnings
            warnings.warn(f"Can save best model only with {self.monitor} available.",
                          UserWarning, stacklevel=3)
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if not math.isnan(value) and self._is_improvement(value, self.best):
            self._say(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                      f"{value:.5f}, saving model to {path}")
            self.best = value
            return True
        self._say(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _save(self, epoch, batch, logs):
        path = self.filepath_for(epoch, batch, logs)
        if not self._should_save(epoch, logs, path):
            return
        if os.path.isdir(path):
            raise IsADirectoryError(f"ModelCheckpoint's file path {path!r} is a directory; give "
                                    f"a file name.")
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)

    def _say(self, message):
        if self.verbose > 0:
            print(message)

    def __repr__(self):
        return (f"ModelCheckpoint({self.filepath!r}, monitor={self.monitor!r}, "
                f"save_best_only={self.save_best_only}, "
                f"save_weights_only={self.save_weights_only})")
