"""The .keras file: round trips, resumed training, save_weights, atomic writes, hostile files.

Keras itself reading and writing these files is in tests/oracles/test_keras_files.py.
"""
import errno
import hashlib
import io
import json
import os
import pickle
import zipfile

import h5py
import numpy as np
import pytest

import glassnet
from glassnet import layers, saving
from glassnet.interop import from_keras
from glassnet.saving import ModelFileError


def small_model(optimizer="adam", dropout=0.0, compile=True):
    """Input (4, 3) -> Flatten -> Dense 6 relu -> [Dropout] -> Dense 3 -> softmax."""
    stack = [glassnet.Input((4, 3)), layers.Flatten(), layers.Dense(6, activation="relu")]
    if dropout:
        stack.append(layers.Dropout(dropout))
    stack += [layers.Dense(3), layers.Activation("softmax")]
    model = glassnet.Sequential(stack)
    if compile:
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    return model


def data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4, 3)).astype("float32"), rng.integers(0, 3, n)


def trained_file(tmp_path, name="model.keras", **kwargs):
    model = small_model(**kwargs)
    x, y = data()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    path = tmp_path / name
    model.save(path)
    return model, path


def rezip(path, replace=None, drop=(), extra=None, target=None):
    """A copy of the .keras archive at ``path`` with members replaced, dropped or added."""
    members = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            members[name] = archive.read(name)
    members.update(replace or {})
    for name in drop:
        members.pop(name)
    members.update(extra or {})
    target = target or path
    with zipfile.ZipFile(target, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return target


def member(path, name):
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def with_checksum(path, weights):
    """Replace the weights member and make metadata's SHA-256 fit it (reaching the HDF5 checks)."""
    metadata = json.loads(member(path, saving.METADATA))
    metadata["weights_sha256"] = hashlib.sha256(weights).hexdigest()
    return rezip(path, {saving.WEIGHTS: weights, saving.METADATA: json.dumps(metadata)})


# -- round trips ----------------------------------------------------------------------------

def test_round_trip_weights_predictions_and_config(tmp_path):
    model, path = trained_file(tmp_path, dropout=0.25)
    loaded = glassnet.models.load_model(path)
    assert [type(l) for l in loaded.layers] == [type(l) for l in model.layers]
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    assert loaded.name == model.name and loaded.input_shape == model.input_shape
    for saved, restored in zip(model.get_weights(), loaded.get_weights()):
        assert saved.dtype == restored.dtype and np.array_equal(saved, restored)
    x, _ = data(10, seed=1)
    assert np.array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))
    assert [l.get_config() for l in loaded.layers] == [l.get_config() for l in model.layers]
    assert loaded.layers[2].rate == 0.25


def test_uncompiled_and_unbuilt_models_round_trip(tmp_path):
    model = small_model(compile=False)
    model.save(tmp_path / "plain.keras")
    loaded = glassnet.models.load_model(tmp_path / "plain.keras")
    assert not loaded.compiled
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), loaded.get_weights()))
    unbuilt = glassnet.Sequential([layers.Dense(4, activation="tanh"), layers.Dense(1)])
    unbuilt.save(tmp_path / "unbuilt.keras")
    again = glassnet.models.load_model(tmp_path / "unbuilt.keras")
    assert not again.built and [l.units for l in again.layers] == [4, 1]
    assert again.layers[0].activation.__name__ == "tanh"


def test_float64_weights_keep_their_dtype(tmp_path, float64):
    model, path = trained_file(tmp_path)
    loaded = glassnet.models.load_model(path)
    assert all(w.dtype == np.float64 for w in loaded.get_weights())
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), loaded.get_weights()))


def test_compile_settings_and_optimizer_state_come_back(tmp_path):
    model, path = trained_file(tmp_path, optimizer=glassnet.optimizers.SGD(0.05, momentum=0.9,
                                                                          nesterov=True))
    loaded = glassnet.models.load_model(path)
    assert type(loaded.optimizer) is glassnet.optimizers.SGD
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.learning_rate == 0.05            # exact, not float32's 0.0500000007
    assert loaded.optimizer.iterations == model.optimizer.iterations == 6
    for saved, restored in zip(model.optimizer.variables, loaded.optimizer.variables):
        assert np.array_equal(saved, restored)
    assert type(loaded.loss) is type(model.loss)
    x, y = data()
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
    assert not glassnet.models.load_model(path, compile=False).compiled


def _decaying_adam():
    return glassnet.optimizers.Adam(glassnet.optimizers.schedules.ExponentialDecay(0.01, 4, 0.5))


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop", "adagrad", "sgd", _decaying_adam])
def test_training_resumes_exactly_where_it_stopped(tmp_path, optimizer):
    """fit 2 epochs, save, load, fit 2 more == fit 2 + 2 without the file, bit for bit
    (weights, optimizer state, Dropout's random stream; the shuffle seed is reset alike)."""
    x, y = data(40)
    model = small_model(optimizer=optimizer() if callable(optimizer) else optimizer, dropout=0.3)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "half.keras")
    glassnet.utils.set_random_seed(99)
    uninterrupted = model.fit(x, y, epochs=2, batch_size=8, verbose=0).history
    resumed_model = glassnet.models.load_model(tmp_path / "half.keras")
    glassnet.utils.set_random_seed(99)
    resumed = resumed_model.fit(x, y, epochs=2, batch_size=8, verbose=0).history
    assert resumed == uninterrupted
    for a, b in zip(model.get_weights(), resumed_model.get_weights()):
        assert np.array_equal(a, b)


def test_loading_draws_no_random_numbers(tmp_path):
    _, path = trained_file(tmp_path, dropout=0.5)
    glassnet.utils.set_random_seed(5)
    expected = glassnet.utils.global_generator().random(3)
    glassnet.utils.set_random_seed(5)
    glassnet.models.load_model(path)
    assert np.array_equal(glassnet.utils.global_generator().random(3), expected)


def test_untrained_compiled_model_saves_the_whole_fresh_optimizer_state(tmp_path):
    model = small_model()
    model.save(tmp_path / "fresh.keras")
    weights = h5py.File(io.BytesIO(member(tmp_path / "fresh.keras", saving.WEIGHTS)), "r")
    stored = [weights[f"optimizer/vars/{i}"][()] for i in range(len(weights["optimizer/vars"]))]
    assert len(stored) == 2 + 2 * len(model.trainable_weights)        # Adam: m and v per weight
    assert stored[0] == 0 and not model.optimizer.built            # saving did not build it
    loaded = glassnet.models.load_model(tmp_path / "fresh.keras")
    x, y = data()
    glassnet.utils.set_random_seed(3)
    model.fit(x, y, epochs=1, verbose=0)
    glassnet.utils.set_random_seed(3)
    loaded.fit(x, y, epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), loaded.get_weights()))


def test_file_layout_is_keras_3s(tmp_path):
    model, path = trained_file(tmp_path)
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
    config = json.loads(member(path, "config.json"))
    assert config["class_name"] == "Sequential" and config["module"] == "keras"
    assert [e["class_name"] for e in config["config"]["layers"]] == [
        "InputLayer", "Flatten", "Dense", "Dense", "Activation"]
    dense = config["config"]["layers"][2]
    assert dense["config"]["dtype"]["class_name"] == "DTypePolicy"
    assert dense["config"]["kernel_initializer"]["module"] == "keras.initializers"
    assert dense["build_config"] == {"input_shape": [None, 12]}
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"
    assert config["compile_config"]["metrics"] == ["accuracy"]
    metadata = json.loads(member(path, "metadata.json"))
    assert metadata["keras_version"].startswith("3.")
    assert metadata["glassnet_format_version"] == saving.FORMAT_VERSION
    weights_bytes = member(path, "model.weights.h5")
    assert metadata["weights_sha256"] == hashlib.sha256(weights_bytes).hexdigest()
    weights = h5py.File(io.BytesIO(weights_bytes), "r")
    assert np.array_equal(weights["layers/dense/vars/0"][()], model.layers[1].kernel)
    assert np.array_equal(weights["layers/dense_1/vars/1"][()], model.layers[2].bias)
    assert "layers/flatten/vars" in weights and "layers/activation/vars" in weights
    assert weights["optimizer/vars/0"][()] == model.optimizer.iterations


def test_file_objects(tmp_path):
    model = small_model()
    buffer = io.BytesIO()
    model.save(buffer)
    buffer.seek(0)
    loaded = glassnet.models.load_model(buffer)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), loaded.get_weights()))


# -- save_weights / load_weights ------------------------------------------------------------

def test_save_weights_and_load_weights(tmp_path):
    model, _ = trained_file(tmp_path)
    model.save_weights(tmp_path / "w.weights.h5")
    other = small_model()
    other.load_weights(tmp_path / "w.weights.h5")
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), other.get_weights()))
    for a, b in zip(model.optimizer.variables, other.optimizer.variables):
        assert np.array_equal(a, b)
    from_archive = small_model(compile=False)
    from_archive.load_weights(tmp_path / "model.keras")
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(),
                                                    from_archive.get_weights()))


def test_load_weights_into_another_architecture(tmp_path):
    model, _ = trained_file(tmp_path)
    model.save_weights(tmp_path / "w.weights.h5")
    wider = glassnet.Sequential([glassnet.Input((4, 3)), layers.Flatten(),
                                 layers.Dense(7, activation="relu"), layers.Dense(3),
                                 layers.Activation("softmax")])
    before = wider.get_weights()
    with pytest.raises(ModelFileError, match=r"layer 'dense.*needs shape \(12, 7\)"):
        wider.load_weights(tmp_path / "w.weights.h5")
    with pytest.warns(UserWarning, match="Skipping layer"):
        wider.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)
    assert np.array_equal(wider.get_weights()[0], before[0])     # the mismatched layer kept
    with pytest.raises(ValueError, match="built model"):
        glassnet.Sequential([layers.Dense(2)]).load_weights(tmp_path / "w.weights.h5")


def test_names_and_arguments_are_checked(tmp_path):
    model = small_model()
    with pytest.raises(ValueError, match=r"must end in \.keras"):
        model.save(tmp_path / "model.h5")
    with pytest.raises(ValueError, match=r"must end in \.weights\.h5"):
        model.save_weights(tmp_path / "model.h5")
    with pytest.raises(ValueError, match="zipped"):
        model.save(tmp_path / "m.keras", zipped=False)
    with pytest.raises(ValueError, match="include_optimizer"):
        model.save(tmp_path / "m.keras", include_optimizer=False)
    model.save(tmp_path / "m.keras")
    with pytest.raises(FileExistsError, match="overwrite=False"):
        model.save(tmp_path / "m.keras", overwrite=False)
    with pytest.raises(FileNotFoundError):
        glassnet.models.load_model(tmp_path / "missing.keras")
    with pytest.raises(FileNotFoundError, match="folder .*nowhere.* does not exist"):
        model.save(tmp_path / "nowhere" / "m.keras")


# -- atomic writes --------------------------------------------------------------------------

def _leftovers(directory):
    return [p.name for p in directory.iterdir() if p.name.endswith(".tmp")]


def test_a_save_failing_midway_leaves_the_old_file_loadable(tmp_path, monkeypatch):
    old, path = trained_file(tmp_path)
    old_bytes = path.read_bytes()
    written = []
    real_writestr = zipfile.ZipFile.writestr

    def writestr_then_crash(self, name, data, *args, **kwargs):
        if name == saving.WEIGHTS:              # the weights member is half written, then ...
            real_writestr(self, "model.weights.h5.part", data[:len(data) // 2])
            raise OSError(errno.EIO, "simulated crash while writing")
        written.append(name)
        return real_writestr(self, name, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", writestr_then_crash)
    newer = small_model(optimizer="sgd")
    with pytest.raises(OSError, match="simulated crash"):
        newer.save(path)
    assert written == [saving.METADATA, saving.CONFIG]
    monkeypatch.undo()
    assert path.read_bytes() == old_bytes and _leftovers(tmp_path) == []
    loaded = glassnet.models.load_model(path)
    assert all(np.array_equal(a, b) for a, b in zip(old.get_weights(), loaded.get_weights()))


def test_a_full_disk_leaves_the_old_file_and_no_new_one(tmp_path, monkeypatch):
    old, path = trained_file(tmp_path)
    old_bytes = path.read_bytes()

    def full_disk(handle):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(glassnet.atomic.os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        small_model().save(path)
    with pytest.raises(OSError, match="No space left"):
        small_model().save(tmp_path / "new.keras")
    with pytest.raises(OSError, match="No space left"):
        small_model().save_weights(tmp_path / "new.weights.h5")
    monkeypatch.undo()
    assert path.read_bytes() == old_bytes and _leftovers(tmp_path) == []
    assert not (tmp_path / "new.keras").exists() and not (tmp_path / "new.weights.h5").exists()
    glassnet.models.load_model(path)


def test_saved_files_get_ordinary_permissions(tmp_path):
    path = tmp_path / "m.keras"
    small_model().save(path)
    umask = os.umask(0o022)
    os.umask(umask)
    assert (path.stat().st_mode & 0o777) == 0o666 & ~umask
    os.chmod(path, 0o600)
    small_model().save(path)
    assert (path.stat().st_mode & 0o777) == 0o600


# -- files glassnet refuses -----------------------------------------------------------------

class Payload:
    """Unpickling this creates the file ``marker``: the proof that a pickle ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def refused(path, match):
    with pytest.raises(ModelFileError, match=match) as info:
        glassnet.models.load_model(path)
    assert info.value.path == str(path) and str(path) in str(info.value)
    assert isinstance(info.value, ValueError)
    return info.value


def test_a_pickle_renamed_keras_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "payload-ran"
    path = tmp_path / "model.keras"
    path.write_bytes(pickle.dumps(Payload(marker)))
    refused(path, "it is a pickle")
    for protocol in range(0, 6):            # every pickle protocol, with or without a header
        path.write_bytes(pickle.dumps(Payload(marker), protocol=protocol))
        with pytest.raises(ModelFileError):
            glassnet.models.load_model(path)
    assert not marker.exists()


def test_load_weights_says_what_it_reads_when_given_something_else(tmp_path):
    marker = tmp_path / "payload-ran"
    model = small_model()
    path = tmp_path / "model.weights.h5"
    path.write_bytes(pickle.dumps(Payload(marker)))
    with pytest.raises(ModelFileError, match=r"a pickle, not a \.weights\.h5 \(HDF5\) or "
                                             r"\.keras \(zip\) file"):
        model.load_weights(path)
    path.write_text("some text")
    with pytest.raises(ModelFileError, match=r"not a \.weights\.h5 \(HDF5\) or \.keras"):
        model.load_weights(path)
    assert not marker.exists()


def test_pickles_inside_the_archive_are_never_run(tmp_path):
    marker = tmp_path / "payload-ran"
    payload = pickle.dumps(Payload(marker))
    _, path = trained_file(tmp_path)
    bad = rezip(path, {saving.CONFIG: payload}, target=tmp_path / "config.keras")
    refused(bad, "config.json is not valid JSON")
    bad = rezip(path, {saving.METADATA: payload}, target=tmp_path / "meta.keras")
    refused(bad, "metadata.json is not valid JSON")
    bad = with_checksum(rezip(path, target=tmp_path / "weights.keras"), payload)
    refused(bad, "not a readable HDF5 file")
    torch_like = tmp_path / "torch.keras"
    with zipfile.ZipFile(torch_like, "w") as archive:
        archive.writestr("archive/data.pkl", payload)
    refused(torch_like, "no config.json.*pickle")
    assert not marker.exists()


def _weights_with(path, build):
    """The model's weights file with ``build(h5 file)`` applied, and a fitting checksum."""
    buffer = io.BytesIO(member(path, saving.WEIGHTS))
    with h5py.File(buffer, "a") as file:
        build(file)
    return with_checksum(path, buffer.getvalue())


@pytest.mark.parametrize("plant, match", [
    ("object", r"layers/dense/vars/0 holds object values; only plain numbers"),
    ("string", r"layers/dense/vars/0 holds object values; only plain numbers"),
    ("bytes", r"holds \|S.*only plain numbers"),
    ("void", r"holds \|V.*only plain numbers"),
    ("compound", r"only plain numbers"),
    ("soft link", "SoftLink; glassnet follows no links"),
    ("external link", "ExternalLink; glassnet follows no links"),
    ("external storage", "external file"),
])
def test_hdf5_members_that_could_carry_code_or_reach_outside_are_refused(tmp_path, plant,
                                                                         match):
    marker = tmp_path / "payload-ran"
    payload = pickle.dumps(Payload(marker))
    _, path = trained_file(tmp_path)
    kernel = "layers/dense/vars/0"

    def build(file):
        original = file[kernel][()]
        del file[kernel]
        if plant == "object":                    # variable-length arrays: numpy object dtype
            rows = np.empty(3, dtype=object)
            rows[:] = [np.frombuffer(payload, np.uint8)] * 3
            file.create_dataset(kernel, data=rows, dtype=h5py.vlen_dtype(np.uint8))
        elif plant == "string":
            file.create_dataset(kernel, data=[payload.hex()] * 3, dtype=h5py.string_dtype())
        elif plant == "bytes":
            file[kernel] = np.array([payload])
        elif plant == "void":
            file[kernel] = np.void(payload)
        elif plant == "compound":
            file[kernel] = np.zeros(3, dtype=[("a", "f4"), ("b", "i4")])
        elif plant == "soft link":
            file[kernel] = h5py.SoftLink("/layers/dense_1/vars/0")
        elif plant == "external link":
            file[kernel] = h5py.ExternalLink(str(tmp_path / "other.h5"), "/x")
        elif plant == "external storage":
            raw = tmp_path / "raw.bin"
            raw.write_bytes(original.tobytes())
            file.create_dataset(kernel, shape=original.shape, dtype=original.dtype,
                                external=[(str(raw), 0, original.nbytes)])

    bad = _weights_with(path, build)
    refused(bad, match)
    assert not marker.exists()


@pytest.mark.parametrize("loader", ["load_model", "load_weights", "from_keras"])
def test_a_missing_path_or_a_folder_is_a_model_file_error_naming_it(tmp_path, loader):
    model = small_model()
    load = {"load_model": glassnet.models.load_model, "load_weights": model.load_weights,
            "from_keras": from_keras}[loader]
    missing = tmp_path / "nowhere" / "missing.keras"
    with pytest.raises(saving.ModelFileError, match="missing.keras.*no such file") as caught:
        load(missing)
    assert isinstance(caught.value, FileNotFoundError)        # what open() users catch
    folder = tmp_path / "folder.keras"
    folder.mkdir()
    with pytest.raises(saving.ModelFileError, match="folder.keras.*a folder, not a file"):
        load(folder)


def test_broken_files_are_refused_with_their_reason(tmp_path):
    _, path = trained_file(tmp_path)
    data_ = path.read_bytes()
    empty = tmp_path / "empty.keras"
    empty.write_bytes(b"")
    refused(empty, "empty")
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(data_[: len(data_) // 2])
    refused(truncated, "truncated or damaged")
    text = tmp_path / "text.keras"
    text.write_text("not a model")
    refused(text, "not a .keras file")
    legacy = tmp_path / "legacy.keras"
    with h5py.File(legacy, "w") as file:
        file["x"] = np.zeros(3)
    refused(legacy, "HDF5 file")
    flipped = bytearray(data_)
    start = data_.index(b"\x89HDF")                       # inside the stored weights member
    flipped[start + 600] ^= 0xFF
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(bytes(flipped))
    refused(corrupt, "damaged")                           # the zip CRC-32 catches it


def test_checksum_and_versions_are_checked(tmp_path):
    _, path = trained_file(tmp_path)
    weights = bytearray(member(path, saving.WEIGHTS))
    weights[-200] ^= 0x01
    bad = rezip(path, {saving.WEIGHTS: bytes(weights)}, target=tmp_path / "sum.keras")
    refused(bad, "SHA-256 checksum")
    metadata = json.loads(member(path, saving.METADATA))
    for key, value, match in [("glassnet_format_version", 99, "format 99, newer"),
                              ("glassnet_format_version", "1", "invalid glassnet_format"),
                              ("keras_version", "2.15.0", "Keras '2.15.0'"),
                              ("weights_sha256", None, "lacks the weights checksum"),
                              ("generators", {"dropout": {"bit_generator": "MT19937"}}, None)]:
        changed = dict(metadata, **{key: value})
        target = rezip(path, {saving.METADATA: json.dumps(changed)},
                       target=tmp_path / f"{key}.keras")
        if match is None:
            glassnet.models.load_model(target)            # no Dropout: nothing to restore
        else:
            refused(target, match)
    refused(rezip(path, drop=[saving.METADATA], target=tmp_path / "nometa.keras"),
            "no metadata.json")


def test_dropout_generator_state_is_validated(tmp_path):
    _, path = trained_file(tmp_path, dropout=0.5)
    metadata = json.loads(member(path, saving.METADATA))
    metadata["generators"]["dropout"]["state"]["state"] = "not a number"
    refused(rezip(path, {saving.METADATA: json.dumps(metadata)}), "generator state")


def _with_config(path, change, target):
    config = json.loads(member(path, saving.CONFIG))
    change(config)
    return rezip(path, {saving.CONFIG: json.dumps(config)}, target=target)


def test_configs_glassnet_cannot_build_safely_are_refused(tmp_path):
    marker = tmp_path / "payload-ran"
    _, path = trained_file(tmp_path)

    def lambda_layer(config):
        config["config"]["layers"][1] = {
            "module": "keras.layers", "class_name": "Lambda", "registered_name": None,
            "config": {"name": "lambda", "function": {
                "module": "builtins", "class_name": "function", "registered_name": "function",
                "config": {"code": pickle.dumps(Payload(marker)).hex()}}}}

    def functional(config):                 # a Sequential's config under another name
        config["class_name"] = "Functional"

    def subclassed(config):
        config["class_name"] = "MyModel"

    def unknown(config):
        config["config"]["layers"][2]["class_name"] = "Conv2D"

    def custom(config):
        config["config"]["layers"][2]["registered_name"] = "my_pkg>MyDense"

    def custom_activation(config):
        config["config"]["layers"][2]["config"]["activation"] = {
            "module": "builtins", "class_name": "function", "config": "os.system",
            "registered_name": "function"}

    def regularized(config):
        config["config"]["layers"][2]["config"]["kernel_regularizer"] = {
            "module": "keras.regularizers", "class_name": "OrthogonalRegularizer",
            "config": {"factor": 0.01, "mode": "rows"}}

    def unknown_argument(config):
        config["config"]["layers"][2]["config"]["lora_rank"] = 4

    def mixed_precision(config):
        config["config"]["layers"][2]["config"]["dtype"]["config"]["name"] = "mixed_float16"

    def bad_units(config):
        config["config"]["layers"][2]["config"]["units"] = "many"

    def one_float16_layer(config):          # the others float32: one optimizer cannot hold both
        config["config"]["layers"][2]["config"]["dtype"]["config"]["name"] = "float16"

    cases = [(lambda_layer, "Lambda layer, which holds Python code"),
             (functional, "the Functional config has no input_layers"),
             (subclassed, "'MyModel' model; glassnet loads Sequential and functional models"),
             (unknown, "is a Conv2D, which glassnet does not have"),
             (custom, "custom Keras class 'my_pkg>MyDense'"),
             (custom_activation, "'os.system' is not a glassnet activation"),
             (regularized, "no regularizer 'OrthogonalRegularizer'"),
             (unknown_argument, "lora_rank=4 is not supported"),
             (mixed_precision, "mixed_float16"),
             (bad_units, "units"),
             (one_float16_layer, "optimizer 'adam' cannot be built for these layers")]
    for index, (change, match) in enumerate(cases):
        refused(_with_config(path, change, tmp_path / f"case{index}.keras"), match)
    assert not marker.exists()


def test_inert_keras_arguments_are_accepted(tmp_path):
    _, path = trained_file(tmp_path)

    def keras_extras(config):
        dense = config["config"]["layers"][2]["config"]
        dense.update(quantization_config=None, lora_rank=None, bias_constraint=None)
        config["config"]["layers"][0]["config"]["optional"] = False
        dense["dtype"]["shared_object_id"] = 1234

    loaded = glassnet.models.load_model(_with_config(path, keras_extras, tmp_path / "k.keras"))
    assert loaded.layers[1].units == 6


def test_custom_objects_map_class_names(tmp_path):
    _, path = trained_file(tmp_path)

    class MyDense(layers.Dense):
        pass

    def rename(config):
        config["config"]["layers"][2]["class_name"] = "MyDense"

    renamed = _with_config(path, rename, tmp_path / "mine.keras")
    refused(renamed, "MyDense")
    with pytest.raises(ModelFileError, match="layers/my_dense/vars"):   # keyed by class name
        glassnet.models.load_model(renamed, custom_objects={"MyDense": MyDense})


def test_custom_objects_reach_nested_objects(tmp_path):
    """A user's schedule inside the optimizer and initializer inside a layer, as Keras."""
    class Halving(glassnet.optimizers.schedules.LearningRateSchedule):
        def __init__(self, rate=0.1):
            self.rate = rate

        def __call__(self, step):
            return self.rate / (1 + step)

        def get_config(self):
            return {"rate": self.rate}

    class Fours(glassnet.initializers.Constant):
        def __init__(self):
            super().__init__(4.0)

        def get_config(self):
            return {}

    model = glassnet.Sequential([glassnet.Input((3,)),
                                 layers.Dense(2, bias_initializer=Fours())])
    model.compile(optimizer=glassnet.optimizers.SGD(Halving(0.2)), loss="mse")
    model.fit(np.ones((4, 3)), np.zeros((4, 2)), verbose=0)
    model.save(tmp_path / "custom.keras")
    refused(tmp_path / "custom.keras", "Fours")
    loaded = glassnet.models.load_model(tmp_path / "custom.keras",
                                        custom_objects={"Halving": Halving, "Fours": Fours})
    schedule = loaded.optimizer.learning_rate_schedule
    assert isinstance(schedule, Halving) and schedule.rate == 0.2
    assert isinstance(loaded.layers[0].bias_initializer, Fours)
    assert loaded.optimizer.learning_rate == pytest.approx(0.2 / (1 + 1))


def test_a_function_as_learning_rate_cannot_be_saved_and_says_why(tmp_path):
    model = small_model(optimizer=glassnet.optimizers.SGD(learning_rate=lambda: 0.1))
    with pytest.raises(ValueError, match="plain function, which a file cannot hold.*"
                                         "LearningRateSchedule subclass"):
        model.save(tmp_path / "m.keras")
    assert not (tmp_path / "m.keras").exists()


def test_a_config_cannot_make_glassnet_allocate_more_than_the_file_holds(tmp_path):
    _, path = trained_file(tmp_path)

    def huge(config):
        config["config"]["layers"][2]["config"]["units"] = 10**9     # 48 GB of float32 kernel

    refused(_with_config(path, huge, tmp_path / "huge.keras"),
            r"would make its kernel of shape \(12, 1000000000\), but model.weights.h5 holds "
            r"\(12, 6\) at layers/dense/vars/0")
    deep = rezip(path, {saving.CONFIG: "[" * 100000 + "]" * 100000},
                 target=tmp_path / "deep.keras")
    with pytest.raises(ModelFileError):
        glassnet.models.load_model(deep)


# -- glassnet inspect -----------------------------------------------------------------------

def test_cli_inspect_prints_the_summary_and_the_diagnosis(tmp_path, capsys):
    from glassnet.cli import main
    _, path = trained_file(tmp_path)
    x, y = data(32)
    np.savez(tmp_path / "data.npz", x=x, y=y)
    assert main(["inspect", str(path), "--data", str(tmp_path / "data.npz")]) == 0
    out = capsys.readouterr().out
    assert 'Model: "sequential"' in out and "dense_1 (Dense)" in out
    assert "Diagnosis on 32 samples" in out
    expected = glassnet.diagnose(glassnet.models.load_model(path), x, y)
    for finding in expected:
        assert finding.format("en") in out
    if not expected:
        assert "No problems found." in out
    table = np.column_stack([x.reshape(len(x), -1), y])
    np.savetxt(tmp_path / "data.csv", table, delimiter=",")
    flat = glassnet.Sequential([glassnet.Input((12,)), layers.Dense(3, activation="softmax")])
    flat.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    flat.save(tmp_path / "flat.keras")
    assert main(["inspect", str(tmp_path / "flat.keras"), "--data",
                 str(tmp_path / "data.csv"), "--lang", "ko"]) == 0
    assert "표본 32개에 대한 진단" in capsys.readouterr().out


def test_cli_inspect_refuses_bad_files_in_one_line(tmp_path, capsys):
    from glassnet.cli import main
    marker = tmp_path / "payload-ran"
    path = tmp_path / "model.keras"
    path.write_bytes(pickle.dumps(Payload(marker)))
    assert main(["inspect", str(path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "it is a pickle" in error and str(path) in error
    assert not marker.exists()
    small_model(compile=False).save(tmp_path / "plain.keras")
    np.savez(tmp_path / "d.npz", x=np.zeros((2, 4, 3)), y=np.zeros(2))
    assert main(["inspect", str(tmp_path / "plain.keras"), "--data",
                 str(tmp_path / "d.npz")]) == 2
    assert "no loss" in capsys.readouterr().err
    _, trained = trained_file(tmp_path)
    np.savez(tmp_path / "named.npz", images=np.zeros((2, 4, 3)), labels=np.zeros(2))
    assert main(["inspect", str(trained), "--data", str(tmp_path / "named.npz")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "holds arrays named x and y; this one has images, " \
                                       "labels." in error
    assert main(["inspect", str(tmp_path / "missing.keras")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "missing.keras': no such file" in error
