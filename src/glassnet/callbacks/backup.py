"""``BackupAndRestore`` (``keras.callbacks.BackupAndRestore``): a fit that is killed starts
again where it stopped, when run again with the same callback.

At every epoch end (or every ``save_freq`` batches) it writes, in ``backup_dir``:
- ``epoch-<n>.keras``: the model through the ``.keras`` machinery (``model.save``: weights
  and optimizer state, written atomically);
- ``training_metadata.json`` (written atomically after it): the epoch to resume from, the
  batch, the name of that ``.keras`` file, and the state of every random generator the run
  draws from (glassnet's global one, fit's shuffle, each Dropout/noise layer's).
A kill at any moment leaves the metadata naming a complete file, so nothing is half-read.
At ``on_train_begin`` a backup, if any, is loaded into the model (``model.load_weights``,
optimizer state included) with the generators, and fit resumes at the saved epoch: an
interrupted fit ends with the same weights, bit for bit, as an uninterrupted one
(``save_freq="epoch"``; with a batch count the interrupted epoch restarts from its
beginning, as Keras). ``delete_checkpoint`` removes the folder when training ends.

Keras writes ``latest.weights.h5``; glassnet names a ``.keras`` file per backup so that the
two files never disagree, and ``double_checkpoint`` keeps the previous one too.
"""
import contextlib
import json
import os
import shutil

import numpy as np

from .. import utils
from ..atomic import write_atomically
from .base import Callback

_METADATA = "training_metadata.json"


class BackupAndRestore(Callback):
    """Back up the training state to ``backup_dir`` each epoch (or each ``save_freq``
    batches); restore it at the start of the next ``fit`` with this callback."""

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore needs a backup_dir, the folder to keep the "
                             "training state in.")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or
                                     not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(f"save_freq must be 'epoch' or a positive number of batches, got "
                             f"{save_freq!r}.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = bool(double_checkpoint)
        self.delete_checkpoint = bool(delete_checkpoint)
        self._epoch, self._batches_since_save = 0, 0

    # -- restoring ----------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        if not self.model.built:
            raise ValueError("BackupAndRestore needs a built model before fit (start it with "
                             "Input(shape=...)), so a backup can be loaded into it.")
        metadata = self._read_metadata()
        if metadata is None:
            return
        self.model.load_weights(os.path.join(self.backup_dir, metadata["file"]))
        _set_generators(self.model, metadata["generators"])
        self._epoch = self.model._initial_epoch = metadata["epoch"]

    def _read_metadata(self):
        path = os.path.join(self.backup_dir, _METADATA)
        if not os.path.exists(path):
            return None
        try:
            with open(path) as file:
                metadata = json.load(file)
            if not os.path.exists(os.path.join(self.backup_dir, metadata["file"])):
                raise ValueError(f"it names {metadata['file']!r}, which is missing")
            return metadata
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"BackupAndRestore cannot read {path!r} ({error}). Delete "
                             f"{self.backup_dir!r} to start training afresh.") from None

    # -- backing up ---------------------------------------------------------------------------
    def on_epoch_end(self, epoch, logs=None):
        self._epoch = epoch + 1
        self._batches_since_save = 0
        if self.save_freq == "epoch":
            self._save(batch=0)

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(batch=batch + 1)

    def _save(self, batch):
        os.makedirs(self.backup_dir, exist_ok=True)
        previous = self._read_metadata()
        name = f"epoch-{self._epoch:04d}-batch-{batch:06d}.keras"
        self.model.save(os.path.join(self.backup_dir, name))
        metadata = {"epoch": self._epoch, "batch": batch, "file": name,
                    "generators": _generators(self.model)}
        data = json.dumps(metadata).encode()
        write_atomically(os.path.join(self.backup_dir, _METADATA),
                         lambda file: file.write(data))
        keep = {name, _METADATA}
        if self.double_checkpoint and previous is not None:
            keep.add(previous["file"])
        for old in os.listdir(self.backup_dir):
            if old.endswith(".keras") and old not in keep:
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(self.backup_dir, old))

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.isdir(self.backup_dir):
            shutil.rmtree(self.backup_dir, ignore_errors=True)

    def __repr__(self):
        return f"<BackupAndRestore backup_dir={self.backup_dir!r} save_freq={self.save_freq!r}>"


def _generators(model):
    """Every random generator a fit draws from, by role: its state (JSON-ready)."""
    states = {"global": utils.global_generator().bit_generator.state}
    shuffler = getattr(model, "_shuffler", None)
    if isinstance(shuffler, np.random.Generator):
        states["shuffle"] = shuffler.bit_generator.state
    for layer in model.layers:
        generator = getattr(layer, "generator", None)
        if isinstance(generator, np.random.Generator):
            states["layer:" + layer.name] = generator.bit_generator.state
    return states


def _set_generators(model, states):
    utils.global_generator().bit_generator.state = states["global"]
    shuffler = getattr(model, "_shuffler", None)
    if "shuffle" in states and isinstance(shuffler, np.random.Generator):
        shuffler.bit_generator.state = states["shuffle"]
    for layer in model.layers:
        generator = getattr(layer, "generator", None)
        state = states.get("layer:" + layer.name)
        if state is not None and isinstance(generator, np.random.Generator):
            generator.bit_generator.state = state
