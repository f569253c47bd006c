"""The same small trainings on two backends, for comparing them: every layer, every loss, every
optimizer, and every activation, each in a small model whose gradients and first five training
steps are recorded as NumPy arrays.

``run(case, backend)`` builds the case's model on ``backend`` (seeded: the same initial weights
on any backend, as the initializers draw on the host), takes the gradients at the initial
weights (``glassnet.inspect.gradients``) and five ``train_on_batch`` steps, and returns
``{"gradients": [...], "losses": [...], "weights": [...]}``. ``tests/test_standin.py`` demands
these equal bit for bit between NumPy and the CPU stand-in (which computes with NumPy);
``tests/test_gpu.py`` demands them within 1e-5 (float32) or 1e-10 (float64) on CuPy.
"""
import numpy as np

import glassnet as keras
from glassnet import config

FEATURES, CLASSES, SAMPLES = 6, 3, 16

# Layers in a model Dense(8) -> layer -> Dense(3, softmax), trained with sparse cross-entropy:
# (class name in glassnet.layers, its arguments). Every layer glassnet has takes part.
LAYERS = {
    "Dense(tanh)": ("Dense", {"units": 8, "activation": "tanh"}),
    "Activation(relu)": ("Activation", {"activation": "relu"}),
    "Dropout": ("Dropout", {"rate": 0.3, "seed": 1}),
    "BatchNormalization": ("BatchNormalization", {}),
    "GaussianNoise": ("GaussianNoise", {"stddev": 0.1, "seed": 2}),
    "Flatten": ("Flatten", {}),
    "Reshape": ("Reshape", {"target_shape": (4, 2)}),
    "ReLU": ("ReLU", {"negative_slope": 0.1, "max_value": 3.0}),
    "LeakyReLU": ("LeakyReLU", {"negative_slope": 0.2}),
    "ELU": ("ELU", {}),
    "Softmax": ("Softmax", {}),
    "Identity": ("Identity", {}),
    "PReLU": ("PReLU", {}),
    "LayerNormalization": ("LayerNormalization", {}),
    "RMSNormalization": ("RMSNormalization", {}),
    "UnitNormalization": ("UnitNormalization", {}),
    "GaussianDropout": ("GaussianDropout", {"rate": 0.2, "seed": 3}),
    "AlphaDropout": ("AlphaDropout", {"rate": 0.2, "seed": 4}),
    "ActivityRegularization": ("ActivityRegularization", {"l1": 0.01, "l2": 0.01}),
    "Normalization": ("Normalization", {"mean": 0.5, "variance": 2.0}),
}
LAYERS = {name: spec for name, spec in LAYERS.items() if hasattr(keras.layers, spec[0])}

# Losses with the labels they read: "labels" (class indices), "onehot", "binary" (one 0/1 per
# output, sigmoid outputs), "real" (regression targets, linear outputs), "positive".
LOSSES = {
    "sparse_categorical_crossentropy": "labels", "categorical_crossentropy": "onehot",
    "binary_crossentropy": "binary", "mean_squared_error": "real",
    "mean_absolute_error": "real", "mean_absolute_percentage_error": "real",
    "mean_squared_logarithmic_error": "positive", "huber": "real", "log_cosh": "real",
    "kl_divergence": "onehot", "poisson": "positive", "hinge": "binary",
    "squared_hinge": "binary", "categorical_hinge": "onehot", "cosine_similarity": "real",
    "binary_focal_crossentropy": "binary", "categorical_focal_crossentropy": "onehot",
    "dice": "binary", "tversky": "binary", "circle": "labels",
    "categorical_generalized_cross_entropy": "labels",
}

# The layer, loss and activation cases train with plain SGD. The Adam family divides by the
# root of the squared gradients, so a gradient that is 0 in exact arithmetic (a bias before
# BatchNormalization) and 1e-9 of rounding noise on one backend steps by a sizeable share of
# the learning rate there: its epsilon is raised to 1e-3 so that the comparison measures the
# backends, not that amplification.
OPTIMIZERS = {
    "sgd": lambda: keras.optimizers.SGD(0.05),
    "sgd_nesterov": lambda: keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    "adagrad": lambda: keras.optimizers.Adagrad(0.05),
    "rmsprop": lambda: keras.optimizers.RMSprop(0.01),
    "rmsprop_centered": lambda: keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    "adam": lambda: keras.optimizers.Adam(0.01, epsilon=1e-3),
    "adam_amsgrad": lambda: keras.optimizers.Adam(0.01, epsilon=1e-3, amsgrad=True),
    "adamw": lambda: keras.optimizers.AdamW(0.01, epsilon=1e-3),
    "adamax": lambda: keras.optimizers.Adamax(0.01, epsilon=1e-3),
    "nadam": lambda: keras.optimizers.Nadam(0.01, epsilon=1e-3),
    "adam_clipnorm": lambda: keras.optimizers.Adam(0.01, epsilon=1e-3, clipnorm=0.1),
    "sgd_global_clipnorm": lambda: keras.optimizers.SGD(0.05, global_clipnorm=0.1),
    "rmsprop_clipvalue": lambda: keras.optimizers.RMSprop(0.01, clipvalue=0.01),
}

# glu halves the width; threshold needs its threshold and default value as arguments
ACTIVATIONS = sorted(n for n in keras.activations.registry.names() if n not in ("glu", "threshold"))


def cases():
    """Every case as (id, kwargs for ``run``)."""
    found = [(f"layer:{name}", {"layer": name}) for name in LAYERS]
    found += [(f"loss:{name}", {"loss": name}) for name in LOSSES]
    found += [(f"optimizer:{name}", {"optimizer": name}) for name in OPTIMIZERS]
    found += [(f"activation:{name}", {"activation": name}) for name in ACTIVATIONS]
    return found


def data(kind, dtype):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((SAMPLES, FEATURES)).astype(dtype)
    labels = rng.integers(0, CLASSES, SAMPLES)
    y = {"labels": labels,
         "onehot": np.eye(CLASSES, dtype=dtype)[labels],
         "binary": rng.integers(0, 2, (SAMPLES, CLASSES)).astype(dtype),
         "real": rng.standard_normal((SAMPLES, CLASSES)).astype(dtype),
         "positive": rng.random((SAMPLES, CLASSES)).astype(dtype) + 0.5}[kind]
    return x, y


def model_for(layer=None, loss=None, optimizer=None, activation=None):
    """The case's compiled model and the kind of labels it reads."""
    loss = loss or "sparse_categorical_crossentropy"
    kind = LOSSES[loss]
    last = {"labels": "softmax", "onehot": "softmax", "binary": "sigmoid",
            "positive": "softplus"}.get(kind, "linear")
    if loss in ("circle", "cosine_similarity"):
        last = "linear"
    middle = [getattr(keras.layers, LAYERS[layer][0])(**LAYERS[layer][1])] if layer else []
    model = keras.Sequential(
        [keras.Input(shape=(FEATURES,)), keras.layers.Dense(8, activation=activation or "relu")]
        + middle + [keras.layers.Flatten(), keras.layers.Dense(CLASSES, activation=last)])
    model.compile(optimizer=OPTIMIZERS[optimizer or "sgd"](), loss=loss)
    return model, kind


def run(backend, dtype="float32", steps=5, **case):
    """Gradients at the seeded initial weights, then ``steps`` training steps, on ``backend``."""
    saved = config.backend(), config.floatx()
    config.set_backend(backend)
    config.set_floatx(dtype)
    try:
        keras.utils.set_random_seed(3)
        model, kind = model_for(**case)
        x, y = data(kind, dtype)
        gradients = [g for layer in keras.inspect.gradients(model, x, y) for g in layer.values()]
        losses = [float(model.train_on_batch(x, y)) for _ in range(steps)]
        return {"gradients": gradients, "losses": losses, "weights": model.get_weights(),
                "predictions": model.predict(x, verbose=0)}
    finally:
        config.set_backend(saved[0])
        config.set_floatx(saved[1])
