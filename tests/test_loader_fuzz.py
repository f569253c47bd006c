"""Fuzzing the loader: a mutated valid .keras file loads cleanly or raises ModelFileError.

Three depths: raw bytes of the file (mostly caught by the zip's CRC-32), the weights member
with a checksum made to fit (so the damage reaches h5py), and config.json / metadata.json with
values replaced at random places (so it reaches the config reader). Any other exception, or a
"clean load" that cannot predict, fails the test.

The examples are fixed (derandomized) so CI is reproducible; GLASSNET_FUZZ_EXAMPLES=5000 runs a
longer, random search.
"""
import functools
import hashlib
import io
import json
import os
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import glassnet
from glassnet import layers, saving

# A mutated config may leave the optimizer fewer weights than the file has state for; that
# loads with Keras's warning, a clean outcome.
pytestmark = pytest.mark.filterwarnings("ignore:Skipping the optimizer state")

_DEEP = os.environ.get("GLASSNET_FUZZ_EXAMPLES")
FUZZ = settings(max_examples=int(_DEEP or 120), deadline=None, derandomize=not _DEEP,
                suppress_health_check=[HealthCheck.too_slow], database=None)


@functools.lru_cache(maxsize=1)
def valid_file():
    """The bytes of a small trained, compiled model with every layer type, a regularizer and
    a learning-rate schedule."""
    glassnet.utils.set_random_seed(0)
    model = glassnet.Sequential([
        glassnet.Input((2, 3)), layers.Flatten(),
        layers.Dense(4, activation="relu", kernel_regularizer="l2"),
        layers.BatchNormalization(), layers.LeakyReLU(), layers.GaussianNoise(0.1),
        layers.Dropout(0.5), layers.Reshape((2, 2)), layers.Softmax(axis=1),
        layers.ReLU(max_value=1.0), layers.Flatten(), layers.Dense(2),
        layers.Activation("softmax")])
    schedule = glassnet.optimizers.schedules.ExponentialDecay(0.01, 10, 0.9)
    model.compile(optimizer=glassnet.optimizers.Adam(schedule, clipnorm=1.0),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).normal(size=(8, 2, 3)).astype("float32")
    model.fit(x, np.arange(8) % 2, epochs=1, batch_size=4, verbose=0)
    buffer = io.BytesIO()
    model.save(buffer)
    return buffer.getvalue()


def members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def archive(contents):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, content in contents.items():
            out.writestr(name, content)
    return buffer.getvalue()


def outcome(data):
    """Load ``data``; a model must then predict, anything refused must be ModelFileError."""
    try:
        model = glassnet.models.load_model(io.BytesIO(data))
    except saving.ModelFileError as error:
        assert error.problem and error.path in str(error)
        return "refused"
    output = model.predict(np.zeros((2,) + model.input_shape[1:], "float32"), verbose=0)
    assert output.shape[0] == 2
    return "loaded"


edits = st.lists(st.tuples(st.integers(0, 2**31), st.integers(0, 255)), min_size=1, max_size=8)


@FUZZ
@given(edits=edits, cut=st.one_of(st.none(), st.integers(0, 2**31)))
def test_mutated_bytes(edits, cut):
    data = bytearray(valid_file())
    for position, value in edits:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % len(data)]
    outcome(bytes(data))


@FUZZ
@given(edits=edits, cut=st.one_of(st.none(), st.integers(0, 2**31)))
def test_mutated_weights_with_a_fitting_checksum(edits, cut):
    contents = members(valid_file())
    weights = bytearray(contents[saving.WEIGHTS])
    for position, value in edits:
        weights[position % len(weights)] = value
    if cut is not None:
        weights = weights[: cut % len(weights)]
    metadata = json.loads(contents[saving.METADATA])
    metadata["weights_sha256"] = hashlib.sha256(bytes(weights)).hexdigest()
    contents.update({saving.WEIGHTS: bytes(weights), saving.METADATA: json.dumps(metadata)})
    outcome(archive(contents))


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 2**40), st.floats(allow_nan=True),
              st.text(max_size=12), st.sampled_from(["Dense", "Lambda", "relu", "float64",
                                                     "Sequential", "InputLayer", "adam"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=6)


def _places(value, path=()):
    """Every (path, value) inside a parsed JSON document."""
    yield path, value
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _places(inner, path + (key,))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _places(inner, path + (index,))


def _replace(document, path, value):
    if not path:
        return value
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return document


@FUZZ
@given(member=st.sampled_from([saving.CONFIG, saving.METADATA]),
       choices=st.lists(st.tuples(st.integers(0, 10**6), json_values), min_size=1, max_size=3))
def test_mutated_json(member, choices):
    contents = members(valid_file())
    document = json.loads(contents[member])
    for index, value in choices:
        places = list(_places(document))
        path, _ = places[index % len(places)]
        document = _replace(document, path, value)
    contents[member] = json.dumps(document)
    outcome(archive(contents))


def test_the_valid_file_loads_and_the_fuzzers_reach_refusals():
    assert outcome(valid_file()) == "loaded"
    contents = members(valid_file())
    contents[saving.WEIGHTS] = contents[saving.WEIGHTS][:100]
    assert outcome(archive(contents)) == "refused"                 # checksum
