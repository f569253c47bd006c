"""``CallbackList``: dispatches the training loop's events to the callbacks, in Keras's order
(the user's callbacks, then ``History``, then the progress bar, ``ProgbarLogger``).

Logs reach callbacks as plain floats with their keys sorted, as Keras's ``pythonify_logs``
gives them, so ``history.history`` has ``accuracy, loss, val_accuracy, val_loss`` in that
order. A batch hook is called only on the callbacks that use it, so a plain ``fit`` pays
nothing per batch.
"""
from .base import Callback
from .history import History
from .progbar import ProgbarLogger


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

    def on_train_begin(self, logs=None): self._each("on_train_begin", plain_logs(logs))
    def on_train_end(self, logs=None): self._each("on_train_end", plain_logs(logs))
    def on_test_begin(self, logs=None): self._each("on_test_begin", plain_logs(logs))
    def on_test_end(self, logs=None): self._each("on_test_end", plain_logs(logs))
    def on_predict_begin(self, logs=None): self._each("on_predict_begin", plain_logs(logs))
    def on_predict_end(self, logs=None): self._each("on_predict_end", plain_logs(logs))
    def on_epoch_begin(self, epoch, logs=None): self._each("on_epoch_begin", epoch, plain_logs(logs))
    def on_epoch_end(self, epoch, logs=None): self._each("on_epoch_end", epoch, plain_logs(logs))

    def on_train_batch_begin(self, batch, logs=None):
        self._batch("on_train_batch_begin", batch, plain_logs(logs))

    def on_train_batch_end(self, batch, logs=None):
        self._batch("on_train_batch_end", batch, plain_logs(logs))

    def on_test_batch_begin(self, batch, logs=None):
        self._batch("on_test_batch_begin", batch, plain_logs(logs))

    def on_test_batch_end(self, batch, logs=None):
        self._batch("on_test_batch_end", batch, plain_logs(logs))

    def on_predict_batch_begin(self, batch, logs=None):
        self._batch("on_predict_batch_begin", batch, logs or {})

    def on_predict_batch_end(self, batch, logs=None):
        self._batch("on_predict_batch_end", batch, logs or {})

    def __iter__(self):
        return iter(self.callbacks)


def plain_logs(logs):
    """Logs as Keras hands them to callbacks: keys sorted, numbers as Python floats."""
    result = {}
    for key, value in sorted((logs or {}).items()):
        try:
            value = float(value)
        except (TypeError, ValueError):
            pass
        result[key] = value
    return result
