"""``Callback``: the hooks that see training as it happens (``keras.callbacks.Callback``).

Every hook does nothing unless a subclass overrides it; ``_uses(hook)`` says whether it was
overridden, so the training loop calls a batch hook only on the callbacks that need it.
"""


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
