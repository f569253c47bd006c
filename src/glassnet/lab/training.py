"""What most trials share: the data a config names, the MLP it describes, training it while
recording per-epoch numbers, and the measurements taken on the result.

A config is plain JSON data. The keys used here (each trial function documents its own):
``dataset`` ("digits" or a toy set), ``scale`` (digits' divisor: 16 gives pixels in 0..1,
None keeps the raw 0..16), ``n_samples`` (toy sets), ``depth`` and ``width`` (hidden layers),
``activation``, ``init`` (a kernel initializer as Keras names or serializes it), ``loss``,
``optimizer``, ``learning_rate`` (None: the optimizer's default), ``epochs``, ``batch_size``,
``clipnorm`` (the optimizer's gradient clipping).

``learning_rate_grid`` (a list of rates) gives the arm its own rate: the net is trained once
per rate from the same initial weights, and the rate whose net scores best on the validation
split (accuracy, then loss) is kept; the test set plays no part in the choice. ``patience``
trains until the validation loss has not improved for that many epochs (at most ``epochs``)
and keeps the best epoch's weights (Keras's EarlyStopping with restore_best_weights).
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
    first 50 training samples for validation); a toy set 70/30 after its own shuffle, and
    when the config chooses a rate or stops early, the last fifth of its training part held
    out for validation."""
    name = config.get("dataset", "digits")
    if name == "digits":
        x_valid, x_train, y_valid, y_train, x_test, y_test = datasets.load_digits_split(
            seed=seed, scale=config.get("scale", 16))
        return Data(x_train, y_train, x_test, y_test, x_valid, y_valid)
    x, y = datasets.load_toy(name, n_samples=config.get("n_samples", 400), seed=seed)
    cut = int(round(0.7 * len(x)))
    if "learning_rate_grid" not in config and "patience" not in config:
        return Data(x[:cut], y[:cut], x[cut:], y[cut:])
    held = int(round(0.8 * cut))
    return Data(x[:held], y[:held], x[cut:], y[cut:], x[held:cut], y[held:cut])


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
    if config.get("clipnorm") is not None:
        options["clipnorm"] = config["clipnorm"]
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
    """After every epoch: the test loss and test accuracy (argmax), whatever the loss, and
    with ``train`` given the same on the training data (the train curve beside the test one)."""

    def __init__(self, x, y, y_for_loss, train=None):
        super().__init__()
        self.x, self.y, self.y_for_loss = x, y, y_for_loss
        self.train = train
        self.test_loss, self.test_accuracy, self.train_accuracy = [], [], []

    def on_epoch_end(self, epoch, logs=None):
        loss, accuracy = measure(self.model, self.x, self.y, self.y_for_loss)
        self.test_loss.append(loss)
        self.test_accuracy.append(accuracy)
        if self.train is not None:
            self.train_accuracy.append(measure(self.model, *self.train)[1])


def measure(model, x, y, y_for_loss):
    """(loss, accuracy) of ``model`` on (x, y); NaN outputs give NaN loss."""
    with np.errstate(all="ignore"):
        probabilities = model.predict(x, verbose=0)
        loss = float(model.loss(y_for_loss, probabilities))
    accuracy = float(np.mean(np.argmax(probabilities, axis=1) == y))
    return loss, accuracy


@dataclasses.dataclass
class Trained:
    """One trained net: what ``train`` returns (it unpacks as model, data, history, recorder)."""
    model: object
    data: Data
    history: object
    recorder: EpochRecorder
    initial_weights: list = None
    rate_search: dict = None        # rates tried and their validation scores, or None
    learning_rate: float = None     # the rate used (the chosen one when searched)

    def __iter__(self):
        return iter((self.model, self.data, self.history, self.recorder))


def train(config, seed, extra_callbacks=()):
    """Build, compile and fit the MLP of ``config`` on its data (see the module docstring for
    ``learning_rate_grid`` and ``patience``); returns a ``Trained``. ``extra_callbacks`` is a
    list, or a function that makes a fresh list (needed with a rate grid: one net per rate).
    The seed is already set by the runner; data splits use it too."""
    data = load_data(config, seed)
    grid = config.get("learning_rate_grid")
    if not grid:
        return _fit(config, seed, data, extra_callbacks)
    tried = []
    for rate in grid:
        utils.set_random_seed(seed)             # every rate starts from the same weights
        tried.append(_fit({**config, "learning_rate": rate}, seed, data, extra_callbacks))
    scores = [validation_score(t, config) for t in tried]
    best = max(range(len(grid)), key=lambda i: scores[i])
    chosen = tried[best]
    chosen.rate_search = {"rates": list(grid),
                          "val_accuracy": [score[0] for score in scores],
                          "val_loss": [-score[1] if np.isfinite(score[1]) else None
                                       for score in scores],
                          "test_accuracy": [measure(t.model, data.x_test, data.y_test,
                                                    t.recorder.y_for_loss)[1] for t in tried],
                          "chosen": grid[best]}
    return chosen


def validation_score(trained, config):
    """(accuracy, -loss) on the validation split: the larger the better; NaN counts as worst."""
    data = trained.data
    loss, accuracy = measure(trained.model, data.x_valid, data.y_valid,
                             labels_for(config, data.y_valid, data.classes))
    return (accuracy, -loss if np.isfinite(loss) else -np.inf)


def _fit(config, seed, data, extra_callbacks):
    model = compile_mlp(build_mlp(config, data), config)
    initial = model.get_weights()
    y_train = labels_for(config, data.y_train, data.classes)
    y_test = labels_for(config, data.y_test, data.classes)
    recorder = EpochRecorder(data.x_test, data.y_test, y_test,
                             train=(data.x_train, data.y_train, y_train))
    extra = list(extra_callbacks() if callable(extra_callbacks) else extra_callbacks)
    options = {}
    if config.get("patience"):
        y_valid = labels_for(config, data.y_valid, data.classes)
        options["validation_data"] = (data.x_valid, y_valid)
        extra.append(callbacks.EarlyStopping(monitor="val_loss", patience=config["patience"],
                                             restore_best_weights=True))
    history = model.fit(data.x_train, y_train, batch_size=config.get("batch_size", 32),
                        epochs=config.get("epochs", 20), verbose=0,
                        callbacks=[recorder, *extra], **options)
    return Trained(model, data, history, recorder, initial,
                   learning_rate=effective_learning_rate(model))


def effective_learning_rate(model):
    """The learning rate the optimizer used (its default when the config gave None)."""
    rate = getattr(model.optimizer, "learning_rate", None)
    try:
        return float(rate)
    except (TypeError, ValueError):
        return None


def curves(history, recorder):
    """The per-epoch numbers every training trial reports."""
    out = {"loss": history.history.get("loss", []), "test_loss": recorder.test_loss,
           "test_accuracy": recorder.test_accuracy}
    if recorder.train_accuracy:
        out["train_accuracy"] = recorder.train_accuracy
    if "val_loss" in history.history:
        out["val_loss"] = history.history["val_loss"]
    return out


def final_metrics(history, recorder):
    loss = history.history.get("loss", [float("nan")])
    return {"train_loss": loss[-1], "test_loss": recorder.test_loss[-1],
            "test_accuracy": recorder.test_accuracy[-1],
            "diverged": int(not np.all(np.isfinite(loss)))}


def trained_metrics(trained):
    """``final_metrics`` measured on the weights kept (with early stopping the best epoch's,
    not the last one's), the epochs run and the learning rate used (chosen, with a grid)."""
    metrics = final_metrics(trained.history, trained.recorder)
    metrics["epochs_run"] = len(trained.history.history.get("loss", []))
    metrics["test_loss"], metrics["test_accuracy"] = measure(
        trained.model, trained.data.x_test, trained.data.y_test, trained.recorder.y_for_loss)
    metrics["learning_rate"] = trained.learning_rate
    return metrics


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
    ``{"code", "severity", "layer"}`` (with ``start_step`` and ``end_step`` for a finding
    that ended), in the order diagnose gives them."""
    from ..insight.diagnosis import diagnose
    return [{"code": f.code, "severity": f.severity,
             "layer": f.layer if isinstance(f.layer, (int, type(None))) else str(f.layer),
             **{key: f.evidence[key] for key in ("start_step", "end_step")
                if key in f.evidence}}
            for f in diagnose(history)]


def probe(every=1):
    return callbacks.Probe(every=every)


def identical_unit_groups(kernel, tolerance=1e-6):
    """How many distinct units a layer has: columns of ``kernel`` equal to ``tolerance``
    (relative to the largest weight) form one group."""
    scale = float(np.max(np.abs(kernel))) or 1.0
    columns = np.round(kernel.T / (scale * tolerance)).astype(np.int64)
    return int(len(np.unique(columns, axis=0)))
