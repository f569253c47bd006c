"""``History``: what ``fit`` returns, each epoch's logs (``keras.callbacks.History``)."""
from .base import Callback


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
