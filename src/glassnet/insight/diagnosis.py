"""``glassnet.diagnose``: what went wrong inside a network, in plain words.

``diagnose(history)`` reads the records of a ``Probe`` (``history.probes``);
``diagnose(model, x, y)`` measures one batch the same way, without training. Each finding has
a ``code``, the ``layer`` it is about (None for the whole model), a ``severity`` ('info',
'warning', 'error'), the ``evidence`` (the numbers behind it) and ``message(lang)``: what is
happening, why in the chapter's terms, and what to try, in English ('en') or Korean ('ko').

The rules, each reported once (the thresholds are far from what healthy networks show —
ReLU + He at a sensible learning rate stays silent — and the tests check both sides):

- ``diverged`` (error): the loss, a gradient or a weight became NaN or inf.
- ``exploding_gradient`` (error): in one step a layer's gradient was larger than its
  weights (||dW|| > ||W||) and the update moved them by more than their own size, while the
  weights are at least as large as Glorot's initialization makes them.
- ``vanishing_gradient`` (warning): the first layer's gradient is below 1/100 of the output
  layer's and shrinks by more than half per layer, for ``PATIENCE`` records in a row.
- ``saturation`` (warning): at least half the outputs of a hidden sigmoid/tanh-like layer are
  within 5% of its limits, for ``PATIENCE`` records in a row.
- ``dead_units`` (warning; error when all are dead): at least half the units of a hidden
  ReLU layer output 0 on every sample of an epoch (of the batch, for a model).
- ``symmetric_units`` (warning; error when the whole layer is one group): units with equal
  incoming weights, at an epoch's end (or now, for a model).
- ``no_learning_signal`` (error): a layer's kernel gradient is exactly 0 for ``PATIENCE``
  records in a row.
- ``stalled`` (warning): the loss keeps within 5% of its start while updates are negligible,
  judged per layer: over ``WINDOW`` records the largest update ratio stays below 1e-4
  (median; healthy training moves about 1e-3 per step), or, the loss flat for ``LONG``
  records, some layers' median update ratios stay below 1e-4 (a net at chance whose output
  layer still moves: the finding names the layers that do not); no explosion came before (for a model: the step a fresh copy of its optimizer would take, while the loss is
  within 10% of the best constant guess's).
- ``initial_loss`` (warning): the first loss of a cross-entropy is above
  ln K + max(ln K, 1) for K classes (an unbiased start gives ln K).
- ``output_loss_mismatch`` (error): the output activation and the loss do not fit together.

A finding that ends is kept and says so: a stall whose loss later falls below 95% of its
start, or a per-step condition (saturation, a vanishing gradient, no learning signal) that
fails for ``PATIENCE`` records in a row after it was reported, gets ``evidence["start_step"]``
and ``evidence["end_step"]`` and severity ``info``; its message starts by saying when it
began and ended.
"""
import math
import warnings
from collections import deque

import numpy as np

from . import measure as inspect
from .messages import RESOLVED, TEMPLATES
from .records import snapshot_record

SEVERITIES = ("info", "warning", "error")
PATIENCE = 5          # records in a row a per-step condition must hold before it is reported
WINDOW = 20           # records over which "stalled" is judged
LONG = 5 * WINDOW     # records of flat loss before single layers' negligible updates count
STALLED_UPDATE = 1e-4
VANISHING_RATIO, VANISHING_PER_LAYER = 1e-2, 0.5
SATURATED_SHARE = 0.5
DEAD_SHARE = 0.5
CROSS_ENTROPIES = ("categorical_crossentropy", "sparse_categorical_crossentropy",
                   "binary_crossentropy")
MAX_DERIVATIVE = {"sigmoid": 0.25, "hard_sigmoid": 1 / 6, "tanh": 1.0, "softsign": 1.0,
                  "hard_tanh": 1.0}


class Finding:
    """One diagnosis: ``code``, ``layer``, ``severity``, ``evidence``, ``message(lang)``."""

    def __init__(self, code, layer, severity, evidence, variant="", context=None):
        if severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {severity!r}.")
        self.code, self.layer, self.severity = code, layer, severity
        self.evidence = dict(evidence)
        self.variant = variant
        self.context = dict(context or {})

    def message(self, lang="en"):
        """What is happening, why, and what to try, in ``lang`` ('en' or 'ko')."""
        if lang not in ("en", "ko"):
            raise ValueError(f"lang must be 'en' or 'ko', got {lang!r}.")
        template = TEMPLATES[(self.code, self.variant)][lang]
        shown = {f"{key}_shown": self.evidence[key] + 1
                 for key in ("step", "epoch", "batch", "start_step", "end_step")
                 if key in self.evidence}            # people count batches and epochs from 1
        text = template.format(layer=self.layer, **self.evidence, **self.context, **shown)
        if "end_step" in self.evidence:
            text = RESOLVED[lang].format(**shown) + text
        return text

    def resolve(self, start_step, end_step):
        """The condition held from ``start_step`` to ``end_step`` and then ended: kept as
        ``info``, with both steps in the evidence."""
        self.evidence.update(start_step=int(start_step), end_step=int(end_step))
        self.severity = "info"

    def format(self, lang="en"):
        """One line for a terminal: severity, code, layer and the message."""
        where = f" ({self.layer})" if self.layer is not None else ""
        return f"[{self.severity}] {self.code}{where}: {self.message(lang)}"

    def __str__(self):
        return self.format("en")

    def __repr__(self):
        return (f"Finding(code={self.code!r}, layer={self.layer!r}, "
                f"severity={self.severity!r}, evidence={self.evidence!r})")


def diagnose(history_or_model, x=None, y=None, sample_weight=None):
    """Findings for a training run (``diagnose(history)``, or its ``history.probes``) or a
    model on a batch (``diagnose(model, x, y)``); a list, in the order the conditions appeared.
    A History without Probe records gets a warning: only the epoch losses and the model's
    output/loss pairing can be judged from it."""
    if x is not None or y is not None:
        if x is None or y is None:
            raise ValueError("diagnose(model, x, y) needs both x and y.")
        return _diagnose_model(history_or_model, x, y, sample_weight)
    source = history_or_model
    if hasattr(source, "layers") and hasattr(source, "_forward"):
        raise ValueError("diagnose(model) needs a batch to look at: diagnose(model, x, y), or "
                         "diagnose(history) for a run trained with a Probe.")
    records = source if isinstance(source, (list, tuple)) else \
        getattr(source, "probes", getattr(source, "records", None))
    if records is None:
        raise TypeError(f"diagnose takes the History that fit returned (train with "
                        f"callbacks=[glassnet.callbacks.Probe()]), or a model with x and y; "
                        f"got {type(source).__name__}.")
    if not records:
        warnings.warn("This History has no Probe records: only a divergence of the loss and the "
                      "pairing of output activation and loss can be checked. Train with "
                      "callbacks=[glassnet.callbacks.Probe()] to see inside the layers.",
                      UserWarning, stacklevel=2)
    watcher = Watcher(getattr(source, "model", None))
    for record in records:
        watcher.add(record)
        if _epoch_end(record):
            watcher.add_epoch_end(record)
    watcher.finish()
    if not records:
        watcher.add_epoch_losses(getattr(source, "history", {}).get("loss", []))
    return watcher.findings


def _epoch_end(record):
    return any(row.get("identical_units") is not None or row.get("dead_share_epoch") is not None
               for row in record["layers"])


class Watcher:
    """Turns probe records into findings, one record at a time, each finding once.

    ``add(record)`` after each probed step, ``add_epoch_end(record)`` once the epoch's
    statistics are in, ``finish()`` at the end; each returns the findings that are new.
    """

    def __init__(self, model=None, patience=PATIENCE, scope="epoch", initial=True):
        self.model, self.patience, self.scope = model, patience, scope
        self.initial = initial          # the first record is the start of training
        self.findings, self._codes = [], set()
        self._streaks, self._records = {}, 0
        self._first_loss = None
        self._window = deque(maxlen=WINDOW)
        self._flat = 0                  # records in a row whose window's loss stayed flat
        self._began = {}                # code -> step its condition began (to resolve it)
        self._off = {}                  # code -> records in a row without its condition
        self._zero_layers = None
        if model is not None:
            self._report(_output_loss_mismatch(model))

    # -- feeding ------------------------------------------------------------------------------
    def add(self, record):
        start = len(self.findings)
        self._records += 1
        if "diverged" in self._codes:
            return []
        if self._check_diverged(record):
            return self.findings[start:]
        if self._first_loss is None:
            self._first_loss = record["loss"]
            if self.initial:
                self._report(self._initial_loss(record))
        weighted = [row for row in record["layers"] if row.get("kernel_norm") is not None]
        self._report(_exploding(record, weighted, self.scope))
        self._check_no_signal(record, weighted)
        self._check_vanishing(record, weighted)
        self._check_saturation(record)
        self._check_stalled(record, weighted)
        return self.findings[start:]

    def add_epoch_end(self, record):
        start = len(self.findings)
        if "diverged" not in self._codes:
            key = "dead_share_epoch" if self.scope == "epoch" else "dead_share"
            self._report(_dead_units(record, self._hidden(record), key, self.scope))
            self._report(_symmetric_units(record))
        return self.findings[start:]

    def finish(self):
        """Conditions that held on every record of a run shorter than the patience."""
        start = len(self.findings)
        if 0 < self._records < self.patience and "diverged" not in self._codes:
            for count, finding in list(self._streaks.values()):
                if count == self._records and finding is not None:
                    self._report(finding)
        if self._records and len(self._window) < WINDOW and self.scope == "epoch":
            self._report(self._stalled(min_records=min(PATIENCE, WINDOW)))
        return self.findings[start:]

    def add_epoch_losses(self, losses):
        """Without probe records: the epoch losses still show a divergence."""
        for epoch, loss in enumerate(losses):
            if loss is not None and not math.isfinite(loss):
                self._report(Finding("diverged", None, "error", {"epoch": epoch}, "epoch",
                                     {"value": str(loss)}))
                return

    # -- bookkeeping --------------------------------------------------------------------------
    def _report(self, finding):
        if finding is None or finding.code in self._codes:
            return
        self._codes.add(finding.code)
        self.findings.append(finding)

    def _streak(self, code, holds, finding=None, step=None):
        """Count records in a row on which ``code``'s condition holds; report at patience.
        Once reported, ``patience`` records in a row without it resolve the finding."""
        count = self._streaks.get(code, (0, None))[0] + 1 if holds else 0
        self._streaks[code] = (count, finding if holds else None)
        if holds and count == 1 and code not in self._codes:
            self._began[code] = step
        if holds and count >= self.patience:
            self._report(finding)
        off = self._off.get(code, 0) + 1 if not holds else 0
        self._off[code] = off
        if code in self._codes and off == self.patience and step is not None:
            self._resolve(code, self._began.get(code), step - self.patience)

    def _resolve(self, code, start_step, end_step):
        for found in self.findings:
            if found.code == code and "end_step" not in found.evidence:
                if start_step is None:          # a window's finding began where its window did
                    start_step = found.evidence.get("step", 0) \
                        - found.evidence.get("window", 1) + 1
                found.resolve(max(start_step, 0), end_step)

    def _hidden(self, record):
        return record["layers"][:-1]

    # -- rules --------------------------------------------------------------------------------
    def _check_diverged(self, record):
        what = None
        if record["loss"] is not None and not math.isfinite(record["loss"]):
            what = ("the loss", "손실", record["loss"])
        else:
            for row in record["layers"]:
                for key, en, ko in (("kernel_norm", "the weights", "가중치"),
                                    ("grad_norm", "the gradient", "그래디언트")):
                    if row.get(key) is not None and not _finite(row[key]):
                        what = (f"{en} of layer '{row['name']}'",
                                f"층 '{row['name']}'의 {ko}", row[key])
                        break
                if what:
                    break
        if what is None:
            return False
        self._report(Finding("diverged", None, "error", _when(record),
                             "batch" if self.scope == "batch" else "",
                             {"what_en": what[0], "what_ko": what[1], "value": str(what[2])}))
        return True

    def _initial_loss(self, record):
        if record["step"] != 0 or self.model is None:
            return None
        classes = _classes(self.model)
        loss = record["loss"]
        if classes is None or loss is None:
            return None
        expected = math.log(classes)
        if loss <= expected + max(expected, 1.0):
            return None
        return Finding("initial_loss", None, "warning",
                       {"loss": loss, "expected": expected, "classes": classes})

    def _check_no_signal(self, record, weighted):
        zero = [row["name"] for row in weighted if row["grad_norm"] == 0.0]
        if self._zero_layers is not None and zero:
            zero = [name for name in zero if name in self._zero_layers]
        self._zero_layers = zero or None
        finding = _no_signal(record, weighted, zero) if zero else None
        self._streak("no_learning_signal", bool(zero), finding, record["step"])

    def _check_vanishing(self, record, weighted):
        finding = _vanishing(record, weighted)
        self._streak("vanishing_gradient", finding is not None, finding, record["step"])

    def _check_saturation(self, record):
        finding = _saturation(record, self._hidden(record))
        self._streak("saturation", finding is not None, finding, record["step"])

    def _check_stalled(self, record, weighted):
        updates = [row["update_ratio"] for row in weighted if _finite(row["update_ratio"])]
        grad = _gradient_ratio(weighted)
        per_layer = {row["name"]: row["update_ratio"] if _finite(row["update_ratio"])
                     else math.nan for row in weighted}
        self._window.append((record["loss"], max(updates) if updates else math.nan, grad,
                             record["step"], per_layer))
        if len(self._window) < WINDOW:
            return
        flat = self._window_flat()
        self._flat = self._flat + 1 if flat else 0
        if "stalled" not in self._codes:
            self._report(self._stalled(WINDOW))
        elif flat is False:
            self._resolve("stalled", None, record["step"])

    def _window_flat(self):
        """True while the window's mean loss is within 5% of the first loss (None: unknown)."""
        losses = [entry[0] for entry in self._window]
        if not _finite(self._first_loss) or self._first_loss <= 0 \
                or not all(_finite(v) for v in losses):
            return None
        return float(np.mean(losses)) >= 0.95 * self._first_loss

    def _stalled(self, min_records):
        # after an explosion, tiny steps are its aftermath (dead or saturated units, reported
        # on their own), not the too-small signal of a deep network that "stalled" explains
        if len(self._window) < min_records or self._codes & {"no_learning_signal",
                                                               "exploding_gradient"}:
            return None
        columns = list(zip(*self._window))[:4]          # the fifth: per-layer updates
        losses, updates, grads, steps = (np.array([math.nan if v is None else v for v in column],
                                                  dtype=float) for column in columns)
        if not np.isfinite(updates).any() or not _finite(self._first_loss) \
                or self._first_loss <= 0 or not np.isfinite(losses).all():
            return None
        update = float(np.nanmedian(updates))
        loss_now = float(np.mean(losses))
        if loss_now < 0.95 * self._first_loss:
            return None
        evidence = {"update_ratio": update, "loss_start": self._first_loss,
                    "loss_now": loss_now, "grad_ratio": float(np.nanmedian(grads)),
                    "window": len(self._window), "step": int(steps[-1])}
        if update < STALLED_UPDATE:
            return Finding("stalled", None, "warning", evidence, "history")
        if self._flat < LONG - WINDOW + 1:          # the loss flat for LONG records
            return None
        names = list(self._window[-1][4])
        medians = {name: float(np.nanmedian([entry[4].get(name, math.nan)
                                             for entry in self._window])) for name in names}
        still = [name for name in names if medians[name] < STALLED_UPDATE]
        if not still:
            return None
        moving = [name for name in names if name not in still]
        return Finding("stalled", None, "warning",
                       {**evidence, "layers": still, "records": self._flat + WINDOW - 1,
                        "largest_update": max(medians[n] for n in moving) if moving else update},
                       "layers", {"names": ", ".join(f"'{n}'" for n in still),
                                  "moving": ", ".join(f"'{n}'" for n in moving) or "—"})


def _when(record):
    """Where a record sits: its step in the fit, and its epoch and batch within the epoch."""
    return {"step": record["step"], "epoch": record["epoch"],
            "batch": record.get("batch", record["step"])}


def _finite(value):
    return value is not None and math.isfinite(value)


def _gradient_ratio(weighted):
    """||dW|| of the first weighted layer over that of the last (nan when undefined)."""
    if len(weighted) < 2:
        return math.nan
    first, last = weighted[0]["grad_norm"], weighted[-1]["grad_norm"]
    if not (_finite(first) and _finite(last)) or last <= 0:
        return math.nan
    return first / last


def glorot_norm(fan_in, fan_out):
    """The expected ||W|| of a Glorot (Xavier) kernel: sqrt(fan_in fan_out 2 / (fan_in + fan_out)),
    from its variance 2 / (fan_in + fan_out) over fan_in x fan_out entries."""
    return math.sqrt(2.0 * fan_in * fan_out / (fan_in + fan_out))


def _exploding(record, weighted, scope="epoch"):
    """A step where a layer's gradient outgrew its weights and the update outgrew them too,
    while the weights are at least Glorot-sized (weights growing from ~0 are not exploding).
    ``scope="batch"``: a model on one batch, whose update is the optimizer's next step."""
    worst = None
    for row in weighted:
        update, grad, kernel = row["update_ratio"], row["grad_norm"], row["kernel_norm"]
        large = (row.get("fan_in") and row.get("units")
                 and kernel >= glorot_norm(row["fan_in"], row["units"]))
        if _finite(update) and update > 1.0 and grad > kernel > 0 and large:
            if worst is None or update > worst["update_ratio"]:
                worst = row
    if worst is None:
        return None
    return Finding("exploding_gradient", worst["name"], "error",
                   {**_when(record), "grad_norm": worst["grad_norm"],
                    "kernel_norm": worst["kernel_norm"], "update_ratio": worst["update_ratio"]},
                   "batch" if scope == "batch" else "")


def _vanishing(record, weighted):
    ratio = _gradient_ratio(weighted)
    if not ratio == ratio or ratio <= 0:
        return None
    per_layer = ratio ** (1.0 / (len(weighted) - 1))
    if not (ratio < VANISHING_RATIO and per_layer < VANISHING_PER_LAYER):
        return None
    bounded = [row["activation"] for row in weighted[:-1] if row["activation"] in MAX_DERIVATIVE]
    evidence = {"ratio": ratio, "per_layer": per_layer, "depth": len(weighted),
                "step": record["step"]}
    first, last = weighted[0]["name"], weighted[-1]["name"]
    if bounded:
        activation = bounded[0]
        return Finding("vanishing_gradient", first, "warning",
                       {**evidence, "max_derivative": MAX_DERIVATIVE[activation]}, "bounded",
                       {"last": last, "activation": activation})
    return Finding("vanishing_gradient", first, "warning", evidence, "other", {"last": last})


def _saturation(record, hidden):
    saturated = [row for row in hidden if row.get("saturated_share") is not None
                 and row["saturated_share"] >= SATURATED_SHARE]
    if not saturated:
        return None
    worst = max(saturated, key=lambda row: row["saturated_share"])
    return Finding("saturation", worst["name"], "warning",
                   {"share": worst["saturated_share"], "layers": len(saturated),
                    "step": record["step"]}, "",
                   {"activation": worst["activation"], **_others(saturated, worst)})


def _dead_units(record, hidden, key, scope):
    kernels = {row["name"]: row.get("kernel_norm") for row in record["layers"]}
    dead = [row for row in hidden if row.get(key) is not None and row[key] >= DEAD_SHARE
            and kernels.get(row["name"]) != 0.0]
    if not dead:
        return None
    worst = max(dead, key=lambda row: row[key])
    severity = "error" if worst[key] >= 1.0 else "warning"
    return Finding("dead_units", worst["name"], severity,
                   {"share": worst[key], "layers": len(dead), "step": record["step"],
                    "epoch": record["epoch"]}, scope,
                   {"activation": worst["activation"], **_others(dead, worst)})


def _symmetric_units(record):
    symmetric = [row for row in record["layers"] if (row.get("identical_units") or 0) >= 2
                 and row.get("kernel_norm") != 0.0]
    if not symmetric:
        return None
    first = symmetric[0]
    members, groups = first["identical_units"], first["identical_groups"]
    total = first.get("units") or members
    whole = groups == 1 and members == total
    return Finding("symmetric_units", first["name"], "error" if whole else "warning",
                   {"groups": groups, "units": members, "total": total,
                    "distinct": total - members + groups, "layers": len(symmetric),
                    "step": record["step"], "epoch": record["epoch"]}, "",
                   _others(symmetric, first))


def _no_signal(record, weighted, zero):
    names = ", ".join(f"'{name}'" for name in zero)
    evidence = {"layers": len(zero), "step": record["step"]}
    rows = {row["name"]: row for row in weighted}
    if all(rows[name]["kernel_norm"] == 0.0 for name in zero if name in rows):
        variant, context = "zero_weights", {}
    else:
        dead = [row["name"] for row in record["layers"] if row.get("dead_share") == 1.0]
        variant, context = ("dead_layer", {"dead": dead[0]}) if dead else ("generic", {})
    return Finding("no_learning_signal", zero[-1], "error", evidence, variant,
                   {"names": names, **context})


def _others(rows, worst):
    others = [row["name"] for row in rows if row is not worst]
    if not others:
        return {"others_en": "", "others_ko": ""}
    names = ", ".join(f"'{name}'" for name in others)
    return {"others_en": f" (also in {names})", "others_ko": f" {names} 층도 마찬가지입니다."}


# -- the output layer and the loss ------------------------------------------------------------
def _output_activation(model):
    """(layer name, activation name, units) of the layer that produces the outputs."""
    for layer in reversed(model.layers):
        name = inspect.activation_name(layer)
        if name is not None and name != "linear":
            return layer.name, name, inspect.units(layer)
        if getattr(layer, "params", None):                 # a weighted layer, linear output
            return layer.name, name or "linear", inspect.units(layer)
    return None, None, None


_LOSS_NAMES = {"CategoricalCrossentropy": "categorical_crossentropy",
               "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
               "BinaryCrossentropy": "binary_crossentropy"}


def _loss_name(model):
    """(canonical name of the compiled loss's class, its from_logits), or (None, False)."""
    loss = getattr(model, "loss", None)
    if loss is None:
        return None, False
    if type(loss).__name__ == "Crossentropy":           # Keras 3's "crossentropy": by shapes
        _, _, units = _output_activation(model)
        loss = getattr(loss, "_chosen", None) or (getattr(loss, "binary", None) if units == 1
                                                  else getattr(loss, "sparse", None)) or loss
    return _LOSS_NAMES.get(type(loss).__name__, type(loss).__name__), \
        bool(getattr(loss, "from_logits", False))


def _classes(model):
    """K for a cross-entropy on K classes, else None. Binary cross-entropy asks each output
    unit its own yes/no question, so K = 2 however many units there are."""
    loss, _ = _loss_name(model)
    _, activation, units = _output_activation(model)
    if loss not in CROSS_ENTROPIES or not units:
        return None
    return 2 if units == 1 or loss == "binary_crossentropy" else units


def _output_loss_mismatch(model):
    loss, from_logits = _loss_name(model)
    layer, activation, units = _output_activation(model)
    if loss is None or layer is None:
        return None
    context = {"activation": activation, "loss_name": loss}
    probability = activation in ("softmax", "sigmoid")
    if activation == "softmax" and units == 1:
        variant = "single_softmax"
    elif activation == "softmax" and loss == "binary_crossentropy" and (units or 0) > 1:
        variant = "softmax_binary"
    elif from_logits and probability and loss in CROSS_ENTROPIES:
        variant = "logits_on_probabilities"
    elif not from_logits and not probability and loss in CROSS_ENTROPIES:
        variant = "probability_loss_on_logits"
    else:
        return None
    return Finding("output_loss_mismatch", layer, "error", {"units": units or 0}, variant,
                   context)


# -- a model on one batch ---------------------------------------------------------------------
def _diagnose_model(model, x, y, sample_weight):
    inspect._check_model(model)
    model._require_compiled("diagnose")
    record, targets = snapshot_record(model, x, y, sample_weight)
    untrained = getattr(model.optimizer, "iterations", 0) == 0
    watcher = Watcher(model, patience=1, scope="batch", initial=untrained)
    watcher.add(record)
    watcher.add_epoch_end(record)
    watcher.finish()
    if "diverged" not in watcher._codes:
        watcher._report(_stalled_now(record, constant_loss(model, targets), watcher._codes))
    return watcher.findings


def constant_loss(model, y):
    """The compiled loss of the best constant prediction for targets ``y``: the class
    frequencies for a cross-entropy (ln K for K balanced classes), the mean for others.
    Learning has not begun while a model's loss is no better than this. None if unknown
    (also for a model with several outputs, whose targets are one array per output)."""
    if hasattr(y, "arrays"):
        return None
    loss, from_logits = _loss_name(model)
    y = np.asarray(y)
    _, _, units = _output_activation(model)
    if loss == "sparse_categorical_crossentropy" and units:
        labels = y.reshape(-1).astype(np.int64)
        mean = np.bincount(labels, minlength=units)[:units] / max(len(labels), 1)
    else:
        mean = y.reshape(len(y), -1).mean(axis=0) if len(y) else None
    if mean is None:
        return None
    if from_logits and loss in CROSS_ENTROPIES:
        p = np.clip(mean, 1e-7, 1 - 1e-7)
        mean = np.log(p) if loss != "binary_crossentropy" else np.log(p / (1 - p))
    prediction = np.broadcast_to(mean, (len(y), len(mean))).astype(np.float64)
    if units and prediction.shape[1] != units:
        return None
    with np.errstate(all="ignore"):
        value = float(model.loss(y, prediction))
    return value if math.isfinite(value) else None


def _stalled_now(record, baseline, codes):
    """One batch: the optimizer's next step would be negligible while the loss is still
    within 10% of the best constant prediction's (``baseline``)."""
    if "no_learning_signal" in codes or baseline is None or not _finite(record["loss"]):
        return None
    weighted = [row for row in record["layers"] if row.get("kernel_norm") is not None]
    updates = [row["update_ratio"] for row in weighted if _finite(row["update_ratio"])]
    if not updates or max(updates) >= STALLED_UPDATE or record["loss"] < 0.9 * baseline:
        return None
    return Finding("stalled", None, "warning",
                   {"update_ratio": max(updates), "loss_now": record["loss"],
                    "baseline": baseline, "grad_ratio": _gradient_ratio(weighted)}, "batch")
