"""``ProgbarLogger``: the callback that draws Keras's progress line (``glassnet.progbar``)
during fit, evaluate and predict."""
import sys

from ..progbar import Progbar
from .base import Callback


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
