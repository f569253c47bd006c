"""Issue 11's numbers in `.keras` files, both ways with Keras 3: a model with constraints, a
new loss, counting metrics and a new optimizer with use_ema and gradient accumulation, trained,
saved by one library and loaded by the other: the same predictions, objects and optimizer
state."""
import warnings

import numpy as np
import pytest

import glassnet

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning",
                                        "ignore:__array__ implementation:DeprecationWarning")


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 4)).astype("float32")
    return x, (x[:, :2] > 0).astype("float32")


def _trained(module, optimizer, loss):
    x, y = _data()
    model = module.Sequential([
        module.Input((4,)),
        module.layers.Dense(3, activation="tanh",
                            kernel_constraint=module.constraints.MaxNorm(1.5)),
        module.layers.Dense(2, activation="sigmoid", bias_constraint="non_neg")])
    model.compile(optimizer=optimizer(module), loss=loss(module),
                  metrics=[module.metrics.AUC(), module.metrics.Precision()])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    return model


CASES = [
    (lambda m: m.optimizers.Lion(0.01, use_ema=True, gradient_accumulation_steps=2),
     lambda m: m.losses.BinaryFocalCrossentropy(gamma=3.0)),
    (lambda m: m.optimizers.Adafactor(0.05), lambda m: m.losses.Dice(axis=-1)),
    (lambda m: m.optimizers.Ftrl(0.1, l1_regularization_strength=0.01),
     lambda m: m.losses.Tversky(alpha=0.3, beta=0.7)),
]


@pytest.mark.parametrize("optimizer, loss", CASES, ids=["lion-ema-focal", "adafactor-dice",
                                                        "ftrl-tversky"])
@pytest.mark.parametrize("writer", ["glassnet", "keras"])
def test_new_numbers_round_trip_with_keras(keras, tmp_path, optimizer, loss, writer):
    source_module, target_module = (glassnet, keras) if writer == "glassnet" else \
        (keras, glassnet)
    source = _trained(source_module, optimizer, loss)
    source.save(tmp_path / "m.keras")
    loaded = target_module.models.load_model(tmp_path / "m.keras")
    x, _ = _data()
    np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)),
                               np.asarray(source.predict(x, verbose=0)), atol=1e-6)
    assert type(loaded.optimizer).__name__ == type(source.optimizer).__name__
    assert loaded.optimizer.use_ema == source.optimizer.use_ema
    assert type(loaded.loss).__name__ == type(source.loss).__name__
    assert type(loaded.layers[0].kernel_constraint).__name__ == "MaxNorm"
    assert type(loaded.layers[1].bias_constraint).__name__ == "NonNeg"
    assert len(loaded.optimizer.variables) == len(source.optimizer.variables)
    for mine, theirs in zip(loaded.optimizer.variables, source.optimizer.variables):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(mine),
                                   keras.ops.convert_to_numpy(theirs), rtol=1e-6)
