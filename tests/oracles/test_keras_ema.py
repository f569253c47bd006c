"""Keras 3 (torch backend) as the oracle of SwapEMAWeights with the optimizers' use_ema: the
same History (validation on the averages) and the same final weights, with and without
swap_on_epoch; evaluate inside and outside the callback."""
import numpy as np
import pytest

import glassnet
from tests.oracles.shared import assert_close

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def _pair(keras):
    def build(lib):
        return lib.Sequential([lib.Input(shape=(3,)), lib.layers.Dense(4, activation="tanh"),
                               lib.layers.Dense(1)])
    theirs, ours = build(keras), build(glassnet)
    start = [(np.random.default_rng(1).standard_normal(w.shape) * 0.5).astype(np.float32)
             for w in theirs.get_weights()]
    theirs.set_weights(start)
    ours.set_weights(start)
    options = dict(learning_rate=0.1, use_ema=True, ema_momentum=0.8)
    theirs.compile(keras.optimizers.SGD(**options), "mse")
    ours.compile(glassnet.optimizers.SGD(**options), "mse")
    return theirs, ours


@pytest.mark.parametrize("swap_on_epoch", [False, True])
def test_swap_ema_weights_matches_keras(keras, swap_on_epoch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((48, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-1.0], [0.5]], np.float32)).astype(np.float32)
    theirs, ours = _pair(keras)
    options = dict(epochs=4, batch_size=8, shuffle=False, verbose=0,
                   validation_data=(x[:16], y[:16]))
    want = theirs.fit(x, y, callbacks=[keras.callbacks.SwapEMAWeights(swap_on_epoch)],
                      **options)
    got = ours.fit(x, y, callbacks=[glassnet.callbacks.SwapEMAWeights(swap_on_epoch)],
                   **options)
    for key in want.history:
        np.testing.assert_allclose(got.history[key], want.history[key], rtol=2e-5,
                                   err_msg=key)
    assert_close(theirs.get_weights(), ours.get_weights(), "final weights", 2e-5)
    want_eval = theirs.evaluate(x, y, verbose=0,
                                callbacks=[keras.callbacks.SwapEMAWeights()])
    got_eval = ours.evaluate(x, y, verbose=0, callbacks=[glassnet.callbacks.SwapEMAWeights()])
    assert got_eval == pytest.approx(want_eval, rel=2e-5)
    assert_close(theirs.get_weights(), ours.get_weights(), "after evaluate", 2e-5)


def test_swap_ema_weights_needs_use_ema():
    model = glassnet.Sequential([glassnet.Input(shape=(2,)), glassnet.layers.Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="use_ema=True"):
        model.fit(np.ones((4, 2)), np.ones(4), verbose=0,
                  callbacks=[glassnet.callbacks.SwapEMAWeights()])
