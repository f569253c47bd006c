"""Atomic writes: every file glassnet writes (models, weights, ONNX, the lab's trials and
report, backups) goes through ``write_atomically``, so a save that fails at any point leaves
the old file whole."""
import contextlib
import os
import stat
import tempfile


def write_atomically(path, write):
    """Run ``write(file)`` on a temporary file beside ``path``, sync it to disk, then rename it
    over ``path`` (``os.replace`` is atomic): readers see the old file or the new one, never a
    half-written one, and a failure anywhere leaves the old file untouched.

    A ``path`` that is a symbolic link is written through: the file it points to is replaced
    (atomically, beside it) and the link stays, as saving "through" a link means. Temporary
    files are named ``.<name>.<pid>.<random>.tmp``; those a killed save of this file left
    behind (their process is gone) are removed first."""
    path = os.path.realpath(path)                 # through a symlink, to the file it names
    directory, base = os.path.split(path)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"Cannot write {path!r}: the folder {directory!r} does not "
                                f"exist. Create it first.")
    _remove_stale_temporaries(directory, base)
    handle, temporary = tempfile.mkstemp(prefix=f".{base}.{os.getpid()}.", suffix=".tmp",
                                         dir=directory)
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(directory)


def _remove_stale_temporaries(directory, base):
    """Delete ``.<base>.<pid>.*.tmp`` files whose process no longer runs (a save killed
    midway); another process's save in progress is left alone."""
    prefix = f".{base}."
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory):
            name = entry.name
            if not (name.startswith(prefix) and name.endswith(".tmp")):
                continue
            pid = name[len(prefix):].split(".", 1)[0]
            if pid.isdigit() and not _running(int(pid)) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _running(pid):
    if os.name != "posix":
        return True                    # os.kill(pid, 0) would end the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True                    # alive but not ours, or cannot tell: keep its file
    return True


def _mode_for(path):
    """Keep an existing file's permissions; a new file gets the usual 0o666 minus the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask():
    try:
        with open("/proc/self/status") as status:       # Linux: read it without changing it
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _sync_directory(directory):
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def check_overwrite(path, overwrite):
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path!r} exists and overwrite=False: choose another name, or "
                              f"pass overwrite=True to replace it.")
