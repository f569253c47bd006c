"""The report folder: glassnet writes only into a folder that is new, empty, or its own.

A report replaces ``index.html``, ``results.json`` and PNG files in ``--out``; pointed at a
folder of the user's (or at ``--out ""``, the current folder) it would destroy their files.
``claim`` refuses such a folder unless ``force``, and marks every folder it writes with
``MARKER`` (a small JSON file) so the next run knows the folder is glassnet's. A folder that
a glassnet before the marker wrote (a ``results.json`` naming glassnet) is accepted too.
"""
import json
from pathlib import Path

from .. import __version__
from .store import write_atomic

MARKER = ".glassnet-report"
LEGACY_RESULTS_BYTES = 64 * 2**20


def claim(out, force=False):
    """Make ``out`` the report folder, or raise ``ValueError`` saying why not: ``out`` is
    empty text, a file, or a non-empty folder glassnet did not write (unless ``force``).
    Returns ``out`` as a ``Path``."""
    if out is None or not str(out).strip():
        raise ValueError("--out is empty; name the report folder, e.g. --out glassnet-report "
                         "(glassnet never writes a report into the current folder unasked).")
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"--out {str(out)!r} is a file, not a folder; name a new folder or a "
                         f"glassnet report folder.")
    if folder.is_dir() and not force and not is_report_folder(folder):
        others = sorted(p.name for p in folder.iterdir())
        shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        raise ValueError(f"--out {str(out)!r} is a folder glassnet did not write and it holds "
                         f"files ({shown}) that a report would replace; choose a new or empty "
                         f"folder, or add --force to write the report into it anyway.")
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / MARKER).is_file():
        write_atomic(folder / MARKER, json.dumps(
            {"glassnet": __version__, "what": "a glassnet lab report folder"}).encode())
    return folder


def is_report_folder(folder):
    """True when ``folder`` is empty, carries the marker, or holds a ``results.json`` that
    glassnet wrote (folders from before the marker)."""
    folder = Path(folder)
    if not any(folder.iterdir()) or (folder / MARKER).is_file():
        return True
    results = folder / "results.json"
    try:
        if not results.is_file() or results.stat().st_size > LEGACY_RESULTS_BYTES:
            return False
        data = json.loads(results.read_bytes())
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(data, dict) and "glassnet" in data and isinstance(data.get("trials"), list)
