"""The lab's catalogue: each lesson of the chapter as data plus one small trial function.

An ``Experiment`` is an id, the question the notes ask, their section, what the report shows,
a grid of settings (``configs``) and ``trial(config, seed) -> result``. A result is JSON data:
``metrics`` (final numbers, identical wherever the trial runs), ``series`` (per-epoch curves)
and any other measurements; ``arrays`` (pictures' raw data) stay in the trial files only.
The runner sets the seed and one BLAS thread before calling a trial; ``--quick`` shrinks
every size in ``QUICK`` so that the whole catalogue runs in seconds. ``glassnet lab list``
and the report print the catalogue as a table: id, question, section, what the report shows.
"""
import dataclasses
import itertools
from typing import Callable

import numpy as np

from . import training
from .. import callbacks, layers, losses, utils
from ..models import Sequential

# Sizes that --quick (and the tests) shrink: same code paths, seconds instead of minutes.
QUICK = {"epochs": 2, "iterations": 12, "n_samples": 60, "samples": 64}


@dataclasses.dataclass(frozen=True)
class Experiment:
    id: str
    section: dict            # the notes' section, {"en": ..., "ko": ...}
    question: dict
    shows: dict              # what the report shows
    grid: tuple              # the settings, one dict per config
    trial: Callable

    def configs(self, quick=False):
        if not quick:
            return [dict(config) for config in self.grid]
        return [{k: QUICK.get(k, v) for k, v in config.items()} for config in self.grid]


def grid(base=None, **axes):
    """Every combination of ``axes`` (the first axis varies slowest), each merged into ``base``."""
    names = list(axes)
    return tuple({**(base or {}), **dict(zip(names, values))}
                 for values in itertools.product(*(axes[n] for n in names)))


def random_normal(stddev):
    return {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": stddev}}


def fan_in_normal(scale):
    """Deep Learning from Scratch's 'Xavier' (scale 1) and 'He' (scale 2): N(0, scale / fan_in)."""
    return {"class_name": "VarianceScaling",
            "config": {"scale": scale, "mode": "fan_in", "distribution": "untruncated_normal"}}


def init_label(init):
    """A short readable name of an initializer setting."""
    if isinstance(init, str):
        return init
    options = init.get("config", {})
    if init["class_name"] == "RandomNormal":
        return f"RandomNormal({options.get('stddev')})"
    if init["class_name"] == "VarianceScaling":
        return f"N(0, {options.get('scale'):g}/fan_in)"
    if init["class_name"] == "Constant":
        return f"Constant({options.get('value')})"
    return init["class_name"]


# -- instruments (glassnet.inspect, glassnet.diagnose, callbacks.Probe) -----------------------
def instruments_ready():
    """True when the seeing-inside instruments are installed (they arrive with issue 3)."""
    try:
        from .. import callbacks
        from ..insight import diagnosis, inspect
        return (hasattr(callbacks, "Probe") and hasattr(inspect, "activations")
                and hasattr(diagnosis, "diagnose"))
    except ImportError:
        return False


def _probe_callbacks():
    return [training.probe()] if instruments_ready() else []


def _findings(history):
    return training.findings(history) if instruments_ready() else None


def _layer_outputs(model, x):
    from ..insight import inspect
    return [np.asarray(a) for a in inspect.activations(model, x)]


DERIVATIVE_FROM_OUTPUT = {           # f'(z) written from y = f(z), as the engine does
    "sigmoid": lambda y: y * (1.0 - y),
    "tanh": lambda y: 1.0 - y * y,
    "relu": lambda y: (y > 0).astype(y.dtype),
}


# -- §1 depth ---------------------------------------------------------------------------------
def depth_trial(config, seed):
    """Train the MLP (its own rate from a grid, early stopping on validation); measure test
    accuracy, the first layer's kernels before and after training (8x8 pictures), which
    pixels vary in the training data, and per-layer activation statistics on the test set."""
    trained = training.train(config, seed)
    model, data = trained.model, trained.data
    result = {"metrics": {**training.trained_metrics(trained), "params": model.count_params()},
              "series": training.curves(trained.history, trained.recorder),
              "rate_search": trained.rate_search,
              "arrays": {"first_layer_kernels": model.layers[0].kernel[:, :16].T,
                         "first_layer_initial": trained.initial_weights[0][:, :16].T,
                         "pixel_std": data.x_train.std(axis=0)}}
    kernel, initial = model.layers[0].kernel, trained.initial_weights[0]
    varies = data.x_train.std(axis=0) > 0
    result["metrics"]["first_layer_moved"] = float(
        np.linalg.norm((kernel - initial)[varies]) / np.linalg.norm(initial[varies]))
    if instruments_ready():
        outputs = _layer_outputs(model, data.x_test)[:-1]
        result["layers"] = [{"mean": float(a.mean()), "std": float(a.std()),
                             "active_share": float(np.mean(a > 0)),
                             "dead_units": int(np.sum(np.all(a <= 0, axis=0)))}
                            for a in outputs]
    return result


# -- §2 vanishing gradients -------------------------------------------------------------------
class GradientRecorder(callbacks.Callback):
    """The kernel-gradient norm of every layer on a fixed batch, after every epoch."""

    def __init__(self, x, y):
        super().__init__()
        self.x, self.y = x, y
        self.norms = []

    def on_epoch_end(self, epoch, logs=None):
        self.norms.append(training.gradient_norms(self.model, self.x, self.y))


def vanishing_trial(config, seed):
    """Per-layer gradient norms through training, and the chain rule at the start: the mean
    activation derivative f'(z) of each hidden layer and their product from the output back."""
    data = training.load_data(config, seed)
    model = training.compile_mlp(training.build_mlp(config, data), config)
    batch = slice(0, config["samples"])
    x_batch, y_batch = data.x_train[batch], data.y_train[batch]
    result = {}
    extra = _probe_callbacks()
    if instruments_ready():
        derivative = DERIVATIVE_FROM_OUTPUT[config["activation"]]
        means = [float(derivative(a).mean()) for a in _layer_outputs(model, x_batch)[:-1]]
        products = list(np.cumprod(means[::-1])[::-1])   # layer l: product of f' from l to top
        result["chain"] = {"mean_derivative": means, "product_to_output": products}
        recorder = GradientRecorder(x_batch, y_batch)
        recorder.norms.append(training.gradient_norms(model, x_batch, y_batch))
        extra.append(recorder)
    history = model.fit(data.x_train, data.y_train, batch_size=config["batch_size"],
                        epochs=config["epochs"], verbose=0, callbacks=extra)
    _, accuracy = training.measure(model, data.x_test, data.y_test, data.y_test)
    metrics = {"test_accuracy": accuracy, "train_loss": history.history["loss"][-1]}
    if instruments_ready():
        norms = np.array(recorder.norms)                  # (epochs + 1, layers)
        metrics["first_to_last_gradient_start"] = float(norms[0, 0] / norms[0, -1])
        metrics["first_to_last_gradient_end"] = float(norms[-1, 0] / norms[-1, -1])
        result["series"] = {"gradient_norms": norms, "loss": history.history["loss"]}
        result["findings"] = _findings(history)
    return {"metrics": metrics, **result}


# -- §2 activations ---------------------------------------------------------------------------
def activations_trial(config, seed):
    """Train one activation on one data set; for a 2-D set also the predicted probability of
    class 1 on a 60x60 grid (the decision-boundary picture) and the points themselves."""
    trained = training.train(config, seed)
    model, data, history, recorder = trained
    result = {"metrics": training.trained_metrics(trained),
              "series": training.curves(history, recorder), "rate_search": trained.rate_search}
    _, result["metrics"]["train_accuracy"] = training.measure(
        model, data.x_train, data.y_train, training.labels_for(config, data.y_train, data.classes))
    if data.features == 2:
        x_all = np.concatenate([data.x_train, data.x_test])
        low, high = x_all.min(axis=0) - 0.3, x_all.max(axis=0) + 0.3
        axes = [np.linspace(low[i], high[i], 60) for i in range(2)]
        grid_x, grid_y = np.meshgrid(*axes)
        points = np.stack([grid_x.ravel(), grid_y.ravel()], 1).astype("float32")
        with np.errstate(all="ignore"):
            probability = model.predict(points, verbose=0)[:, 1].reshape(60, 60)
        result["arrays"] = {"boundary": np.round(probability, 3),
                            "extent": [low[0], high[0], low[1], high[1]],
                            "x_train": data.x_train, "y_train": data.y_train}
    return result


# -- §3 softmax and the cross-entropy table ---------------------------------------------------
SOFTMAX_INPUTS = [[2.0, 1.0, 0.1], [2.0, 1.9, 0.1], [5.0, 1.0, 0.1]]
# The worked table (the notes' own table is an image): one-hot targets and predicted
# distributions over three classes for four samples.
CE_TARGETS = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]]
CE_PREDICTIONS = [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.4, 0.3], [0.9, 0.05, 0.05]]


def softmax_trial(config, seed):
    """Max vs softmax on a few inputs; per-sample cross-entropy of the worked table by
    glassnet's loss and by the formula -sum p log q; cross-entropy and MSE against the
    probability given to the right class."""
    from .. import activations
    z = np.array(SOFTMAX_INPUTS, dtype="float64")
    hard_max = (z == z.max(axis=1, keepdims=True)).astype("float64")
    soft = activations.softmax(z)
    p, q = np.array(CE_TARGETS, "float64"), np.array(CE_PREDICTIONS, "float64")
    per_sample = losses.categorical_crossentropy(p, q)
    by_formula = -(p * np.log(q)).sum(axis=1)
    right = np.linspace(0.02, 1.0, 50)
    curve_q = np.stack([right, (1 - right) / 2, (1 - right) / 2], 1)
    curve_p = np.tile([1.0, 0.0, 0.0], (len(right), 1))
    # dL/dz of the right class's logit through the softmax: cross-entropy gives q - y (its
    # Jacobian cancels); MSE (mean over K outputs) gives q_j (g_j - sum_i g_i q_i), g = 2(q - y)/K.
    mse_grad = 2 * (curve_q - curve_p) / curve_q.shape[1]
    mse_logit = curve_q[:, 0] * (mse_grad[:, 0] - (mse_grad * curve_q).sum(axis=1))
    return {"metrics": {"worst_sample": int(np.argmax(per_sample)) + 1,
                        "worst_loss": float(per_sample.max()),
                        "mean_loss": float(per_sample.mean()),
                        "formula_difference": float(np.abs(per_sample - by_formula).max()),
                        "perfect_match_loss": float(losses.categorical_crossentropy(p, p).max())},
            "softmax": {"inputs": z, "max": hard_max, "softmax": soft},
            "table": {"targets": p, "predictions": q, "loss": per_sample},
            "series": {"right_probability": right,
                       "cross_entropy": losses.categorical_crossentropy(curve_p, curve_q),
                       "mse": losses.mean_squared_error(curve_p, curve_q),
                       "cross_entropy_logit_gradient": curve_q[:, 0] - 1.0,
                       "mse_logit_gradient": mse_logit}}


# -- §3 losses --------------------------------------------------------------------------------
def keras_examples():
    """Keras's documented loss examples, computed by glassnet and by the formula."""
    cce_true = np.array([[0, 1, 0], [0, 0, 1]], "float64")
    cce_pred = np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]], "float64")
    clipped = np.clip(cce_pred, 1e-7, 1 - 1e-7)
    examples = [
        ("CategoricalCrossentropy", losses.get("CategoricalCrossentropy")(cce_true, cce_pred),
         float(np.mean(-(cce_true * np.log(clipped / clipped.sum(1, keepdims=True))).sum(1)))),
        ("SparseCategoricalCrossentropy",
         losses.get("SparseCategoricalCrossentropy")(np.array([1, 2]), cce_pred), None)]
    if losses.registry.has("BinaryCrossentropy"):
        bce_true = np.array([[0.0, 1.0], [0.0, 0.0]])
        bce_pred = np.array([[0.6, 0.4], [0.4, 0.6]])
        formula = -(bce_true * np.log(bce_pred) + (1 - bce_true) * np.log(1 - bce_pred))
        logits_true = np.array([0.0, 1.0, 0.0, 0.0])
        logits = np.array([-18.6, 0.51, 2.94, -12.8])
        logit_formula = np.maximum(logits, 0) - logits * logits_true \
            + np.log1p(np.exp(-np.abs(logits)))
        examples += [
            ("BinaryCrossentropy", losses.get("BinaryCrossentropy")(bce_true, bce_pred),
             float(formula.mean())),
            ("BinaryCrossentropy(from_logits=True)",
             losses.deserialize({"class_name": "BinaryCrossentropy",
                                 "config": {"from_logits": True}})(logits_true, logits),
             float(logit_formula.mean()))]
    # dog 0, cat 1, tiger 2: integer labels and their one-hot rows give the same loss.
    animals = np.array([0, 1, 2, 1])
    animal_pred = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.3, 0.3, 0.4], [0.5, 0.4, 0.1]])
    sparse = losses.get("SparseCategoricalCrossentropy")(animals, animal_pred)
    one_hot = losses.get("CategoricalCrossentropy")(utils.to_categorical(animals, 3), animal_pred)
    return {"examples": [{"loss": name, "glassnet": float(value),
                          "formula": None if formula is None else float(formula)}
                         for name, value, formula in examples],
            "animals": {"labels": animals, "predictions": animal_pred,
                        "sparse": float(sparse), "categorical": float(one_hot)}}


def losses_trial(config, seed):
    """Training with MSE or cross-entropy (one-hot targets, softmax output); or, for the
    ``worked`` part, Keras's documented examples and the sparse/one-hot equality."""
    if config["part"] == "worked":
        worked = keras_examples()
        gaps = [abs(e["glassnet"] - e["formula"]) for e in worked["examples"]
                if e["formula"] is not None]
        animals = worked["animals"]
        return {"metrics": {"largest_formula_gap": max(gaps),
                            "sparse_minus_categorical": animals["sparse"] - animals["categorical"]},
                **worked}
    trained = training.train(config, seed)
    curves = training.curves(trained.history, trained.recorder)
    return {"metrics": {**training.trained_metrics(trained),
                        "epochs_to_90": training.first_epoch_reaching(
                            curves["test_accuracy"], 0.9)},
            "series": curves, "rate_search": trained.rate_search}


# -- §4 symmetry ------------------------------------------------------------------------------
def symmetry_trial(config, seed):
    """Train with every weight equal (zeros, a constant) or random; count the distinct units
    of each hidden layer (identical kernel columns) and ask diagnose what it sees."""
    model, data, history, recorder = training.train(config, seed, _probe_callbacks())
    hidden = [layer for layer in model.layers[:-1] if hasattr(layer, "kernel")]
    return {"metrics": {**training.final_metrics(history, recorder),
                        "distinct_units": [training.identical_unit_groups(l.kernel)
                                           for l in hidden],
                        "units": [l.units for l in hidden],
                        "kernel_norms": training.kernel_norms(model)},
            "series": training.curves(history, recorder),
            "findings": _findings(history)}


# -- §4 activation histograms -----------------------------------------------------------------
HISTOGRAM_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, 1.0)}


def init_histograms_trial(config, seed):
    """Deep Learning from Scratch 6.2.2: x = randn(samples, 100) through 5 bias-free layers of
    100 units; each layer's activation histogram (30 bins) and its spread."""
    x = utils.generator(seed).standard_normal((config["samples"], config["width"]))
    model = Sequential([layers.Input(shape=(config["width"],))] + [
        layers.Dense(config["width"], activation=config["activation"], use_bias=False,
                     kernel_initializer=training._initializer(config["init"]))
        for _ in range(config["depth"])])
    if not instruments_ready():
        return {"metrics": {}}
    low, high = HISTOGRAM_RANGE[config["activation"]]
    outputs = _layer_outputs(model, x.astype("float32"))
    histograms = [np.histogram(a, bins=30, range=(low, high))[0] for a in outputs]
    limit = {"sigmoid": lambda a: (a < 0.01) | (a > 0.99), "tanh": lambda a: np.abs(a) > 0.99,
             "relu": lambda a: a <= 0}[config["activation"]]
    return {"metrics": {"std": [float(a.std()) for a in outputs],
                        "saturated_or_zero": [float(np.mean(limit(a))) for a in outputs],
                        "outside_range": [float(np.mean((a < low) | (a > high)))
                                          for a in outputs]},
            "histograms": histograms, "range": [low, high]}


# -- §4 the notes' initializer experiment -----------------------------------------------------
def init_compare_trial(config, seed):
    """``notes``: the notes' model and split, trained as Keras's plain choices would (sparse
    CE, "sgd", batch 32, 20 epochs, the 50 validation samples as validation_data).
    ``dlfs``: Deep Learning from Scratch 6.2.4: 4x100 ReLU, SGD(0.01), batches of 128 drawn
    with replacement, the batch loss of every iteration."""
    data = training.load_data(config, seed)
    model = training.compile_mlp(training.build_mlp(config, data), config)
    if config["part"] == "dlfs":
        draw = utils.generator(seed + 1_000_003)
        batch_losses = []
        with np.errstate(all="ignore"):
            for _ in range(config["iterations"]):
                chosen = draw.integers(0, len(data.x_train), config["batch_size"])
                batch_losses.append(float(model.train_on_batch(data.x_train[chosen],
                                                               data.y_train[chosen])))
        loss, accuracy = training.measure(model, data.x_test, data.y_test, data.y_test)
        return {"metrics": {"test_accuracy": accuracy, "test_loss": loss,
                            "final_batch_loss": float(np.mean(batch_losses[-20:])),
                            "diverged": int(not np.all(np.isfinite(batch_losses)))},
                "series": {"batch_loss": batch_losses}}
    rates = config.get("learning_rate_grid") or [config["learning_rate"]]
    runs = []
    for rate in rates:
        utils.set_random_seed(seed)             # every rate starts from the same weights
        runs.append(_notes_fit({**config, "learning_rate": rate}, data))
    best = max(range(len(runs)), key=lambda i: runs[i]["score"])
    chosen = runs[best]
    result = {"metrics": {**chosen["metrics"],
                          "learning_rate": training.effective_learning_rate(chosen["model"])},
              "series": chosen["series"]}
    if len(rates) > 1:
        result["rate_search"] = {"rates": rates, "chosen": rates[best],
                                 "val_accuracy": [r["score"][0] for r in runs],
                                 "test_accuracy": [r["metrics"]["test_accuracy"] for r in runs]}
    return result


def _notes_fit(config, data):
    """The notes' fit: validation_data = the 50 held-out samples, accuracy as a metric."""
    model = training.compile_mlp(training.build_mlp(config, data), config)
    model.compile(optimizer=model.optimizer, loss=model.loss, metrics=["accuracy"])
    with np.errstate(all="ignore"):
        history = model.fit(data.x_train, data.y_train, batch_size=config["batch_size"],
                            epochs=config["epochs"], verbose=0,
                            validation_data=(data.x_valid, data.y_valid))
    loss, accuracy = training.measure(model, data.x_test, data.y_test, data.y_test)
    series = {k: history.history[k] for k in ("loss", "accuracy", "val_loss", "val_accuracy")}
    val_loss = series["val_loss"][-1]
    score = (series["val_accuracy"][-1], -val_loss if np.isfinite(val_loss) else -np.inf)
    return {"model": model, "score": score, "series": series,
            "metrics": {"test_accuracy": accuracy, "test_loss": loss,
                        "val_accuracy": series["val_accuracy"][-1],
                        "diverged": int(not np.all(np.isfinite(series["loss"])))}}


# -- §4 exploding gradients and §beyond deep ReLU ---------------------------------------------
class BatchRecorder(callbacks.Callback):
    """Per batch, for the first ``limit`` batches and until the first non-finite one: the
    batch's own loss (from fit's running mean: l_k = k m_k - (k - 1) m_(k-1) within an epoch)
    and the norm of every Dense kernel's gradient of that step."""

    def __init__(self, limit):
        super().__init__()
        self.limit = limit
        self.losses, self.norms = [], []
        self.previous = 0.0
        self.broken = False

    def on_epoch_begin(self, epoch, logs=None):
        self.previous = 0.0

    def on_train_batch_end(self, batch, logs=None):
        if self.broken or len(self.losses) >= self.limit:
            return
        running = float((logs or {}).get("loss", float("nan")))
        with np.errstate(all="ignore"):
            loss = (batch + 1) * running - batch * self.previous
            norms = [float(np.linalg.norm(layer.grads[0])) for layer in self.model.layers
                     if getattr(layer, "kernel", None) is not None]
        self.previous = running
        self.losses.append(loss)
        self.norms.append(norms)
        self.broken = not (np.isfinite(loss) and np.all(np.isfinite(norms)))


def scale_trial(config, seed):
    """Train with a Probe; the kernel-gradient norm of every layer at the start (a fixed batch
    of ``samples``), the curves, and diagnose's findings."""
    data = training.load_data(config, seed)
    start_norms = None
    if instruments_ready():
        probe_model = training.compile_mlp(training.build_mlp(config, data), config)
        start_norms = training.gradient_norms(probe_model, data.x_train[:config["samples"]],
                                              data.y_train[:config["samples"]])
        utils.set_random_seed(seed)          # the trained model starts from the same weights
    batches = BatchRecorder(config.get("record_batches", 0))
    model, data, history, recorder = training.train(config, seed, _probe_callbacks() + [batches])
    curves = training.curves(history, recorder)
    if batches.losses:
        curves["batch_loss"] = batches.losses
        curves["batch_gradient_norms"] = batches.norms
    metrics = {**training.final_metrics(history, recorder),
               "first_loss": history.history["loss"][0],
               "epochs_to_50": training.first_epoch_reaching(curves["test_accuracy"], 0.5),
               "epochs_to_90": training.first_epoch_reaching(curves["test_accuracy"], 0.9)}
    if start_norms is not None:
        metrics["gradient_norms_start"] = start_norms
        metrics["first_to_last_gradient_start"] = start_norms[0] / start_norms[-1] \
            if start_norms[-1] else None
    return {"metrics": metrics, "series": curves, "findings": _findings(history)}


# -- the user's own grid ----------------------------------------------------------------------
def compare_trial(config, seed):
    """Any MLP the options of ``glassnet compare`` describe, trained with a Probe."""
    trained = training.train(config, seed, _probe_callbacks)
    return {"metrics": {**training.trained_metrics(trained),
                        "params": trained.model.count_params()},
            "series": training.curves(trained.history, trained.recorder),
            "findings": _findings(trained.history), "rate_search": trained.rate_search}


def _text(en, ko):
    return {"en": en, "ko": ko}


DIGITS = {"dataset": "digits", "scale": 16, "batch_size": 32}
# Rates each arm chooses from on the validation split (a factor ~3 apart around the default).
ADAM_RATES = [0.0003, 0.001, 0.003]
SGD_RATES = [0.03, 0.1, 0.3, 1.0]
TOY_ADAM_RATES = [0.003, 0.01, 0.03]


def rate_grid(optimizer, dataset="digits"):
    """The rates an arm with ``optimizer`` chooses its own from on the validation split
    (``glassnet compare --learning-rate auto``): the lab's grids for Adam (``ADAM_RATES`` on
    digits, ``TOY_ADAM_RATES`` on a 2-D set) and SGD (``SGD_RATES``); for any other optimizer
    its default rate times 1/3, 1 and 3 (the same factor ~3 apart)."""
    name = str(optimizer).lower()
    if name == "adam":
        return list(ADAM_RATES if dataset == "digits" else TOY_ADAM_RATES)
    if name == "sgd":
        return list(SGD_RATES)
    from .. import optimizers
    default = float(optimizers.get(optimizer).learning_rate)
    return [float(f"{default * factor:.2g}") for factor in (1 / 3, 1, 3)]
# depth: trained to convergence (early stopping on the validation loss, best weights kept);
# 452 units in one hidden layer hold as many parameters as 8 hidden layers of 64 (33,910 vs
# 33,930), the arm that separates depth from parameter count.
DEPTH = {**DIGITS, "width": 64, "activation": "relu", "init": "he_normal", "optimizer": "adam",
         "learning_rate": None, "learning_rate_grid": ADAM_RATES, "epochs": 150,
         "patience": 10}
EQUAL_PARAMETERS_WIDTH = 452
# The notes' initializer experiment as written: raw pixels, optimizer="sgd" (rate 0.01); Keras's
# "RandomNormal" is N(0, 0.05^2).
NOTES = {"dataset": "digits", "scale": None, "part": "notes", "hidden": [300, 100],
         "activation": "relu", "loss": "sparse_categorical_crossentropy", "optimizer": "sgd",
         "learning_rate": None, "batch_size": 32, "epochs": 20}

CATALOGUE = (
    Experiment(
        "depth", _text("§1 Structure of a DNN", "1절 심층 신경망 구조"),
        _text("Does an MLP with more hidden layers do better on digits than one with a single "
              "hidden layer, and what do its layers learn?",
              "은닉층이 하나인 MLP보다 은닉층이 많은 신경망이 digits에서 더 나은가? 각 층은 무엇을 배우는가?"),
        _text("test accuracy and loss by depth (mean and 95% band over seeds); the first "
              "layer's kernels as 8x8 images; activation statistics per layer",
              "깊이별 테스트 정확도와 손실(시드 평균과 95% 구간), 첫 층의 가중치를 8x8 이미지로, 층별 활성화 통계"),
        grid(DEPTH, depth=[1, 2, 4, 8])
        + ({**DEPTH, "depth": 1, "width": EQUAL_PARAMETERS_WIDTH},),
        depth_trial),
    Experiment(
        "vanishing", _text("§2 Activation functions", "2절 활성화 함수"),
        _text("Does the gradient shrink toward 0 on its way back through sigmoid layers, and "
              "does ReLU stop it?",
              "시그모이드 층을 거슬러 올라가며 그래디언트가 0에 가까워지는가? ReLU는 이를 막는가?"),
        _text("gradient norm of every layer through training, sigmoid vs ReLU at depths 3, 6 "
              "and 10; the chain rule as numbers (mean f'(z) per layer and their product)",
              "학습 중 층별 그래디언트 크기(시그모이드 vs ReLU, 깊이 3·6·10), 연쇄 법칙을 숫자로(층별 평균 f'(z)와 그 곱)"),
        grid({**DIGITS, "width": 64, "init": "glorot_uniform", "optimizer": "sgd",
              "learning_rate": 0.1, "epochs": 20, "samples": 256},
             activation=["sigmoid", "relu"], depth=[3, 6, 10]),
        vanishing_trial),
    Experiment(
        "activations", _text("§2 Activation functions", "2절 활성화 함수"),
        _text("Which activation separates the classes: sigmoid, tanh, ReLU, leaky ReLU, ELU or "
              "linear?",
              "어떤 활성화 함수가 클래스를 잘 나누는가: 시그모이드, tanh, ReLU, leaky ReLU, ELU, 선형(linear)?"),
        _text("decision boundaries on moons, circles, spirals and xor; test accuracy of every "
              "activation on those and on digits",
              "moons·circles·spirals·xor의 결정 경계, 각 활성화 함수의 테스트 정확도(digits 포함)"),
        grid({"batch_size": 32, "depth": 2, "width": 16, "init": "glorot_uniform",
              "optimizer": "adam", "learning_rate": None, "learning_rate_grid": TOY_ADAM_RATES,
              "epochs": 60, "n_samples": 400},
             dataset=["moons", "circles", "spirals", "xor"],
             activation=["sigmoid", "tanh", "relu", "leaky_relu", "elu", "linear"])
        + grid({**DIGITS, "depth": 2, "width": 64, "init": "glorot_uniform",
                "optimizer": "adam", "learning_rate": None, "learning_rate_grid": ADAM_RATES,
                "epochs": 15},
               activation=["sigmoid", "tanh", "relu", "leaky_relu", "elu", "linear"]),
        activations_trial),
    Experiment(
        "softmax", _text("§3 Loss functions", "3절 손실 함수"),
        _text("How does softmax differ from max, and which sample of the worked cross-entropy "
              "table has the largest loss?",
              "소프트맥스는 max와 어떻게 다른가? 교차 엔트로피 계산 예제에서 손실이 가장 큰 샘플은?"),
        _text("max vs softmax outputs; the per-sample cross-entropy table; cross-entropy and "
              "MSE as the right class's probability grows",
              "max와 소프트맥스의 출력, 샘플별 교차 엔트로피 표, 정답 확률에 따른 교차 엔트로피와 MSE"),
        ({"part": "worked", "deterministic": True},),
        softmax_trial),
    Experiment(
        "losses", _text("§3 Loss functions", "3절 손실 함수"),
        _text("Does cross-entropy train better than MSE, and do Keras's binary, categorical and "
              "sparse categorical cross-entropies give the documented numbers?",
              "교차 엔트로피는 MSE보다 학습이 잘 되는가? 케라스의 BCE·CCE·SCE는 문서의 값을 내는가?"),
        _text("loss and accuracy curves, MSE vs cross-entropy with sigmoid and ReLU hidden "
              "layers; Keras's worked examples with glassnet's numbers",
              "시그모이드·ReLU 은닉층에서 MSE vs 교차 엔트로피의 손실·정확도 곡선, 케라스 계산 예제와 glassnet의 값"),
        ({"part": "worked", "deterministic": True},)
        + grid({**DIGITS, "part": "training", "depth": 2, "width": 64,
                "init": "glorot_uniform", "optimizer": "sgd", "learning_rate": 0.1,
                "epochs": 20},
               activation=["sigmoid", "relu"],
               loss=["mean_squared_error", "categorical_crossentropy"])
        + grid({**DIGITS, "part": "training", "depth": 2, "width": 64,
                "init": "glorot_uniform", "optimizer": "sgd", "learning_rate": None,
                "learning_rate_grid": SGD_RATES, "epochs": 20},
               activation=["sigmoid", "relu"],
               loss=["mean_squared_error", "categorical_crossentropy"]),
        losses_trial),
    Experiment(
        "symmetry", _text("§4 Weights", "4절 가중치"),
        _text("What happens when every weight starts equal: do the hidden units ever become "
              "different?",
              "모든 가중치가 같은 값으로 시작하면 은닉 노드들이 서로 달라지는가?"),
        _text("distinct units per hidden layer after training for zeros, a constant and "
              "random init; accuracy; diagnose's findings",
              "zeros·상수·난수 초기화 후 학습한 은닉층의 서로 다른 노드 수, 정확도, diagnose의 진단"),
        grid({**DIGITS, "depth": 2, "width": 32, "activation": "tanh", "optimizer": "sgd",
              "learning_rate": 0.1, "epochs": 10},
             init=["zeros", {"class_name": "Constant", "config": {"value": 0.05}},
                   "glorot_uniform"]),
        symmetry_trial),
    Experiment(
        "init-histograms", _text("§4 Weights", "4절 가중치"),
        _text("How does the initial weight scale shape each layer's activations?",
              "초기 가중치의 크기는 각 층의 활성화 분포를 어떻게 바꾸는가?"),
        _text("activation histograms of 5 layers for std 1, std 0.01, Xavier and He under "
              "sigmoid, tanh and ReLU (Deep Learning from Scratch 6.2.2's setup)",
              "시그모이드·tanh·ReLU에서 표준편차 1, 0.01, Xavier, He 초기화의 5개 층 활성화 히스토그램(밑바닥부터 시작하는 딥러닝 6.2.2)"),
        grid({"samples": 1000, "width": 100, "depth": 5},
             activation=["sigmoid", "tanh", "relu"],
             init=[random_normal(1.0), random_normal(0.01), "glorot_normal", "he_normal"]),
        init_histograms_trial),
    Experiment(
        "init-compare", _text("§4 Weights", "4절 가중치"),
        _text("In the notes' own experiment, do he_normal and glorot_uniform beat a plain "
              "RandomNormal?",
              "노트의 실험 그대로: he_normal과 glorot_uniform이 RandomNormal보다 나은가?"),
        _text("accuracy and loss curves with 95% bands for the notes' model on raw digits, "
              "and Deep Learning from Scratch 6.2.4's version (std 0.01 vs Xavier vs He)",
              "원본 digits에서 노트의 모델의 정확도·손실 곡선(95% 구간), 밑바닥부터 시작하는 딥러닝 6.2.4절의 실험(표준편차 0.01 vs Xavier vs He)"),
        grid(NOTES, init=["glorot_uniform", "RandomNormal", "he_normal"])
        + grid({**NOTES, "part": "notes-own-rate", "learning_rate_grid": [0.003, 0.01, 0.03]},
               init=["glorot_uniform", "RandomNormal", "he_normal"])
        + grid({**DIGITS, "part": "dlfs", "hidden": [100, 100, 100, 100],
                "activation": "relu", "optimizer": "sgd", "learning_rate": 0.01,
                "batch_size": 128, "iterations": 2000},
               init=[random_normal(0.01), fan_in_normal(1.0), fan_in_normal(2.0)]),
        init_compare_trial),
    Experiment(
        "exploding", _text("§4 Weights", "4절 가중치"),
        _text("What do too-large initial weights do to the gradients and to training?",
              "초기 가중치가 너무 크면 그래디언트와 학습은 어떻게 되는가?"),
        _text("gradient norm of every layer at the start, loss curves, divergence, and "
              "diagnose's findings, for He init and two too-large RandomNormal scales",
              "He 초기화와 너무 큰 RandomNormal 두 가지의 시작 시 층별 그래디언트 크기, 손실 곡선, 발산 여부, diagnose의 진단"),
        grid({**DIGITS, "depth": 6, "width": 64, "activation": "relu", "optimizer": "sgd",
              "learning_rate": 0.01, "epochs": 10, "samples": 256, "record_batches": 80},
             init=["he_normal", random_normal(0.5), random_normal(2.0)])
        + ({**DIGITS, "depth": 6, "width": 64, "activation": "relu", "optimizer": "sgd",
            "learning_rate": 0.01, "clipnorm": 1.0, "epochs": 10, "samples": 256,
            "record_batches": 80, "init": random_normal(0.5)},
           {**DIGITS, "depth": 6, "width": 64, "activation": "relu", "optimizer": "sgd",
            "learning_rate": 1e-4, "epochs": 10, "samples": 256, "record_batches": 80,
            "init": random_normal(0.5)}),
        scale_trial),
    Experiment(
        "deep-relu", _text("beyond the notes: He et al. 2015", "노트 밖: He 외 2015"),
        _text("Does a 30-layer ReLU MLP train with Xavier-scale init, or does it need He init?",
              "30층 ReLU MLP는 Xavier 방식의 초기화로도 학습되는가, 아니면 He 초기화가 필요한가?"),
        _text("loss and accuracy curves for 10 and 30 layers with glorot_uniform vs "
              "he_normal; first-layer gradient at the start; diagnose's findings",
              "10층과 30층에서 glorot_uniform vs he_normal의 손실·정확도 곡선, 시작 시 첫 층 그래디언트, diagnose의 진단"),
        grid({**DIGITS, "width": 64, "activation": "relu", "optimizer": "sgd",
              "learning_rate": 0.01, "epochs": 40, "samples": 256},
             depth=[10, 30], init=["glorot_uniform", "he_normal"]),
        scale_trial),
)

COMPARE = Experiment(
    "compare", _text("your grid", "사용자 그리드"),
    _text("Which of your settings trains best?", "어떤 설정이 가장 잘 학습되는가?"),
    _text("loss and accuracy curves with 95% bands, final numbers, diagnose's findings",
          "손실·정확도 곡선(95% 구간), 최종 수치, diagnose의 진단"),
    (), compare_trial)

EXPERIMENTS = {experiment.id: experiment for experiment in CATALOGUE}


def find(experiment_id):
    """The experiment with this id (the catalogue's or ``compare``)."""
    if experiment_id == COMPARE.id:
        return COMPARE
    if experiment_id not in EXPERIMENTS:
        raise ValueError(f"Unknown experiment {experiment_id!r}; the catalogue has "
                         f"{', '.join(EXPERIMENTS)} (see `glassnet lab list`).")
    return EXPERIMENTS[experiment_id]


def compare_experiment(configs):
    """The ``compare`` experiment over the user's ``configs``."""
    return dataclasses.replace(COMPARE, grid=tuple(configs))
