"""The ``.keras`` file: Keras 3's own format, written and read without pickle.

A ``.keras`` file is a zip (members stored uncompressed, as Keras writes them) of
- ``config.json``: the architecture and the compile settings (see ``keras_config``);
- ``metadata.json``: ``keras_version`` and ``date_saved`` as Keras writes them; glassnet adds
  ``glassnet_version``, ``glassnet_format_version``, ``weights_sha256`` (the SHA-256 of the
  weights member) and ``generators`` (the state of each Dropout's random generator, so that
  training resumes exactly where it stopped);
- ``model.weights.h5``: layer by layer ``layers/<key>/vars/<i>`` (``key`` the snake-case
  class name: ``dense``, ``dense_1``, ...; ``i`` the weight's position, kernel then bias) and
  the optimizer's ``variables`` at ``optimizer/vars/<i>`` (iteration, learning rate, slots).

Loading runs no code from the file: JSON is parsed as JSON, HDF5 is read with h5py (imported
only when needed), and only plain numeric datasets are read. A file that is not such a zip (a
pickle, an old ``.h5``, an empty or truncated file), a damaged archive, a checksum or version
that does not fit, a Lambda layer or an unknown class, or a weights file with object or
string arrays, links or external storage raises ``ModelFileError`` naming the file and the
problem. ``safe_mode`` is accepted for Keras's signature; glassnet is always safe.

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
import tempfile
import warnings
import zipfile

import numpy as np

from . import keras_config

FORMAT_VERSION = 1                 # glassnet_format_version this glassnet writes and reads
KERAS_VERSION = "3.15.1"           # the Keras release whose format is written (and tested)
CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_HDF5_FILTERS = {1: "gzip", 2: "shuffle", 3: "fletcher32", 32000: "lzf"}   # built into h5py
_MAX_EXPANSION = 1000              # a zip member inflating beyond this ratio is a zip bomb


class ModelFileError(ValueError):
    """A model or weights file glassnet refuses; ``path`` and ``problem`` say which and why."""

    def __init__(self, path, problem):
        self.path, self.problem = str(path), problem
        super().__init__(f"Cannot load {self.path!r}: {problem}")


# -- public API -----------------------------------------------------------------------------

def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Write ``model`` to ``filepath`` (a name ending in ``.keras``, or a binary file object)."""
    if kwargs:
        raise TypeError(f"save() got unexpected argument(s) {', '.join(map(repr, kwargs))}; it "
                        f"takes filepath, overwrite and zipped.")
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
    _check_overwrite(path, overwrite)
    write_atomically(path, lambda file: _write_archive(model, file))


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Read a ``.keras`` file written by glassnet or by Keras 3 into a glassnet ``Sequential``.

    With ``compile=True`` a model saved compiled comes back compiled, its optimizer state
    restored. ``custom_objects`` maps class names in the file to glassnet classes.
    """
    name = _describe(filepath)
    config, metadata, weights = read_archive(_read_bytes(filepath), name)
    reader = WeightsReader(weights, name)

    def before_build(layers):      # the layers exist, so config.json's entries are well formed
        reader.limit_allocations(layers, [e["class_name"] for e in _layer_entries(config)])

    try:
        model = keras_config.model_from_config(config, custom_objects, compile, before_build)
    except keras_config.ConfigError as error:
        raise ModelFileError(name, f"config.json: {error}") from None
    except RecursionError:
        raise ModelFileError(name, "config.json is nested too deeply to be a model.") from None
    finally:
        reader.lift_limits()
    reader.load_layers(model, [entry["class_name"] for entry in _layer_entries(config)])
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
    path = os.fspath(filepath)
    if max_shard_size is not None:
        raise ValueError("Sharded weights (max_shard_size) are not supported; leave it None.")
    if not str(path).endswith(".weights.h5"):
        raise ValueError(f"A weights file name must end in .weights.h5 (Keras 3's format), got "
                         f"{path!r}.")
    if not model.built:
        raise ValueError("The model has no weights yet: add an Input or call fit/build before "
                         "save_weights.")
    _check_overwrite(path, overwrite)
    data = weights_bytes(model)
    write_atomically(path, lambda file: file.write(data))


def load_weights(model, filepath, skip_mismatch=False):
    """Read weights from a ``.weights.h5`` or a ``.keras`` file into the built ``model``.

    Layers are matched by position and class, as Keras does. A layer whose stored shapes
    differ raises, or with ``skip_mismatch=True`` is skipped with a warning.
    """
    if not model.built:
        raise ValueError("load_weights needs a built model: add an Input first (or call "
                         "model.build((None, features))), then load the weights.")
    name = _describe(filepath)
    data = _read_bytes(filepath)
    weights = data if data.startswith(_HDF5_SIGNATURE) else read_archive(data, name)[2]
    reader = WeightsReader(weights, name)
    reader.load_layers(model, [type(layer).__name__ for layer in model.layers], skip_mismatch)
    if model.compiled:
        reader.load_optimizer(model)


# -- writing --------------------------------------------------------------------------------

def _write_archive(model, file):
    weights = weights_bytes(model)
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
    from . import __version__
    generators = {layer.name: layer.generator.bit_generator.state for layer in model.layers
                  if isinstance(getattr(layer, "generator", None), np.random.Generator)}
    return {"keras_version": KERAS_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
            "glassnet_version": __version__, "glassnet_format_version": FORMAT_VERSION,
            "weights_sha256": hashlib.sha256(weights).hexdigest(), "generators": generators}


def weights_bytes(model):
    """``model.weights.h5`` as bytes: the layers' weights, then the optimizer's variables."""
    h5py = _h5py()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as file:
        file.create_group("vars").attrs["name"] = model.name
        keys = keras_config.weight_keys(type(layer).__name__ for layer in model.layers)
        for key, layer in zip(keys, model.layers):
            _write_group(file, f"layers/{key}/vars", layer.name, layer.weights)
        if model.compiled:
            _write_group(file, "optimizer/vars", model.optimizer.name, _optimizer_state(model))
    return buffer.getvalue()


def _write_group(file, path, name, arrays):
    group = file.create_group(path)
    group.attrs["name"] = name
    for index, array in enumerate(arrays):
        group.create_dataset(str(index), data=np.asarray(array))


def _optimizer_state(model):
    """The optimizer's ``variables``; before its first step, those of a freshly built copy
    (the same values it would start from), so the file holds the whole state as Keras expects."""
    optimizer = model.optimizer
    if optimizer.built:
        return optimizer.variables
    fresh = type(optimizer).from_config(optimizer.get_config())
    fresh.build(model.trainable_weights)
    return fresh.variables


def write_atomically(path, write):
    """Run ``write(file)`` on a temporary file beside ``path``, sync it to disk, then rename it
    over ``path`` (``os.replace`` is atomic): readers see the old file or the new one, never a
    half-written one, and a failure anywhere leaves the old file untouched."""
    path = os.path.abspath(path)
    directory, base = os.path.split(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=directory)
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


def _check_overwrite(path, overwrite):
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path!r} exists and overwrite=False: choose another name, or "
                              f"pass overwrite=True to replace it.")


# -- reading the archive --------------------------------------------------------------------

def _is_file_object(filepath):
    return hasattr(filepath, "read") or hasattr(filepath, "write")


def _describe(filepath):
    if _is_file_object(filepath):
        return getattr(filepath, "name", "<file object>")
    return os.fspath(filepath)


def _read_bytes(filepath):
    if _is_file_object(filepath):
        return filepath.read()
    with open(filepath, "rb") as file:
        return file.read()


def _not_an_archive(data, name):
    """The clearest thing to say about bytes that are not a ``.keras`` zip."""
    if not data:
        return ModelFileError(name, "the file is empty (0 bytes); was a save or copy "
                                    "interrupted?")
    if data[:1] == b"\x80" and len(data) > 1 and data[1] <= 5:
        return ModelFileError(name, "it is a pickle, not a .keras zip archive. glassnet never "
                                    "unpickles: loading a pickle runs code from the file.")
    if data.startswith(_HDF5_SIGNATURE):
        return ModelFileError(name, "it is an HDF5 file (a Keras 2 .h5 model or a .weights.h5 "
                                    "file), not a .keras zip archive. Load weights with "
                                    "model.load_weights(path) on a model of the same layers.")
    if data.startswith(b"PK\x03\x04"):
        return ModelFileError(name, "the zip archive is truncated or damaged (its directory "
                                    "at the end is missing).")
    return ModelFileError(name, "it is not a .keras file (a zip of config.json, metadata.json "
                                "and model.weights.h5).")


def read_archive(data, name):
    """``(config, metadata, weights bytes)`` of a ``.keras`` file's bytes, every member checked:
    present once, not a zip bomb, intact (zip CRC), JSON that parses, versions and checksum."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _not_an_archive(data, name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = _members(archive, name)
            contents = {member: _read_member(archive, members[member], name)
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


def _read_member(archive, info, name):
    if info.file_size > max(_MAX_EXPANSION * info.compress_size, 1 << 20):
        raise ModelFileError(name, f"{info.filename} would inflate from {info.compress_size} to "
                                   f"{info.file_size} bytes; refusing a zip bomb.")
    return archive.read(info)


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


# -- reading the weights --------------------------------------------------------------------

def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("Reading and writing model files needs h5py: pip install "
                          "'glassnet[io]' (or pip install h5py).") from None
    return h5py


class WeightsReader:
    """A ``model.weights.h5`` opened from bytes and checked whole before anything is read:
    every link a plain (hard) link, every dataset plain numbers stored inside the file."""

    def __init__(self, data, name):
        self.name = name
        self.h5py = _h5py()
        try:
            self.file = self.h5py.File(io.BytesIO(data), "r")
            links = []                         # collected first: h5py's visit swallows raises
            self.file.visititems_links(lambda path, link: links.append((path, link)))
            for path, link in links:
                self._check_link(path, link)
        except ModelFileError:
            raise
        except Exception as error:         # h5py/HDF5 errors on damaged bytes
            raise ModelFileError(name, f"model.weights.h5 is not a readable HDF5 file "
                                       f"({error}).") from None

    def _fail(self, problem):
        raise ModelFileError(self.name, f"model.weights.h5: {problem}")

    def _check_link(self, path, link):
        if not isinstance(link, self.h5py.HardLink):
            self._fail(f"{path} is a {type(link).__name__}; glassnet follows no links.")
        item = self.file[path]
        if isinstance(item, self.h5py.Dataset):
            self._check_dataset(path, item)
        elif not isinstance(item, self.h5py.Group):
            self._fail(f"{path} is a {type(item).__name__}, not a group or a dataset.")

    def _check_dataset(self, path, dataset):
        h5py, dtype = self.h5py, dataset.dtype
        special = (h5py.check_vlen_dtype(dtype) is not None or h5py.check_string_dtype(dtype)
                   is not None or h5py.check_enum_dtype(dtype) is not None
                   or h5py.check_opaque_dtype(dtype))
        if dtype.kind not in "iuf" or dtype.names is not None or dtype.subdtype or special:
            self._fail(f"{path} holds {dtype} values; only plain numbers (int, float) are read.")
        if dataset.external:
            self._fail(f"{path} keeps its data in an external file; refused.")
        if dataset.is_virtual:
            self._fail(f"{path} is a virtual dataset (data from other files); refused.")
        plist = dataset.id.get_create_plist()
        for index in range(plist.get_nfilters()):
            code = plist.get_filter(index)[0]
            if code not in _HDF5_FILTERS:
                self._fail(f"{path} needs HDF5 filter {code}; only "
                           f"{', '.join(_HDF5_FILTERS.values())} are read.")

    def stored_shape(self, path):
        """The shape of the dataset at ``path``, or None (read from the file's metadata only)."""
        dataset = self.file.get(path)
        return tuple(dataset.shape) if isinstance(dataset, self.h5py.Dataset) else None

    def limit_allocations(self, layers, class_names):
        """Before the layers build: let each create only the weights the file stores for it,
        shape for shape, so no config can make glassnet allocate more than the file holds.
        ``class_names`` (from config.json, InputLayer left out) give the groups' keys."""
        self._limited = [layer for layer in layers if type(layer).__name__ != "InputLayer"]
        keys = keras_config.weight_keys(class_names)
        for layer, key in zip(self._limited, keys):
            layer.add_weight = self._stored_only(layer, key)

    def _stored_only(self, layer, key):
        def add_weight(name, shape, initializer, *args, **kwargs):
            path = f"layers/{key}/vars/{len(layer.weights)}"
            stored = self.stored_shape(path)
            if stored != tuple(shape):
                raise keras_config.ConfigError(
                    f"layer {layer.name!r} would make its {name} of shape {tuple(shape)}, but "
                    f"model.weights.h5 holds {'nothing' if stored is None else stored} at "
                    f"{path}.")
            return type(layer).add_weight(layer, name, shape, initializer, *args, **kwargs)
        return add_weight

    def lift_limits(self):
        for layer in getattr(self, "_limited", []):
            layer.__dict__.pop("add_weight", None)

    def arrays(self, path, shapes, owner, kinds=None):
        """The datasets ``0``, ``1``, ... of group ``path``, each of the given shape and dtype
        kind (``kinds[i]``, floats by default); None when the group is absent. ``owner`` names
        what they belong to in messages."""
        group = self.file.get(path)
        if group is None:
            return None
        if not isinstance(group, self.h5py.Group):
            self._fail(f"{path} is not a group.")
        expected = [str(i) for i in range(len(shapes))]
        if sorted(group.keys()) != sorted(expected):
            self._fail(f"{owner} needs {len(shapes)} arrays at {path}, the file has "
                       f"{len(group.keys())} ({', '.join(sorted(group.keys())) or 'none'}).")
        values = []
        for key, shape, kind in zip(expected, shapes, kinds or ["f"] * len(shapes)):
            dataset = group[key]
            if not isinstance(dataset, self.h5py.Dataset):
                self._fail(f"{path}/{key} is not a dataset.")
            if tuple(dataset.shape) != tuple(shape) or dataset.dtype.kind not in kind:
                self._fail(f"{path}/{key} is a {dataset.dtype} array of shape "
                           f"{tuple(dataset.shape)}, but {owner} needs shape {tuple(shape)}.")
            try:
                values.append(np.asarray(dataset[()]))
            except Exception as error:
                self._fail(f"{path}/{key} cannot be read ({error}).")
        return values

    def load_layers(self, model, class_names, skip_mismatch=False):
        """Set each layer's weights from ``layers/<key>/vars`` (keys from ``class_names``)."""
        keys = keras_config.weight_keys(class_names)
        for key, layer in zip(keys, model.layers):
            shapes = [w.shape for w in layer.weights]
            owner = f"layer {layer.name!r} ({type(layer).__name__})"
            try:
                values = self.arrays(f"layers/{key}/vars", shapes, owner)
            except ModelFileError as error:
                if not skip_mismatch:
                    raise
                warnings.warn(f"Skipping {owner}: {error.problem}", UserWarning, stacklevel=3)
                continue
            if values is None and shapes:
                self._fail(f"there are no weights for {owner} (expected at layers/{key}/vars).")
            if values:
                layer.set_weights(values)

    def load_optimizer(self, model):
        """Restore the optimizer's ``variables`` from ``optimizer/vars`` when the file has them.

        As Keras: a saved state with another number of variables is skipped with a warning,
        except the state of an optimizer saved before its first step (iteration 0, nothing
        else), which is exactly the fresh state and is skipped silently.
        """
        group = self.file.get("optimizer/vars")
        if group is None:
            return
        optimizer = model.optimizer
        if not optimizer.built:
            optimizer.build(model.trainable_weights)
        current = optimizer.variables
        if len(group.keys()) != len(current):
            if len(group.keys()) == 2 and self._untrained(group):
                return
            warnings.warn(f"Skipping the optimizer state in {self.name!r}: optimizer "
                          f"{optimizer.name!r} has {len(current)} variables, the file "
                          f"{len(group.keys())}.", UserWarning, stacklevel=3)
            return
        kinds = ["iuf"] + ["f"] * (len(current) - 1)        # the iteration count may be an int
        values = self.arrays("optimizer/vars", [v.shape for v in current],
                             f"optimizer {optimizer.name!r}", kinds)
        learning_rate = optimizer.learning_rate
        optimizer.set_weights(values)
        # The file keeps the learning rate in the weights' float type (float32 drops digits of
        # 0.001); when it is that same number, keep the exact value config.json recorded.
        if np.asarray(learning_rate, dtype=values[1].dtype) == values[1]:
            optimizer.learning_rate = learning_rate

    def _untrained(self, group):
        iteration = group.get("0")
        return (isinstance(iteration, self.h5py.Dataset) and iteration.shape == ()
                and iteration.dtype.kind in "iu" and int(iteration[()]) == 0)
