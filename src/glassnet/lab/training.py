"""What most trials share: the data a config names, the MLP it describes, training it while
recording per-epoch numbers, and the measurements taken on the result.

A config is plain JSON data. The keys used here (each trial function documents its own):
``dataset`` ("digits" or a toy set), ``scale`` (digits' divisor: 16 gives pixels in 0..1,
None keeps the raw 0..16), ``n_samples`` (toy sets), ``depth`` and ``width`` (hidden layers),
``activation``, ``init`` (a kernel initializer as Keras names or serializes it), ``loss``,
``optimizer``, ``learning_rate`` (None: the optimizer's default), ``epochs``, ``batch_size``.
"""
import dataclasses

import numpy as np

from .. import callbacks, datasets, layers, optimizers, utils
from ..models import Sequential



@dataclasses.dataclass
class Data:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    x_valid: np.ndarray = None
    y_valid: np.ndarray = None

    @property
    def classes(self):
        return int(max(self.y_train.max(), self.y_test.max())) + 1

    @property
    def features(self):
        return self.x_train.shape[1]


def load_data(config, seed):
    """The data set of ``config`` split with ``seed``: digits as the notes split it (70/30,
    first 50 training samples for validation); a toy set 70/30 after its own shuffle."""
    name = config.get("dataset", "digits")
    if name == "digits":
        x_valid, x_train, y_valid, y_train, x_test, y_test = datasets.load_digits_split(
            seed=seed, scale=config.get("scale", 16))
        return Data(x_train, y_train, x_test, y_test, x_valid, y_valid)
    x, y = datasets.load_toy(name, n_samples=config.get("n_samples", 400), seed=seed)
    cut = int(round(0.7 * len(x)))
    return Data(x[:cut], y[:cut], x[cut:], y[cut:])


def hidden_widths(config):
    if "hidden" in config:
        return list(config["hidden"])
    return [config.get("width", 64)] * config.get("depth", 2)


def build_mlp(config, data):
    """Input, ``depth`` hidden Dense layers of ``width`` units with ``activation`` and the
    kernel initializer ``init``, and a softmax output of one unit per class."""
    init = config.get("init", "glorot_uniform")
    model = Sequential([layers.Input(shape=(data.features,))])
    for width in hidden_widths(config):
        model.add(layers.Dense(width, activation=config.get("activation", "relu"),
                               kernel_initializer=_initializer(init)))
    model.add(layers.Dense(data.classes, activation="softmax",
                           kernel_initializer=_initializer(config.get("output_init", init))))
    return model


def _initializer(identifier):
    # A config dict is deserialized afresh for every layer, so each layer draws its own kernel.
    from .. import initializers
    return initializers.get(dict(identifier) if isinstance(identifier, dict) else identifier)


def compile_mlp(model, config):
    name = config.get("optimizer", "sgd")
    options = {} if config.get("learning_rate") is None else \
        {"learning_rate": config["learning_rate"]}
    optimizer = optimizers.deserialize({"class_name": name, "config": options})
    model.compile(optimizer=optimizer,
                  loss=config.get("loss", "sparse_categorical_crossentropy"))
    return model


def labels_for(config, y, classes):
    """Integer labels for a sparse loss (sparse_categorical_crossentropy), one-hot rows for
    every other loss: those compare the whole softmax output with a target vector (mse, mae,
    categorical_crossentropy, kl_divergence, categorical_hinge, ...)."""
    if "sparse" in str(config.get("loss", "sparse_categorical_crossentropy")).lower():
        return y
    return utils.to_categorical(y, classes)


class EpochRecorder(callbacks.Callback):
    """After every epoch: the test loss and test accuracy (argmax), whatever the loss."""

    def __init__(self, x, y, y_for_loss):
        super().__init__()
        self.x, self.y, self.y_for_loss = x, y, y_for_loss
        self.test_loss, self.test_accuracy = [], []

    def on_epoch_end(self, epoch, logs=None):
        loss, accuracy = measure(self.model, self.x, self.y, self.y_for_loss)
        self.test_loss.append(loss)
        self.test_accuracy.append(accuracy)


def measure(model, x, y, y_for_loss):
    """(loss, accuracy) of ``model`` on (x, y); NaN outputs give NaN loss."""
    with np.errstate(all="ignore"):
        probabilities = model.predict(x, verbose=0)
        loss = float(model.loss(y_for_loss, probabilities))
    accuracy = float(np.mean(np.argmax(probabilities, axis=1) == y))
    return loss, accuracy


def train(config, seed, extra_callbacks=()):
    """Build, compile and fit the MLP of ``config`` on its data; returns (model, data,
    history, recorder). The seed is already set by the runner; data splits use it too."""
    data = load_data(config, seed)
    model = compile_mlp(build_mlp(config, data), config)
    y_train = labels_for(config, data.y_train, data.classes)
    y_test = labels_for(config, data.y_test, data.classes)
    recorder = EpochRecorder(data.x_test, data.y_test, y_test)
    history = model.fit(data.x_train, y_train, batch_size=config.get("batch_size", 32),
                        epochs=config.get("epochs", 20), verbose=0,
                        callbacks=[recorder, *extra_callbacks])
    return model, data, history, recorder


def curves(history, recorder):
    """The per-epoch numbers every training trial reports."""
    return {"loss": history.history.get("loss", []), "test_loss": recorder.test_loss,
            "test_accuracy": recorder.test_accuracy}


def final_metrics(history, recorder):
    loss = history.history.get("loss", [float("nan")])
    return {"train_loss": loss[-1], "test_loss": recorder.test_loss[-1],
            "test_accuracy": recorder.test_accuracy[-1],
            "diverged": int(not np.all(np.isfinite(loss)))}


def first_epoch_reaching(values, level):
    """The first epoch (1-based) whose value reaches ``level``, or None."""
    for epoch, value in enumerate(values, start=1):
        if value is not None and value >= level:
            return epoch
    return None


def kernel_norms(model):
    return [float(np.linalg.norm(layer.kernel)) for layer in model.layers
            if hasattr(layer, "kernel")]


def gradient_norms(model, x, y):
    """The norm of each Dense layer's kernel gradient on (x, y), from
    ``glassnet.inspect.gradients`` (the weights do not change)."""
    from ..insight import inspect
    with np.errstate(all="ignore"):
        gradients = inspect.gradients(model, x, y)
    return [float(np.linalg.norm(g["kernel"])) for g in gradients if g.get("kernel") is not None]


def findings(history):
    """What ``glassnet.diagnose`` finds in a history recorded with a ``Probe``: a list of
    ``{"code", "severity", "layer"}``, in the order diagnose gives them."""
    from ..insight.diagnosis import diagnose
    return [{"code": f.code, "severity": f.severity,
             "layer": f.layer if isinstance(f.layer, (int, type(None))) else str(f.layer)}
            for f in diagnose(history)]


def probe(every=1):
    return callbacks.Probe(every=every)


def identical_unit_groups(kernel, tolerance=1e-6):
    """How many distinct units a layer has: columns of ``kernel`` equal to ``tolerance``
    (relative to the largest weight) form one group."""
    scale = float(np.max(np.abs(kernel))) or 1.0
    columns = np.round(kernel.T / (scale * tolerance)).astype(np.int64)
    return int(len(np.unique(columns, axis=0)))
