"""Finished trials on disk: one JSON file per trial under ``DIR/trials/<experiment>/``.

A trial is one experiment's settings (``config``) run with one ``seed``. Its file name is a
key hashed from the experiment id, the settings, the seed and the glassnet version, so a
repeated run finds what is stored and a new version of glassnet never reuses old numbers.
Files are written beside their final name and renamed into place (atomic on POSIX and
Windows), so a run killed midway leaves whole trial files or none.

A stored record is not trusted blindly: before reuse it must be a regular file of at most
``MAX_RECORD_BYTES``, strict JSON (no NaN, at most ``MAX_DEPTH`` levels deep), have the
fields and types of a record (``check_record``), rebuild its own key from its experiment,
config, seed and version, and match the SHA-256 ``checksum`` written with it. A file that
fails is renamed aside (``<key>.json.rejected``), named in one line, and its trial runs
again. The checksum catches damage and careless edits; it is not a signature (whoever can
write the folder can write a record that passes).
"""
import dataclasses
import hashlib
import json
import math
import os
import stat
import sys
from pathlib import Path

import numpy as np

from .. import __version__
from ..atomic import write_atomically


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


MAX_RECORD_BYTES = 32 * 2**20       # a real record is kilobytes; refuse a file far larger
MAX_DEPTH = 12                      # a real record nests 4 levels; a deeper one is not ours
SEVERITIES = ("info", "warning", "error")


class BadRecord(ValueError):
    """A stored or returned trial record that is not what glassnet writes."""


class OtherVersion(BadRecord):
    """A record another glassnet version wrote: not damaged, just not reusable here."""


class TrialStore:
    """Reads and writes finished trials of one output folder. ``notify(line)`` hears about
    each file set aside (default: a line on standard error)."""

    def __init__(self, out_dir, notify=None):
        self.folder = Path(out_dir) / "trials"
        self.notify = notify or _print_line

    def path(self, trial):
        return self.folder / trial.experiment / f"{trial.key}.json"

    def load(self, trial):
        """The stored record of ``trial``, or None when it is missing; a file that is not a
        valid record of ``trial`` is renamed aside, named in one line, and None returned."""
        return self._read(self.path(trial), trial)

    def stored(self, experiment_id):
        """Every valid record stored for ``experiment_id`` (any settings and seeds), by
        file name; invalid files are set aside as ``load`` does, other versions' records are
        left where they are."""
        folder = self.folder / experiment_id
        paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
        records = (self._read(path, None) for path in paths)
        return [record for record in records if record is not None]

    def _read(self, path, trial):
        try:
            record = read_record(path)
            check_record(record, trial)
            if trial is None and (record["experiment"], record["key"]) != (
                    path.parent.name, path.stem):
                raise BadRecord("it is stored under another experiment or key than its own")
            if record.get("checksum") != checksum(record):
                raise BadRecord("its checksum does not match its contents (edited or damaged)")
        except (FileNotFoundError, OtherVersion):
            return None
        except (BadRecord, OSError) as error:
            self._set_aside(path, error)
            return None
        return {k: v for k, v in record.items() if k != "checksum"}

    def save(self, record):
        """Write ``record`` (which names its experiment and key) atomically, with its
        checksum."""
        final = self.folder / record["experiment"] / f"{record['key']}.json"
        final.parent.mkdir(parents=True, exist_ok=True)
        sealed = {**record, "checksum": checksum(record)}
        write_atomic(final, json.dumps(sealed, allow_nan=False, separators=(",", ":")).encode())
        return final

    def _set_aside(self, path, error):
        aside = _free_name(path.with_name(path.name + ".rejected"))
        try:
            os.rename(path, aside)
        except OSError as failure:
            raise ValueError(f"The stored trial {path} is not a valid record ({error}) and "
                             f"cannot be moved aside ({failure}); remove it and run "
                             f"again.") from None
        self.notify(f"glassnet: set aside {path} as {aside.name}: {error}; the trial runs "
                    f"again.")


def _free_name(path):
    """``path``, or ``path-1``, ``path-2``... whichever does not exist yet."""
    candidate, number = path, 0
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = path.with_name(f"{path.name}-{number}")
    return candidate


def _print_line(line):
    print(line, file=sys.stderr, flush=True)


def read_record(path):
    """The JSON object stored at ``path``: a regular file (a FIFO, a device or a directory is
    refused without blocking) of at most ``MAX_RECORD_BYTES``, strict JSON."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(path, flags)       # FileNotFoundError: simply not stored
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise BadRecord("it is not a regular file")
        if status.st_size > MAX_RECORD_BYTES:
            raise BadRecord(f"it holds {status.st_size} bytes, more than a trial record's "
                            f"limit of {MAX_RECORD_BYTES}")
        with os.fdopen(os.dup(descriptor), "rb") as file:
            data = file.read(MAX_RECORD_BYTES + 1)
    finally:
        os.close(descriptor)
    return parse_record(data)


def parse_record(text):
    """Strict JSON text (or bytes) of one record: no NaN or Infinity literals, nesting at
    most ``MAX_DEPTH`` deep."""
    try:
        record = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise BadRecord(f"it nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:                 # JSONDecodeError, UnicodeDecodeError
        raise BadRecord(f"it is not valid JSON ({error})") from None
    _check_depth(record, MAX_DEPTH)
    return record


def _refuse_constant(name):
    raise BadRecord(f"it holds {name}, which is not JSON (glassnet writes null)")


def _check_depth(value, levels):
    if isinstance(value, (dict, list)):
        if levels == 0:
            raise BadRecord(f"it nests deeper than {MAX_DEPTH} levels")
        for item in (value.values() if isinstance(value, dict) else value):
            _check_depth(item, levels - 1)


def check_record(record, trial=None):
    """Raise ``BadRecord`` unless ``record`` is a record (of ``trial``, when given) as
    glassnet writes it: the identity fields with their types, a key that experiment +
    config + seed + version rebuild, ``metrics`` a dict of numbers (or null, or lists of
    them), ``findings`` a list of ``{"code", "severity", "layer"}``."""
    if not isinstance(record, dict):
        raise BadRecord(f"it is a JSON {type(record).__name__}, not an object")
    for name, kind in (("experiment", str), ("config", dict), ("seed", int),
                       ("glassnet", str), ("key", str), ("metrics", dict)):
        if name not in record:
            raise BadRecord(f"it has no {name!r}")
        if not isinstance(record[name], kind) or isinstance(record[name], bool):
            raise BadRecord(f"its {name!r} is not a {kind.__name__}")
    if record["glassnet"] != __version__:
        raise OtherVersion(f"it was written by glassnet {record['glassnet']}, not "
                           f"{__version__}")
    own = Trial(record["experiment"], record["config"], record["seed"])
    if own.key != record["key"]:
        raise BadRecord("its experiment, config, seed and version do not rebuild its key "
                        "(edited or damaged)")
    if trial is not None and own.key != trial.key:
        raise BadRecord(f"it is the record of {own.describe()}, not of {trial.describe()}")
    for name, value in record["metrics"].items():
        if not _is_metric(value):
            raise BadRecord(f"its metric {name!r} is {_clip(value)}, not a number")
    if "findings" in record:
        _check_findings(record["findings"])
    if "checksum" in record and not isinstance(record["checksum"], str):
        raise BadRecord("its 'checksum' is not a string")


def _is_metric(value):
    if isinstance(value, list):
        return all(_is_metric(item) for item in value)
    return value is None or (isinstance(value, (int, float)) and math.isfinite(value))


def _check_findings(findings):
    if not isinstance(findings, list):
        raise BadRecord("its 'findings' is not a list")
    for finding in findings:
        if not (isinstance(finding, dict) and isinstance(finding.get("code"), str)
                and finding.get("severity") in SEVERITIES
                and isinstance(finding.get("layer"), (int, str, type(None)))):
            raise BadRecord(f"its finding {_clip(finding)} is not "
                            f"{{code, severity, layer}}")


def _clip(value, length=60):
    text = json.dumps(value)
    return text if len(text) <= length else text[:length] + "..."


def checksum(record):
    """SHA-256 of the record's canonical JSON (sorted keys, no spaces), without the
    ``checksum`` field itself."""
    body = {k: v for k, v in record.items() if k != "checksum"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


def write_atomic(path, data):
    """Write ``data`` (bytes) to ``path`` with ``atomic.write_atomically``: a temporary
    file beside it, synced, then renamed over it, so readers see the old file or the whole
    new one, never a part; a run killed midway leaves a temporary that the next write of the
    same file removes."""
    write_atomically(path, lambda file: file.write(data))


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
