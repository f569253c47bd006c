"""Keras 3 (torch backend) as the oracle of fit/evaluate/predict on data that is not one
array: ``steps_per_epoch`` / ``validation_steps`` on arrays, Python generators, PyDataset
(with workers), and the ``keras.utils`` data helpers. The same start weights, SGD and
``shuffle=False`` give the same History, epoch by epoch.
"""
import warnings

import numpy as np
import pytest

import glassnet
from tests.oracles.shared import assert_close

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.1).astype(np.float32)
    return x, y


def _pair(keras):
    def build(lib):
        model = lib.Sequential([lib.Input(shape=(3,)), lib.layers.Dense(4, activation="tanh"),
                                lib.layers.Dense(1)])
        return model
    theirs, ours = build(keras), build(glassnet)
    start = [(np.random.default_rng(1).standard_normal(w.shape) * 0.5).astype(np.float32)
             for w in theirs.get_weights()]
    theirs.set_weights(start)
    ours.set_weights(start)
    theirs.compile(keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
    ours.compile(glassnet.optimizers.SGD(0.05), "mse", metrics=["mae"])
    return theirs, ours


def _same_history(want, got, rel=2e-5):
    assert set(want.history) == set(got.history)
    for key in want.history:
        assert len(want.history[key]) == len(got.history[key]), key
        np.testing.assert_allclose(got.history[key], want.history[key], rtol=rel, err_msg=key)


def test_arrays_with_steps_per_epoch_and_validation_steps(keras):
    x, y = _data(40)
    theirs, ours = _pair(keras)
    options = dict(epochs=5, steps_per_epoch=3, batch_size=8, shuffle=False,
                   validation_data=(x[:20], y[:20]), validation_steps=2, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = theirs.fit(x, y, **options)
        with pytest.warns(UserWarning, match="ran out of data"):   # epoch 2 reaches the end
            got = ours.fit(x, y, **options)
    _same_history(want, got)
    assert_close(theirs.get_weights(), ours.get_weights(), "weights", 2e-5)


def test_arrays_with_steps_per_epoch_and_no_batch_size(keras):
    x, y = _data(40)
    theirs, ours = _pair(keras)
    want = theirs.fit(x, y, epochs=2, steps_per_epoch=3, shuffle=False, verbose=0)
    got = ours.fit(x, y, epochs=2, steps_per_epoch=3, shuffle=False, verbose=0)  # 14 a batch
    _same_history(want, got)


def _endless(x, y, batch_size):
    while True:
        for start in range(0, len(x), batch_size):
            yield x[start:start + batch_size], y[start:start + batch_size]


def test_endless_generator_with_steps_per_epoch(keras):
    x, y = _data(40)
    xv, yv = _data(16, seed=2)
    theirs, ours = _pair(keras)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = theirs.fit(_endless(x, y, 8), epochs=4, steps_per_epoch=3, verbose=0,
                          validation_data=_endless(xv, yv, 8), validation_steps=2)
    got = ours.fit(_endless(x, y, 8), epochs=4, steps_per_epoch=3, verbose=0,
                   validation_data=_endless(xv, yv, 8), validation_steps=2)
    _same_history(want, got)
    assert_close(theirs.get_weights(), ours.get_weights(), "weights", 2e-5)


def test_finite_generator_one_epoch_with_sample_weights(keras):
    x, y = _data(40)
    w = np.linspace(0.5, 2.0, 40).astype(np.float32)

    def batches():
        for start in range(0, 40, 16):
            yield x[start:start + 16], y[start:start + 16], w[start:start + 16]
    theirs, ours = _pair(keras)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = theirs.fit(batches(), epochs=1, verbose=0)
    got = ours.fit(batches(), epochs=1, verbose=0)
    _same_history(want, got)


def _dataset_class(base):
    class Batches(base):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)
            self.x, self.y, self.batch_size = x, y, batch_size

        def __len__(self):
            return -(-len(self.x) // self.batch_size)

        def __getitem__(self, index):
            rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
            return self.x[rows], self.y[rows]
    return Batches


@pytest.mark.parametrize("workers, processes", [(1, False), (3, False), (2, True)])
def test_py_dataset_fit_evaluate_predict(keras, workers, processes):
    x, y = _data(40)
    theirs, ours = _pair(keras)
    KerasBatches, OurBatches = _dataset_class(keras.utils.PyDataset), \
        _dataset_class(glassnet.utils.PyDataset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = theirs.fit(KerasBatches(x, y, 12), epochs=3, shuffle=False, verbose=0,
                          validation_data=KerasBatches(x[:10], y[:10], 4))
        want_eval = theirs.evaluate(KerasBatches(x, y, 12), verbose=0)
        want_pred = theirs.predict(KerasBatches(x, y, 12), verbose=0)
    ours_data = OurBatches(x, y, 12, workers=workers, use_multiprocessing=processes)
    got = ours.fit(ours_data, epochs=3, shuffle=False, verbose=0,
                   validation_data=OurBatches(x[:10], y[:10], 4))
    _same_history(want, got)
    np.testing.assert_allclose(ours.evaluate(ours_data, verbose=0), want_eval, rtol=2e-5)
    np.testing.assert_allclose(ours.predict(ours_data, verbose=0), want_pred, rtol=2e-5,
                               atol=1e-6)


def test_utils_helpers_match_keras(keras):
    x = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, -1.0]])
    for axis, order in ((-1, 2), (1, 1), (1, 2), (-1, 3)):
        np.testing.assert_allclose(glassnet.utils.normalize(x, axis, order),
                                   keras.utils.normalize(x, axis, order))
    for args in ((x,), (x, x), (x, x, x[:, 0]), ((x, x),)):
        packed = glassnet.utils.pack_x_y_sample_weight(*args)
        theirs = keras.utils.pack_x_y_sample_weight(*args)
        assert type(packed) is type(theirs) and len(np.shape(packed[0])) == len(
            np.shape(theirs[0]))
        mine = glassnet.utils.unpack_x_y_sample_weight(packed)
        want = keras.utils.unpack_x_y_sample_weight(theirs)
        assert [m is None for m in mine] == [w is None for w in want]
    from keras.src.utils.dataset_utils import _rescale_dataset_split_sizes
    for left, right in ((0.8, None), (None, 0.25), (7, None), (0.3, 0.5), (None, 3), (5, 4)):
        want = _rescale_dataset_split_sizes(left, right, 20)
        a, b = glassnet.utils.split_dataset(np.arange(20), left, right)
        assert (len(a), len(b)) == want
    assert glassnet.utils.Sequence is glassnet.utils.PyDataset
    assert keras.utils.Sequence is keras.utils.PyDataset
