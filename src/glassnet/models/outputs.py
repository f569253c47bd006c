"""Several outputs: each output's loss, loss weight and metrics, as Keras's ``compile`` takes
them for a multi-output model (``loss`` and ``metrics`` as a list in output order or a dict by
output name, ``loss_weights`` likewise).

The total loss is sum_k weight_k * loss_k(y_k, y_pred_k) (plus the layers' penalties, added by
the model); the logs hold it as ``loss``, each output's unweighted loss as ``<output>_loss``
and each metric as ``<output>_<metric>``, Keras's keys. Backward starts from each output's
gradient weight_k * dloss_k/dy_pred_k (on the logits where the loss fuses with the output's
activation).
"""
import numpy as np

from .. import config, data, losses
from .. import metrics as metrics_module
from .. import optimizers
from .batching import Columns


def resolve_optimizer(optimizer):
    resolved = optimizers.get(optimizer)
    if not isinstance(resolved, optimizers.Optimizer):
        raise TypeError(f"optimizer={optimizer!r} is not a glassnet optimizer: pass a name "
                        f"such as 'adam' or an instance such as glassnet.optimizers.SGD(0.01).")
    return resolved


def resolve_loss(loss, where=""):
    """A loss for ``compile``: one value per batch (a per-sample reduction is refused)."""
    if loss is None:
        raise ValueError(f"compile() needs a loss{where}, e.g. "
                         f"loss='sparse_categorical_crossentropy' for integer class labels or "
                         f"loss='mse' for regression.")
    resolved = losses.resolve(loss)
    if getattr(resolved, "reduction", "sum_over_batch_size") in ("none", None):
        raise ValueError(f"compile() trains on one loss value per batch, but {resolved!r} "
                         f"has reduction={resolved.reduction!r} (one value per sample). "
                         f"Leave the reduction at its default, 'sum_over_batch_size'.")
    return resolved


def metric_list(metrics, what):
    if metrics is None:
        return []
    if isinstance(metrics, (str, metrics_module.Metric)) or not isinstance(metrics, (list, tuple)):
        raise TypeError(f"{what} must be a list, e.g. {what}=['accuracy']; got {metrics!r}.")
    return list(metrics)


def log_names(metrics):
    """Each metric's key in the logs, as Keras names them: a name already taken gets ``_1``,
    ``_2``, ...; a weighted metric whose name is taken becomes ``weighted_<name>`` first (so
    ``metrics=["accuracy"], weighted_metrics=["accuracy"]`` logs both)."""
    names, counts = [], {}
    for metric, weighted in metrics:
        name = metric.name
        if name in counts and weighted:
            name = f"weighted_{name}"
        if name in counts:
            counts[name] += 1
            name = f"{name}_{counts[name] - 1}"
        else:
            counts[name] = 1
        names.append(name)
    return names


def takes_class_indices(loss):
    """Whether the loss reads labels as class indices (sparse cross-entropy, also when
    ``loss="crossentropy"`` chose it from the shapes)."""
    sparse = losses.SparseCategoricalCrossentropy
    return isinstance(loss, sparse) or isinstance(getattr(loss, "_chosen", None), sparse)


def targets(loss, y, n, output_shape, what):
    """Labels checked against ``loss`` and the output shape, one per sample."""
    y = data.as_labels(y, what)
    data.check_lengths(n, len(y), what)
    loss.check_labels(y, output_shape)
    if takes_class_indices(loss):
        return y.astype(np.int64, copy=False)      # once, not per batch
    return y.astype(config.floatx(), copy=False)


def loss_gradient(loss, weight, y, y_pred, sample_weight, fused):
    """The loss gradient on one output (on its logits when ``fused``), times its weight."""
    if fused:
        grad = loss.logits_gradient(y, y_pred, sample_weight)
    else:
        grad = loss.gradient(y, y_pred, sample_weight)
    if weight != 1.0:
        grad = grad * weight
    return grad.astype(y_pred.dtype, copy=False)


def per_output(value, names, what, default=None):
    """``value`` for each output: one value for all, a list in output order, or a dict by
    output name (a name it lacks gets ``default``)."""
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ValueError(f"{what} names {unknown}, which are not outputs of the model; its "
                             f"outputs are {names}.")
        return [value.get(name, default) for name in names]
    if isinstance(value, (list, tuple)) and what != "metrics":
        if len(value) != len(names):
            raise ValueError(f"{what} has {len(value)} entries but the model has {len(names)} "
                             f"outputs ({', '.join(names)}); give one per output or a dict by "
                             f"output name.")
        return list(value)
    return [value] * len(names)


class Heads:
    """Compile state of a model with several outputs: per output a loss, a weight, metrics."""

    def __init__(self, names, shapes, loss, loss_weights, metrics, weighted_metrics):
        self.names, self.shapes = list(names), list(shapes)
        self.losses = [resolve_loss(l, f" for output {n!r}")
                       for l, n in zip(per_output(loss, names, "loss"), names)]
        weights = per_output(1.0 if loss_weights is None else loss_weights, names,
                             "loss_weights", 1.0)
        self.weights = [_number(w, "loss_weights") for w in weights]
        self.specs = [[(m, False) for m in _per_output_metrics(a, "metrics")]
                      + [(m, True) for m in _per_output_metrics(b, "weighted_metrics")]
                      for a, b in zip(_metrics_by_output(metrics, names, "metrics"),
                                      _metrics_by_output(weighted_metrics, names,
                                                         "weighted_metrics"))]
        for loss_, specs in zip(self.losses, self.specs):
            for identifier, _ in specs:
                metrics_module.resolve(identifier, loss_, None)    # unknown names raise now
        self.metrics = [[] for _ in names]
        self._loss_sums = [[0.0, 0] for _ in names]     # per output: sum of loss * n, n
        self._last = [0.0] * len(names)

    # -- data ---------------------------------------------------------------------------------
    def checked(self, model, x, y, sample_weight, class_weight, what):
        x = model._inputs(x, what + "x")
        n = len(x)
        if not n:
            raise ValueError(f"{what}x has no samples: pass at least one.")
        if class_weight is not None:
            raise ValueError("class_weight is for a model with one output; for several, give "
                             "sample_weight (one weight per sample).")
        ys = self.targets(y, n, what + "y")
        return x, ys, self.sample_weights(sample_weight, n, what + "sample_weight")

    def sample_weights(self, sample_weight, n, what):
        """One weight per sample for every output, or (a list in output order or a dict by
        output name, as Keras takes them) one array per output, as ``Columns``."""
        if isinstance(sample_weight, dict):
            unknown = [k for k in sample_weight if k not in self.names]
            if unknown:
                raise ValueError(f"{what} names {unknown}, which are not outputs of the model; "
                                 f"its outputs are {self.names}.")
            sample_weight = [sample_weight.get(name) for name in self.names]
        elif not (isinstance(sample_weight, (list, tuple)) and
                  len(sample_weight) == len(self.names) and
                  all(w is None or np.ndim(w) >= 1 for w in sample_weight)):
            return data.as_sample_weight(sample_weight, n, what)
        weights = [np.ones(n) if w is None else data.as_sample_weight(w, n, f"{what}[{name!r}]")
                   for w, name in zip(sample_weight, self.names)]
        return Columns(weights)

    def targets(self, y, n, what="y"):
        """One label array per output (``y`` a list in output order or a dict by output
        name), each checked against its loss and output shape, as ``Columns``."""
        if isinstance(y, dict):
            ys = [y.get(name) for name in self.names]
            unknown = [k for k in y if k not in self.names]
            if unknown or any(v is None for v in ys):
                raise ValueError(f"{what} is a dict by output name; the outputs are "
                                 f"{self.names}, got keys {list(y)}.")
        elif isinstance(y, (list, tuple, Columns)) and len(list(y)) == len(self.names):
            ys = list(y)
        else:
            raise ValueError(f"The model has {len(self.names)} outputs ({', '.join(self.names)})"
                             f": pass {what} as a list of {len(self.names)} label arrays or a "
                             f"dict by output name.")
        return Columns([targets(loss, value, n, shape, f"{what}[{name!r}]") for loss, value,
                        shape, name in zip(self.losses, ys, self.shapes, self.names)])

    # -- loss, metrics, logs ------------------------------------------------------------------
    def _per_output(self, sample_weight):
        """Each output's sample weights (the same array for all unless given per output)."""
        if hasattr(sample_weight, "arrays"):
            return list(sample_weight)
        return [sample_weight] * len(self.names)

    def loss_value(self, y, y_pred, sample_weight):
        """sum_k weight_k * loss_k; each unweighted loss_k is kept for the logs."""
        self._last = [float(loss(t, p, w)) for loss, t, p, w
                      in zip(self.losses, y, y_pred, self._per_output(sample_weight))]
        return sum(w * v for w, v in zip(self.weights, self._last))

    def gradients(self, y, y_pred, sample_weight, fused):
        return [loss_gradient(loss, w, t, p, sw, f) for loss, w, t, p, sw, f
                in zip(self.losses, self.weights, y, y_pred, self._per_output(sample_weight),
                       fused)]

    def build_metrics(self, y):
        """Fresh metric objects (and loss means) for labels like ``y``."""
        self._loss_sums = [[0.0, 0] for _ in self.names]
        self.metrics = [[(metrics_module.resolve(identifier, loss, shape, t), weighted)
                         for identifier, weighted in specs]
                        for specs, loss, shape, t in zip(self.specs, self.losses, self.shapes, y)]
        return [pair for pairs in self.metrics for pair in pairs]

    def reset(self):
        self._loss_sums = [[0.0, 0] for _ in self.names]
        for pairs in self.metrics:
            for metric, _ in pairs:
                metric.reset_state()

    def update(self, y, y_pred, sample_weight):
        """The running means of each output's loss (batch-size weighted) and its metrics."""
        n = len(y_pred[0])
        for sums, value in zip(self._loss_sums, self._last):
            sums[0] += value * n
            sums[1] += n
        for pairs, t, p, w in zip(self.metrics, y, y_pred, self._per_output(sample_weight)):
            for metric, weighted in pairs:
                metric.update_state(t, p, w if weighted else None)

    def logs(self, loss_value):
        logs = {"loss": loss_value}
        for name, (total, count) in zip(self.names, self._loss_sums):
            logs[f"{name}_loss"] = total / max(count, 1)
        for name, pairs in zip(self.names, self.metrics):
            for key, (metric, _) in zip(log_names(pairs), pairs):
                logs[f"{name}_{key}"] = float(metric.result())
        return logs

    def config(self):
        """compile's arguments as dicts by output name (for ``compile_config``)."""
        def by_name(values):
            return dict(zip(self.names, values))
        return {"loss": by_name(self.losses), "loss_weights": by_name(self.weights),
                "metrics": by_name([[m for m, w in s if not w] for s in self.specs]),
                "weighted_metrics": by_name([[m for m, w in s if w] for s in self.specs])}


def _metrics_by_output(metrics, names, what):
    """``metrics`` for each output: a dict by name, a list of lists in output order, or one
    flat list applied to every output."""
    if metrics is None:
        return [None] * len(names)
    if isinstance(metrics, dict):
        return per_output(metrics, names, what)
    if isinstance(metrics, (list, tuple)) and metrics and \
            all(isinstance(m, (list, tuple)) or m is None for m in metrics):
        if len(metrics) != len(names):
            raise ValueError(f"{what} is a list of lists, one per output, but has "
                             f"{len(metrics)} for {len(names)} outputs.")
        return list(metrics)
    return [metrics] * len(names)


def _per_output_metrics(value, what):
    if value is None:
        return []
    if isinstance(value, (str, metrics_module.Metric)):
        return [value]
    return metric_list(value, what)


def _number(value, what):
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} are numbers (one per output, or a dict by output name); got "
                         f"{value!r}.") from None
