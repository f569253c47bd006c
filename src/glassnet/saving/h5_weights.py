"""``model.weights.h5``: the weights and the optimizer state in Keras 3's HDF5 layout.

Layer by layer, ``layers/<key>/vars/<i>``: ``key`` the snake-case class name (``dense``,
``dense_1``, ... counted per class, not the layer names), ``i`` the weight's position (kernel,
then bias; non-trainable weights after the trainable ones). The optimizer's ``variables`` (the
step count, the learning rate, then the slots in Keras's order) at ``optimizer/vars/<i>``.
Each ``vars`` group carries its owner's name as the attribute ``name``.

Reading is checked whole before anything is read: only hard links, only datasets of plain
numbers (no object, string, compound or opaque values), stored inside the file and with no
filter beyond the ones h5py builds in, and every dataset's declared size bounded by the bytes
that store it (``limits``). The optimizer's state is checked too: a step count that is a
whole number in 0..2**31-1 (the int32 Keras files use), a finite learning rate >= 0, finite
slots. Anything else raises ``ModelFileError`` naming the file and the dataset.
"""
import io
import math
import warnings

import numpy as np

from ..arrays import to_host
from . import keras_config, limits
from .files import ModelFileError

_MAX_STEPS = 2**31 - 1          # the step count is written as int32
# Slots that are sums or averages of squares (second moments, accumulators): never negative,
# or the square root of the next update is NaN.
_NON_NEGATIVE_SLOTS = {"velocity", "velocity_hat", "accumulator", "norm", "accumulated_grad",
                       "accumulated_delta_var", "r", "c"}

_HDF5_FILTERS = {1: "gzip", 2: "shuffle", 3: "fletcher32", 32000: "lzf"}   # built into h5py


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("Reading and writing model files needs h5py: pip install "
                          "'glassnet[io]' (or pip install h5py).") from None
    return h5py


def weights_bytes(model):
    """``model.weights.h5`` as bytes: the layers' weights, then the optimizer's variables."""
    h5py = _h5py()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as file:
        file.create_group("vars").attrs["name"] = model.name
        _write_layers(file, "layers", model.layers)
        if model.compiled:
            _write_group(file, "optimizer/vars", model.optimizer.name, _optimizer_state(model))
    return buffer.getvalue()


def _write_layers(file, prefix, layers):
    """Each layer's group; a model used as a layer (in a functional model) holds its own
    layers under ``<key>/layers``, as Keras nests them."""
    keys = keras_config.weight_keys(type(layer).__name__ for layer in layers)
    for key, layer in zip(keys, layers):
        if hasattr(layer, "_layers"):
            _write_group(file, f"{prefix}/{key}/vars", layer.name, [])
            _write_layers(file, f"{prefix}/{key}/layers", layer.layers)
        else:
            _write_group(file, f"{prefix}/{key}/vars", layer.name, layer.weights)


def _write_group(file, path, name, arrays):
    group = file.create_group(path)
    group.attrs["name"] = name
    for index, array in enumerate(arrays):
        group.create_dataset(str(index), data=to_host(array))    # a GPU model's, copied


def _optimizer_state(model):
    """The optimizer's ``variables``; before its first step, those of a freshly built copy
    (the same values it would start from), so the file holds the whole state as Keras expects."""
    optimizer = model.optimizer
    if optimizer.built:
        return optimizer.variables
    fresh = type(optimizer).from_config(optimizer.get_config())
    fresh.build(model.trainable_weights)
    return fresh.variables


class WeightsReader:
    """A ``model.weights.h5`` opened from bytes and checked whole before anything is read:
    every link a plain (hard) link, every dataset plain numbers stored inside the file."""

    def __init__(self, data, name, budget=None):
        """``data``: the bytes of the HDF5 file, or a binary file open on it. ``budget``: the
        most bytes all datasets together may declare (default: ``limits.expansion_budget`` of
        the HDF5 file's own size)."""
        self.name = name
        self.h5py = _h5py()
        source = io.BytesIO(data) if isinstance(data, (bytes, bytearray, memoryview)) else data
        if budget is None:
            budget = limits.expansion_budget(source.seek(0, io.SEEK_END))
            source.seek(0)
        self.declared, self.budget = 0, budget
        self.items, self.meta = {}, {}        # path -> object, dataset path -> (shape, dtype)
        try:
            self.file = self.h5py.File(source, "r")
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
        item = self.items[path] = self.file[path]     # looked up once (h5py's lookups are
        if isinstance(item, self.h5py.Dataset):       # the cost of a file of many layers)
            self.meta[path] = (tuple(item.shape), item.dtype)
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
        self._check_storage(path, dataset, compressed=plist.get_nfilters() > 0)

    def _check_storage(self, path, dataset, compressed):
        """What the dataset's shape declares against the bytes that store it (HDF5 keeps the
        two apart: a chunked dataset with no chunk written, or a fill value, stores nothing),
        and the total against ``budget``: checked before anything is allocated."""
        declared = math.prod(dataset.shape or ()) * dataset.dtype.itemsize
        stored = dataset.id.get_storage_size()
        what = (f"{path} declares {tuple(dataset.shape)} {dataset.dtype} values ({declared} "
                f"bytes) but stores {stored} bytes")
        if not compressed and stored < declared:
            self._fail(f"{what}; an uncompressed dataset stores all its values. Refused: it "
                       f"would make glassnet allocate what the file does not hold.")
        if compressed and declared > limits.expansion_budget(stored):
            self._fail(f"{what}, more than glassnet.saving.limits.MAX_EXPANSION "
                       f"({limits.MAX_EXPANSION}) times as much.")
        self.declared += declared
        if self.declared > self.budget:
            self._fail(f"its datasets declare more than {self.budget} bytes in all, more "
                       f"than glassnet.saving.limits.MAX_EXPANSION ({limits.MAX_EXPANSION}) "
                       f"times the file's size; see glassnet.saving.limits to allow a file "
                       f"you trust.")

    def stored_shape(self, path):
        """The shape of the dataset at ``path``, or None (read from the file's metadata only)."""
        return self.meta.get(path, (None,))[0]

    def limit_allocations(self, layers, class_names, prefix="layers"):
        """Before the layers build: let each create only the weights the file stores for it,
        shape for shape, so no config can make glassnet allocate more than the file holds.
        ``class_names`` (from config.json, InputLayer left out) give the groups' keys under
        ``prefix`` (``layers``; a model nested in a functional one: ``layers/<key>/layers``)."""
        limited = [layer for layer in layers if type(layer).__name__ != "InputLayer"]
        keys = keras_config.weight_keys(class_names)
        self._limited = getattr(self, "_limited", []) + limited
        for layer, key in zip(limited, keys):
            if not hasattr(layer, "_layers"):         # a nested model limits its own layers
                layer.add_weight = self._stored_only(layer, f"{prefix}/{key}")

    def _stored_only(self, layer, group):
        def add_weight(name, shape, initializer, *args, **kwargs):
            path = f"{group}/vars/{len(layer.weights)}"
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
        group = self.items.get(path)
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
            dataset = self.items[f"{path}/{key}"]
            if not isinstance(dataset, self.h5py.Dataset):
                self._fail(f"{path}/{key} is not a dataset.")
            stored_shape, dtype = self.meta[f"{path}/{key}"]
            if stored_shape != tuple(shape):
                self._fail(f"{path}/{key} is an array of shape {stored_shape}, but "
                           f"{owner} needs shape {tuple(shape)}.")
            if dtype.kind not in kind:
                wanted = "floats" if kind == "f" else "numbers"
                self._fail(f"{path}/{key} holds {dtype} values, but {owner} needs "
                           f"{wanted}.")
            try:
                values.append(np.asarray(dataset[()]))
            except Exception as error:
                self._fail(f"{path}/{key} cannot be read ({error}).")
        return values

    def load_layers(self, model, class_names, skip_mismatch=False, prefix="layers"):
        """Set each layer's weights from ``layers/<key>/vars`` (keys from ``class_names``);
        a model used as a layer from its own layers under ``layers/<key>/layers``."""
        keys = keras_config.weight_keys(class_names)
        for key, layer in zip(keys, model.layers):
            if hasattr(layer, "_layers"):
                self.load_layers(layer, [type(inner).__name__ for inner in layer.layers],
                                 skip_mismatch, f"{prefix}/{key}/layers")
                continue
            shapes = [w.shape for w in layer.weights]
            owner = f"layer {layer.name!r} ({type(layer).__name__})"
            try:
                kinds = ["iuf" if w.dtype.kind in "iu" else "f" for w in layer.weights]
                values = self.arrays(f"{prefix}/{key}/vars", shapes, owner, kinds)
            except ModelFileError as error:
                if not skip_mismatch:
                    raise
                warnings.warn(f"Skipping {owner}: {error.problem}", UserWarning, stacklevel=3)
                continue
            if values is None and shapes:
                self._fail(f"there are no weights for {owner} (expected at "
                           f"{prefix}/{key}/vars).")
            if values:
                layer.set_weights(values)

    def load_optimizer(self, model):
        """Restore the optimizer's ``variables`` from ``optimizer/vars`` when the file has them.

        As Keras: a saved state with another number of variables is skipped with a warning,
        except the state of an optimizer saved before its first step (iteration 0, nothing
        else), which is exactly the fresh state and is skipped silently.
        """
        group = self.items.get("optimizer/vars")
        if group is None:
            return
        if not isinstance(group, self.h5py.Group):
            self._fail("optimizer/vars is not a group of the optimizer's variables.")
        optimizer = model.optimizer
        if not optimizer.built:
            try:
                weights = model.trainable_weights
                optimizer.build(weights, **model._weight_roles(weights))
            except (TypeError, ValueError) as error:     # e.g. layers of different dtypes
                raise ModelFileError(self.name, f"optimizer {optimizer.name!r} cannot be "
                                                f"built for these layers: {error}") from None
        current = optimizer.variables
        if len(group.keys()) != len(current):
            if self._untrained(group):
                return
            warnings.warn(f"Skipping the optimizer state in {self.name!r}: optimizer "
                          f"{optimizer.name!r} has {len(current)} variables, the file "
                          f"{len(group.keys())}.", UserWarning, stacklevel=3)
            return
        # the iteration count may be an int, and so are Adafactor's placeholders
        kinds = ["iuf" if v.dtype.kind in "iu" else "f" for v in current]
        kinds[0] = "iuf"
        values = self.arrays("optimizer/vars", [v.shape for v in current],
                             f"optimizer {optimizer.name!r}", kinds)
        self._check_optimizer_values(optimizer, values)
        learning_rate = optimizer.learning_rate
        try:
            optimizer.set_weights(values)
        except (TypeError, ValueError, OverflowError) as error:
            self._fail(f"optimizer/vars cannot be the state of {optimizer.name!r} ({error}).")
        # The file keeps the learning rate in the weights' float type (float32 drops digits of
        # 0.001); when it is that same number, keep the exact value config.json recorded.
        # (An optimizer on a schedule has no learning-rate variable: values[1] is a slot.)
        if optimizer.learning_rate_schedule is None and \
                np.asarray(learning_rate, dtype=values[1].dtype) == values[1]:
            optimizer.learning_rate = learning_rate

    def _check_optimizer_values(self, optimizer, values):
        """The step count a whole number in 0..2**31-1, the learning rate (when stored) finite
        and >= 0, every slot finite: a damaged state would load and then turn the next fit
        into NaN, or fail later in ``save`` or ``inspect``."""
        steps = values[0]
        if not (steps.shape == () and np.isfinite(steps) and float(steps).is_integer()
                and 0 <= steps <= _MAX_STEPS):
            self._fail(f"optimizer/vars/0, the step count of {optimizer.name!r}, is {steps}; "
                       f"it must be a whole number from 0 to {_MAX_STEPS}.")
        first_slot = 1
        if optimizer.learning_rate_schedule is None:
            first_slot = 2
            rate = values[1]
            if not (np.isfinite(rate).all() and (rate >= 0).all()):
                self._fail(f"optimizer/vars/1, the learning rate of {optimizer.name!r}, is "
                           f"{rate}; it must be a finite number >= 0.")
        names = [name for group in optimizer.slot_groups() for _ in optimizer.slots
                 for name in group]
        for index, (value, slot) in enumerate(zip(values[first_slot:], names),
                                              start=first_slot):
            if value.size and not (np.isfinite(value.min()) and np.isfinite(value.max())):
                self._fail(f"optimizer/vars/{index}, the {slot} of {optimizer.name!r}, "
                           f"holds NaN or inf values.")
            if slot in _NON_NEGATIVE_SLOTS and value.size and value.min() < 0:
                self._fail(f"optimizer/vars/{index}, the {slot} of {optimizer.name!r}, holds "
                           f"negative values ({value.min()}); it is a sum of squares.")

    def _untrained(self, group):
        """True for the state of an optimizer saved before its first step: scalars only (the
        step count, perhaps the learning rate), the step count 0."""
        datasets = [group.get(key) for key in group.keys()]
        iteration = group.get("0")
        return (all(isinstance(d, self.h5py.Dataset) and d.shape == () for d in datasets)
                and isinstance(iteration, self.h5py.Dataset) and iteration.dtype.kind in "iu"
                and int(iteration[()]) == 0)
