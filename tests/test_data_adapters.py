"""fit/evaluate/predict on generators, PyDataset and step counts (models/data_adapters.py),
and the keras.utils data helpers. Keras's own numbers: tests/oracles/test_keras_data.py."""
import random
import time

import numpy as np
import pytest

import glassnet
from glassnet import layers, utils


def _model():
    glassnet.utils.set_random_seed(0)
    model = glassnet.Sequential([layers.Input(shape=(2,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


class Squares(utils.PyDataset):
    """Batch i: x = [[i, 1]] * 4, y = i; records the order and the epoch ends."""

    def __init__(self, count=6, delay=0.0, **kwargs):
        super().__init__(**kwargs)
        self.count, self.delay, self.seen, self.epoch_ends = count, delay, [], 0

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        if self.delay:
            time.sleep(self.delay * (self.count - index))     # later batches finish first
        self.seen.append(index)
        x = np.full((4, 2), [index, 1.0], np.float32)
        return x, np.full((4, 1), index, np.float32)

    def on_epoch_end(self):
        self.epoch_ends += 1


def test_py_dataset_batches_in_a_seeded_shuffled_order_each_epoch():
    runs = []
    for _ in range(2):
        data = Squares()
        model = _model()
        glassnet.utils.set_random_seed(3)
        history = model.fit(data, epochs=3, verbose=0)
        runs.append((data.seen[1:], history.history["loss"]))     # [0]: the build peek
        assert data.epoch_ends == 3
        epochs = [sorted(data.seen[1 + 6 * e:7 + 6 * e]) for e in range(3)]
        assert epochs == [list(range(6))] * 3
    assert runs[0] == runs[1]
    assert runs[0][0][:6] != list(range(6))            # shuffled (fit's default, as Keras)


def test_workers_make_batches_ahead_but_training_sees_them_in_order():
    losses = []
    for workers, processes in ((1, False), (4, False), (2, True)):
        model = _model()
        data = Squares(delay=0.002, workers=workers, use_multiprocessing=processes)
        losses.append(model.fit(data, epochs=2, shuffle=False, verbose=0).history["loss"])
    assert losses[0] == losses[1] == losses[2]
    with pytest.raises(ValueError, match="workers"):
        Squares(workers=0)


def test_generator_batches_are_checked_and_misuse_is_refused():
    model = _model()

    def inputs_only():
        while True:
            yield np.ones((4, 2), np.float32)
    with pytest.raises(ValueError, match="inputs only"):
        model.fit(inputs_only(), steps_per_epoch=2, verbose=0)
    with pytest.raises(ValueError, match="y must be None"):
        model.fit(Squares(), np.ones(4), verbose=0)
    with pytest.raises(ValueError, match="yielded no batch"):
        model.fit(iter(()), verbose=0)
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(Squares(), validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        model.fit(np.ones((4, 2)), np.ones(4), steps_per_epoch=0, verbose=0)

    def nan_batches():
        yield np.full((4, 2), np.nan, np.float32), np.ones((4, 1), np.float32)
    with pytest.raises(ValueError, match="NaN"):
        model.fit(nan_batches(), verbose=0)


def test_finite_generator_warns_as_keras_and_replays_its_first_batches():
    model = _model()

    def three():
        for i in range(3):
            yield np.full((2, 2), i, np.float32), np.full((2, 1), i, np.float32)
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model.fit(three(), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_predict_and_evaluate_take_generators_of_inputs():
    model = _model()
    x = np.random.default_rng(0).standard_normal((10, 2)).astype(np.float32)
    batches = (x[i:i + 4] for i in range(0, 10, 4))
    with pytest.warns(UserWarning, match="ran out"):
        np.testing.assert_allclose(model.predict(batches, verbose=0), model.predict(x, verbose=0),
                                   rtol=1e-6)
    y = x[:, :1] * 2
    assert model.evaluate(Squares(), verbose=0) == pytest.approx(
        model.evaluate(np.concatenate([Squares()[i][0] for i in range(6)]),
                       np.concatenate([Squares()[i][1] for i in range(6)]), batch_size=4,
                       verbose=0), rel=1e-6)
    assert np.isfinite(model.evaluate(x, y, steps=1, verbose=0))


def test_pack_unpack_split_normalize_progbar():
    x, y, w = np.ones((5, 2)), np.zeros(5), np.ones(5)
    assert utils.unpack_x_y_sample_weight(utils.pack_x_y_sample_weight(x, y, w))[2] is w
    assert utils.unpack_x_y_sample_weight([x, y]) == (x, y, None)
    assert utils.pack_x_y_sample_weight(x) is x
    with pytest.raises(ValueError, match="4 elements"):
        utils.unpack_x_y_sample_weight((x, y, w, w))
    (xa, ya), (xb, yb) = utils.split_dataset((np.arange(10), np.arange(10) * 2), 0.7,
                                             shuffle=True, seed=5)
    order = list(range(10))
    random.Random(5).shuffle(order)                     # Keras: random.seed(seed); shuffle
    assert xa.tolist() == order[:7] and xb.tolist() == order[7:] and (ya == 2 * xa).all()
    with pytest.raises(ValueError, match="left_size"):
        utils.split_dataset(np.arange(10), 10)
    np.testing.assert_allclose(utils.normalize([[3.0, 4.0], [0.0, 0.0]]), [[0.6, 0.8], [0, 0]])
    assert utils.Progbar is glassnet.callbacks.Progbar
