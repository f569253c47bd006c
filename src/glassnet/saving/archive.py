"""The ``.keras`` file: Keras 3's own format, written and read without pickle.

A ``.keras`` file is a zip (members stored uncompressed, as Keras writes them) of
- ``config.json``: the architecture and the compile settings (see ``keras_config``);
- ``metadata.json``: ``keras_version`` and ``date_saved`` as Keras writes them; glassnet adds
  ``glassnet_version``, ``glassnet_format_version``, ``weights_sha256`` (the SHA-256 of the
  weights member) and ``generators`` (the state of each Dropout's random generator, so that
  training resumes exactly where it stopped);
- ``model.weights.h5``: the weights and the optimizer's state (see ``h5_weights``).

Loading runs no code from the file: JSON is parsed as JSON, HDF5 is read with h5py (imported
only when needed), and only plain numeric datasets are read. A file that is not such a zip (a
pickle, an old ``.h5``, an empty or truncated file), a damaged archive, a checksum or version
that does not fit, a Lambda layer or an unknown class, or a weights file with object or
string arrays, links or external storage raises ``ModelFileError`` naming the file and the
problem; so do a folder, a FIFO, a device or a socket (only regular files are opened, and
never read whole into memory: the zip is read from the file), and a missing path
(``ModelFileNotFoundError``, also a ``FileNotFoundError``). What a file declares is bounded by
what it stores before anything is allocated (``limits``: JSON members at most 64 MB, the
weights member and every HDF5 dataset at most ``limits.MAX_EXPANSION`` times what stores
them, uncompressed datasets fully stored), and a layer may make only the weights the file
stores, so a config cannot make glassnet allocate more memory than the file holds.
``safe_mode`` is accepted for Keras's signature; glassnet is always safe.

Saving is atomic: the file is written beside its destination, synced to disk, then renamed
over it, so an interrupted save (a crash, a full disk) leaves the previous file as it was.
"""
import contextlib
import datetime
import hashlib
import io
import json
import os
import stat
import zipfile

import numpy as np

from . import keras_config, limits
from ..atomic import check_overwrite, write_atomically
from .files import ModelFileError, ModelFileNotFoundError

FORMAT_VERSION = 1                 # glassnet_format_version this glassnet writes and reads
KERAS_VERSION = "3.15.1"           # the Keras release whose format is written (and tested)
CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


# -- public API -----------------------------------------------------------------------------

def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Write ``model`` to ``filepath`` (a name ending in ``.keras``, or a binary file object)."""
    if kwargs:                        # ValueError, as Keras (save_format= included)
        raise ValueError(f"save() got unexpected argument(s) {', '.join(map(repr, kwargs))}; it "
                         f"takes filepath, overwrite and zipped (the format is always .keras).")
    if zipped is False:
        raise ValueError("glassnet writes zipped .keras files only; leave zipped at its default.")
    if _is_file_object(filepath):
        _write_archive(model, filepath)
        return
    path = os.fspath(filepath)
    if not str(path).endswith(".keras"):
        raise ValueError(f"A model file name must end in .keras (Keras 3's format), got "
                         f"{path!r}. For the weights alone use model.save_weights("
                         f"'name.weights.h5').")
    check_overwrite(path, overwrite)
    write_atomically(path, lambda file: _write_archive(model, file))


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Read a ``.keras`` file written by glassnet or by Keras 3 into a glassnet ``Sequential``.

    With ``compile=True`` a model saved compiled comes back compiled, its optimizer state
    restored. ``custom_objects`` maps class names in the file to glassnet classes.
    """
    from . import h5_weights     # h5py: imported on first use
    name = _describe(filepath)
    with _opened(filepath, name) as (file, size):
        config, metadata, weights = read_archive(file, name)
    reader = h5_weights.WeightsReader(weights, name, limits.expansion_budget(size))

    def before_build(layers, class_names=None, prefix="layers"):
        # the layers exist, so config.json's entries are well formed (a model nested in a
        # functional one passes its own layers' class names and group)
        if class_names is None:
            class_names = [e["class_name"] for e in _layer_entries(config)]
        reader.limit_allocations(layers, class_names, prefix)

    try:
        model = keras_config.model_from_config(config, custom_objects, compile, before_build)
    except keras_config.ConfigError as error:
        raise ModelFileError(name, f"config.json: {error}") from None
    except RecursionError:
        raise ModelFileError(name, "config.json is nested too deeply to be a model.") from None
    finally:
        reader.lift_limits()
    reader.load_layers(model, [type(layer).__name__ for layer in model.layers])
    if model.compiled:
        reader.load_optimizer(model)
    _restore_generators(model, metadata, name)
    return model


def _layer_entries(config):
    """The entries of config.json's layers that are ``model.layers`` (all but InputLayer)."""
    return [entry for entry in config["config"]["layers"]
            if entry.get("class_name") != "InputLayer"]


def save_weights(model, filepath, overwrite=True, max_shard_size=None):
    """Write the weights (and the optimizer state of a compiled model) as ``.weights.h5``."""
    from . import h5_weights     # h5py: imported on first use
    path = os.fspath(filepath)
    if max_shard_size is not None:
        raise ValueError("Sharded weights (max_shard_size) are not supported; leave it None.")
    if not str(path).endswith(".weights.h5"):
        raise ValueError(f"A weights file name must end in .weights.h5 (Keras 3's format), got "
                         f"{path!r}.")
    if not model.built:
        raise ValueError("The model has no weights yet: add an Input or call fit/build before "
                         "save_weights.")
    check_overwrite(path, overwrite)
    data = h5_weights.weights_bytes(model)
    write_atomically(path, lambda file: file.write(data))


def load_weights(model, filepath, skip_mismatch=False):
    """Read weights from a ``.weights.h5`` or a ``.keras`` file into the built ``model``.

    Layers are matched by position and class, as Keras does. A layer whose stored shapes
    differ raises, or with ``skip_mismatch=True`` is skipped with a warning.
    """
    from . import h5_weights     # h5py: imported on first use
    if not model.built:
        raise ValueError("load_weights needs a built model: add an Input first (or call "
                         "model.build((None, features))), then load the weights.")
    name = _describe(filepath)
    with _opened(filepath, name) as (file, size):
        head = _head(file)
        if head.startswith(_HDF5_SIGNATURE):
            weights = file                       # h5py reads the file itself, as it needs
        elif zipfile.is_zipfile(file):
            weights = read_archive(file, name)[2]
        else:
            raise _not_an_archive(head, name, "a .weights.h5 (HDF5) or .keras (zip) file")
        reader = h5_weights.WeightsReader(weights, name, limits.expansion_budget(size))
        reader.load_layers(model, [type(layer).__name__ for layer in model.layers],
                           skip_mismatch)
        if model.compiled:
            reader.load_optimizer(model)


# -- writing --------------------------------------------------------------------------------

def _write_archive(model, file):
    from . import h5_weights     # h5py: imported on first use
    weights = h5_weights.weights_bytes(model)
    config = json.dumps(keras_config.model_config(model), default=_json_value)
    metadata = json.dumps(_metadata(model, weights))
    with zipfile.ZipFile(file, "w") as archive:
        archive.writestr(METADATA, metadata)
        archive.writestr(CONFIG, config)
        archive.writestr(WEIGHTS, weights)


def _json_value(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{value!r} in a layer config cannot be written as JSON.")


def _metadata(model, weights):
    from .. import __version__
    generators = {layer.name: layer.generator.bit_generator.state for layer in model.layers
                  if isinstance(getattr(layer, "generator", None), np.random.Generator)}
    return {"keras_version": KERAS_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
            "glassnet_version": __version__, "glassnet_format_version": FORMAT_VERSION,
            "weights_sha256": hashlib.sha256(weights).hexdigest(), "generators": generators}


# -- reading the archive --------------------------------------------------------------------

def _is_file_object(filepath):
    return hasattr(filepath, "read") or hasattr(filepath, "write")


def _describe(filepath):
    if _is_file_object(filepath):
        return getattr(filepath, "name", "<file object>")
    return os.fspath(filepath)


@contextlib.contextmanager
def _opened(filepath, name):
    """``(binary file, its size)`` for a path or a file object. A path must be a regular file
    (a FIFO would block, a device such as /dev/zero never ends): it is opened without
    blocking and checked with ``fstat`` before a byte is read, and read where it lies (the
    zip and HDF5 readers seek in it), never copied whole into memory."""
    if _is_file_object(filepath):
        file = filepath if _seekable(filepath) else io.BytesIO(filepath.read())
        yield file, _size(file)
        return
    if os.path.isdir(filepath):
        raise ModelFileError(filepath, "it is a folder, not a file. Give the path of the "
                                       ".keras or .weights.h5 file inside it.")
    try:
        descriptor = os.open(filepath, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ModelFileNotFoundError(filepath, f"no such file (looked in "
                                               f"{os.path.abspath(filepath)!r}).") from None
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        os.close(descriptor)
        raise ModelFileError(name, "it is not a regular file (a FIFO, a device or a socket); "
                                   "glassnet reads model files only.")
    with os.fdopen(descriptor, "rb") as file:
        yield file, status.st_size


def _seekable(file):
    try:
        return file.seekable()
    except (AttributeError, OSError, ValueError):
        return False


def _size(file):
    position = file.tell()
    size = file.seek(0, os.SEEK_END)
    file.seek(position)
    return size


def _head(file, count=16):
    """The first ``count`` bytes of ``file`` (its position is put back at the start)."""
    file.seek(0)
    head = file.read(count)
    file.seek(0)
    return head


def _not_an_archive(data, name, expected="a .keras file (a zip of config.json, metadata.json "
                                          "and model.weights.h5)"):
    """The clearest thing to say about bytes that are not ``expected`` (a ``.keras`` zip)."""
    if not data:
        return ModelFileError(name, "the file is empty (0 bytes); was a save or copy "
                                    "interrupted?")
    if data[:1] == b"\x80" and len(data) > 1 and data[1] <= 5:
        return ModelFileError(name, f"it is a pickle, not {expected}. glassnet never "
                                    f"unpickles: loading a pickle runs code from the file.")
    if data.startswith(_HDF5_SIGNATURE):
        return ModelFileError(name, "it is an HDF5 file (a Keras 2 .h5 model or a .weights.h5 "
                                    "file), not a .keras zip archive. Load weights with "
                                    "model.load_weights(path) on a model of the same layers.")
    if data.startswith(b"PK\x03\x04"):
        return ModelFileError(name, "the zip archive is truncated or damaged (its directory "
                                    "at the end is missing).")
    return ModelFileError(name, f"it is not {expected}.")


def read_archive(data, name):
    """``(config, metadata, weights bytes)`` of a ``.keras`` file (its bytes, or a binary file
    open on it), every member checked: present once, within its size limit (``limits``:
    JSON at most 64 MB, the weights at most ``MAX_EXPANSION`` times the file), intact (zip
    CRC), JSON that parses, versions and checksum."""
    source = io.BytesIO(data) if isinstance(data, (bytes, bytearray, memoryview)) else data
    if not zipfile.is_zipfile(source):
        raise _not_an_archive(_head(source), name)
    size = _size(source)
    caps = {CONFIG: limits.MAX_JSON_BYTES, METADATA: limits.MAX_JSON_BYTES,
            WEIGHTS: limits.expansion_budget(size)}
    try:
        with zipfile.ZipFile(source) as archive:
            members = _members(archive, name)
            contents = {member: _read_member(archive, members[member], name, caps[member])
                        for member in (CONFIG, METADATA, WEIGHTS)}
    except ModelFileError:
        raise
    except Exception as error:     # zipfile fails in many ways on hostile bytes; all mean this
        raise ModelFileError(name, f"the zip archive is damaged ({error}).") from None
    config = _parse_json(contents[CONFIG], CONFIG, name)
    metadata = _parse_json(contents[METADATA], METADATA, name)
    _check_metadata(metadata, contents[WEIGHTS], name)
    return config, metadata, contents[WEIGHTS]


def _members(archive, name):
    infos = archive.infolist()
    names = [info.filename for info in infos]
    for member in (CONFIG, METADATA, WEIGHTS):
        if names.count(member) > 1:
            raise ModelFileError(name, f"the archive holds {member} {names.count(member)} "
                                       f"times; a .keras file holds it once.")
        if member not in names:
            hint = ""
            if member == WEIGHTS and "model.weights.npz" in names:
                hint = " It stores its weights as .npz; re-save it with Keras's default (h5)."
            elif any(n.endswith(".pkl") for n in names):
                hint = " It holds a pickle (a PyTorch checkpoint?), which glassnet never loads."
            raise ModelFileError(name, f"the archive has no {member}, so it is not a .keras "
                                       f"file.{hint}")
    return {info.filename: info for info in infos}


def _read_member(archive, info, name, cap):
    """The member's bytes, refused before inflating when its declared size passes ``cap``
    (and, should the header lie, when the data do)."""
    if info.file_size > cap:
        raise _too_large(name, info, info.file_size, cap)
    with archive.open(info) as member:
        data = member.read(cap + 1)
    if len(data) > cap:
        raise _too_large(name, info, len(data), cap)
    return data


def _too_large(name, info, size, cap):
    return ModelFileError(name, f"{info.filename} would inflate from {info.compress_size} to "
                                f"{size} bytes, more than its limit of {cap} (a zip bomb?); "
                                f"see glassnet.saving.limits to allow a file you trust.")


def _parse_json(data, member, name):
    try:
        value = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise ModelFileError(name, f"{member} is not valid JSON ({error}).") from None
    if not isinstance(value, dict):
        raise ModelFileError(name, f"{member} must hold a JSON object.")
    return value


def _check_metadata(metadata, weights, name):
    """Keras 3 only; glassnet's own files: a format this version reads and intact weights."""
    keras_version = metadata.get("keras_version")
    if keras_version is not None and not (isinstance(keras_version, str)
                                          and keras_version.split(".")[0] == "3"):
        if not isinstance(keras_version, str):
            raise ModelFileError(name, f"metadata.json gives keras_version {keras_version!r}, "
                                       f"not a version string such as '3.5.0'.")
        raise ModelFileError(name, f"it was written by Keras {keras_version!r}; glassnet reads "
                                   f"the Keras 3 .keras format. Re-save it with Keras 3.")
    if "glassnet_version" not in metadata and "glassnet_format_version" not in metadata:
        return                                       # written by Keras: no checksum to check
    version = metadata.get("glassnet_format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ModelFileError(name, f"metadata.json has an invalid glassnet_format_version "
                                   f"{version!r}.")
    if version > FORMAT_VERSION:
        raise ModelFileError(name, f"it uses glassnet file format {version}, newer than this "
                                   f"glassnet reads ({FORMAT_VERSION}). Upgrade glassnet.")
    digest = metadata.get("weights_sha256")
    if not isinstance(digest, str):
        raise ModelFileError(name, "metadata.json lacks the weights checksum (weights_sha256).")
    if hashlib.sha256(weights).hexdigest() != digest:
        raise ModelFileError(name, "model.weights.h5 does not match its SHA-256 checksum in "
                                   "metadata.json: the file is corrupted.")


def _restore_generators(model, metadata, name):
    """Put each Dropout's random generator back where it was when the model was saved."""
    states = metadata.get("generators") or {}
    if not isinstance(states, dict):
        raise ModelFileError(name, "metadata.json: 'generators' must be a JSON object.")
    for layer in model.layers:
        generator = getattr(layer, "generator", None)
        state = states.get(layer.name)
        if state is None or not isinstance(generator, np.random.Generator):
            continue
        kind = type(generator.bit_generator).__name__
        try:
            if not isinstance(state, dict) or state.get("bit_generator") != kind:
                raise ValueError(f"not a {kind} state")
            generator.bit_generator.state = state
        except (ValueError, TypeError, KeyError, OverflowError) as error:
            raise ModelFileError(name, f"metadata.json: the random generator state of layer "
                                       f"{layer.name!r} is invalid ({error}).") from None
