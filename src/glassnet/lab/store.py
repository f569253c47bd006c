"""Finished trials on disk: one JSON file per trial under ``DIR/trials/<experiment>/``.

A trial is one experiment's settings (``config``) run with one ``seed``. Its file name is a
key hashed from the experiment id, the settings, the seed and the glassnet version, so a
repeated run finds what is stored and a new version of glassnet never reuses old numbers.
Files are written beside their final name and renamed into place (atomic on POSIX and
Windows), so a run killed midway leaves whole trial files or none; a damaged file counts as
missing and is run again.
"""
import dataclasses
import hashlib
import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np

from .. import __version__


@dataclasses.dataclass(frozen=True)
class Trial:
    """One run: ``experiment`` id, ``config`` (JSON data), ``seed``."""
    experiment: str
    config: dict
    seed: int

    @property
    def key(self):
        text = json.dumps({"experiment": self.experiment, "config": self.config,
                           "seed": self.seed, "glassnet": __version__},
                          sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def describe(self):
        settings = ", ".join(f"{k}={_short(v)}" for k, v in self.config.items())
        return f"{self.experiment} [{settings}] seed {self.seed}"


def _short(value):
    if isinstance(value, dict):                 # a serialized initializer or the like
        inner = ", ".join(f"{k}={v}" for k, v in (value.get("config") or {}).items())
        return f"{value.get('class_name', '?')}({inner})"
    return str(value)


class TrialStore:
    """Reads and writes finished trials of one output folder."""

    def __init__(self, out_dir):
        self.folder = Path(out_dir) / "trials"

    def path(self, trial):
        return self.folder / trial.experiment / f"{trial.key}.json"

    def load(self, trial):
        """The stored record of ``trial``, or None when it is missing or unreadable."""
        try:
            with open(self.path(trial), encoding="utf-8") as file:
                record = json.load(file)
        except (OSError, ValueError):
            return None
        if record.get("key") != trial.key:
            return None
        return record

    def save(self, record):
        """Write ``record`` (which names its experiment and key) atomically."""
        final = self.folder / record["experiment"] / f"{record['key']}.json"
        final.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(final, json.dumps(record, allow_nan=False, separators=(",", ":")).encode())
        return final


def write_atomic(path, data):
    """Write ``data`` (bytes) to a temporary file beside ``path``, flush it to disk, then
    rename it to ``path``: readers see the old file or the whole new one, never a part."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".writing-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o666 & ~_umask())        # mkstemp makes 0600; use the usual mode
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def to_json_data(value):
    """``value`` as plain JSON data: NumPy scalars and arrays become numbers and lists, and
    non-finite floats (a diverged loss) become None, because JSON has no NaN."""
    if isinstance(value, dict):
        return {str(k): to_json_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_data(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_json_data(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"A trial result must be numbers, strings, lists or dicts; got {value!r}.")
