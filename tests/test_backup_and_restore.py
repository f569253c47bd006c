"""BackupAndRestore: a fit killed (SIGKILL, in a subprocess) during epoch 3 of 6 resumes from
the last finished epoch and ends with weights identical, bit for bit, to an uninterrupted fit
(shuffling, Dropout and Adam's state included)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import glassnet
from glassnet import callbacks, layers

SCRIPT = r"""
import os, signal, sys
import numpy as np
import glassnet
from glassnet import layers, callbacks

backup, out, kill_epoch = sys.argv[1], sys.argv[2], int(sys.argv[3])
glassnet.utils.set_random_seed(7)
x = np.random.default_rng(0).standard_normal((96, 5)).astype("float32")
y = (x.sum(axis=1) > 0).astype("int64")
model = glassnet.Sequential([layers.Input(shape=(5,)), layers.Dense(16, activation="relu"),
                             layers.Dropout(0.3), layers.GaussianNoise(0.1),
                             layers.Dense(2, activation="softmax")])
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])


class Kill(callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if self.epoch == kill_epoch and batch == 1:
            os.kill(os.getpid(), signal.SIGKILL)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch


used = [callbacks.BackupAndRestore(backup)] if backup != "-" else []
history = model.fit(x, y, epochs=6, batch_size=16, verbose=0, callbacks=used + [Kill()])
np.savez(out, *model.get_weights(), epochs=np.array(history.epoch))
"""


def _run(tmp_path, backup, out, kill_epoch):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    return subprocess.run([sys.executable, str(script), str(backup), str(out), str(kill_epoch)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONHASHSEED": "0"})


def test_a_fit_killed_at_epoch_3_of_6_resumes_to_identical_weights(tmp_path):
    backup = tmp_path / "backup"
    killed = _run(tmp_path, backup, tmp_path / "never.npz", kill_epoch=2)
    assert killed.returncode == -9, killed.stderr                      # SIGKILL
    metadata = json.loads((backup / "training_metadata.json").read_text())
    assert metadata["epoch"] == 2                                      # epochs 1 and 2 saved
    assert [p.name for p in backup.glob("*.keras")] == [metadata["file"]]
    resumed = _run(tmp_path, backup, tmp_path / "resumed.npz", kill_epoch=-1)
    assert resumed.returncode == 0, resumed.stderr
    whole = _run(tmp_path, "-", tmp_path / "whole.npz", kill_epoch=-1)
    assert whole.returncode == 0, whole.stderr
    a, b = np.load(tmp_path / "resumed.npz"), np.load(tmp_path / "whole.npz")
    assert a["epochs"].tolist() == [2, 3, 4, 5] and b["epochs"].tolist() == list(range(6))
    for key in a.files:
        if key != "epochs":
            np.testing.assert_array_equal(a[key], b[key])            # bit for bit
    assert not backup.exists()                                        # delete_checkpoint


def test_a_damaged_backup_is_named_and_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match="backup_dir"):
        callbacks.BackupAndRestore("")
    with pytest.raises(ValueError, match="save_freq"):
        callbacks.BackupAndRestore(tmp_path, save_freq="batch")
    (tmp_path / "training_metadata.json").write_text("{not json")
    model = glassnet.Sequential([layers.Input(shape=(2,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="Delete"):
        model.fit(np.ones((4, 2)), np.ones(4), verbose=0,
                  callbacks=[callbacks.BackupAndRestore(tmp_path)])


def test_batch_backups_and_double_checkpoint_keep_files(tmp_path):
    model = glassnet.Sequential([layers.Input(shape=(2,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    keep = callbacks.BackupAndRestore(tmp_path / "b", save_freq=2, double_checkpoint=True,
                                      delete_checkpoint=False)
    model.fit(np.ones((8, 2)), np.ones(8), batch_size=2, epochs=2, verbose=0, callbacks=[keep])
    assert len(list((tmp_path / "b").glob("*.keras"))) == 2
    metadata = json.loads((tmp_path / "b" / "training_metadata.json").read_text())
    assert (metadata["epoch"], metadata["batch"]) == (1, 4)
