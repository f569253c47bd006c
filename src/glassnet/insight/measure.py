"""The measurements behind ``glassnet.inspect``: activations, gradients, a gradient check,
per-layer statistics.

Every function here reads what the layers' ``forward`` and ``backward`` compute; none of them
changes a weight. The statistics are the chapter's questions as numbers:

- ``kernel_norm`` ||W|| and ``grad_norm`` ||dL/dW|| (Frobenius norms of the kernel);
- ``update_ratio`` ||W_after - W_before|| / ||W_before||: how much one step moves a layer
  (about 1e-3 is the usual healthy size; far below, training stalls; near 1, it explodes);
- ``activation_mean`` / ``activation_std`` of a layer's output;
- ``saturated_share``: for bounded activations (sigmoid, tanh, ...) the share of outputs
  within 5% of the output range from a limit, where the derivative is nearly 0;
- ``dead_share``: for ReLU-family activations the share of units that output 0 for every
  sample of the batch (no gradient flows through them);
- ``identical_groups`` / ``identical_units``: groups of units whose incoming weights (kernel
  column and bias) are equal to a tolerance: such units compute the same thing, get the same
  gradient, and stay equal forever (the symmetry that random initialization breaks).

Pictures of these numbers are in ``plots``; ``inspect`` is the public face of both.
"""
import functools
import math
import warnings

import numpy as np

from .. import data
from ..arrays import array_module, host_copy, on_device, to_host

__all__ = ["activations", "gradients", "gradient_check", "float64_copy", "probe_series", "norm",
           "output_statistics", "identical_units"]

# Output ranges (low, high) of the activations whose derivative vanishes near their limits.
BOUNDED = {"sigmoid": (0.0, 1.0), "hard_sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0),
           "softsign": (-1.0, 1.0), "hard_tanh": (-1.0, 1.0)}
# Activations that output exactly 0 on a whole region, where their derivative is exactly 0.
RELU_FAMILY = ("relu", "relu6")
SATURATION_MARGIN = 0.05     # "near a limit": within 5% of the output range


def activations(model, x):
    """Each layer's output for one forward pass in inference mode (dropout off).

    Returns a list with one array per entry of ``model.layers``. Works on an uncompiled
    model; the layers' cached values are left as they were.
    """
    _check_model(model)
    x, = model._device_data(model._inputs(x))
    outputs = []
    with _preserved(model), np.errstate(all="ignore"):
        if hasattr(model, "layer_outputs"):           # a functional graph: every branch
            return [host_copy(y) for y in model.layer_outputs(x)]
        for layer in model.layers:
            x = layer.forward(x, training=False)
            outputs.append(host_copy(x))              # NumPy, wherever the model runs
    return outputs


def gradients(model, x, y, sample_weight=None):
    """Gradients of the compiled loss at the current weights, one dict per layer.

    ``[{"kernel": dW, "bias": db}, {}, ...]``: keys are the layer's weight names, an empty
    dict for layers without weights. Dropout is off (inference mode), so the result is
    deterministic and draws no random numbers. Nothing changes: no weight, no optimizer
    state, no layer cache (they are restored afterwards).
    """
    _check_model(model)
    model._require_compiled("inspect.gradients")
    x = model._inputs(x)
    y = model._targets(y, len(x))
    sample_weight = data.as_sample_weight(sample_weight, len(x))
    x, y, sample_weight = model._device_data(x, y, sample_weight)
    with _preserved(model), np.errstate(all="ignore"):
        _loss_and_backward(model, x, y, sample_weight)
        return [{name: host_copy(grad) for name, grad in zip(layer.param_names, layer.grads)}
                for layer in model.layers]


STEPS = (1e-3, 1e-2, 1e-4, 1e-1)   # relative steps along a direction, tried in this order
DIRECTIONS = 3                  # seeded random directions per weight array, besides the gradient's
AGREED = 1e-6                   # a direction this close at one step needs no other step
FLOOR = 1e-2                    # a random direction's derivative counts at least 1e-2 ||g||
ROUNDING = 1e3                  # ulps of float64 rounding a forward pass can gather
EPSILON64 = float(np.finfo(np.float64).eps)
SEED = 0                        # the random directions' generator: the check is deterministic


def gradient_check(model, x, y, sample_weight=None, eps=STEPS, max_entries=None,
                   directions=DIRECTIONS):
    """Largest relative error between backpropagation and central differences, in float64.

    Works on a float64 copy of the model (the model itself is untouched), with dropout off.
    Each weight array W with backprop gradient g is checked along unit directions d: the
    gradient's own, d = g / ||g||, and ``directions`` random ones (Gaussian, normalized, from
    a NumPy generator seeded with 0, so the result is deterministic). Along d the step is
    scaled to the array, h = r * max(||W||, 1e-2 sqrt(n)) for each relative step r in ``eps``
    (1e-3 first; 1e-2, 1e-4 and 1e-1 only while the direction disagrees by more than 1e-6),
    numeric = (L(W + h d) - L(W - h d)) / (2 h) against backprop's g . d, and the direction's
    error is the smallest over the steps of |g . d - numeric| / max(|g . d|, |numeric|,
    floor, resolution): floor = 1e-2 ||g||, resolution = 1000 ulps of the loss / (2 h), the
    smallest derivative float64 differences resolve at that step.

    Why directions and not single entries: along g the whole array's gradient adds up, a
    signal ||g|| against one rounding of the loss, so the first layers of a deep sigmoid or
    Glorot ReLU net, whose entries are too small for per-entry differences to resolve (they
    scored 2.3e-4 and 4.9e-4 that way), are checked as precisely as the last; an error in g
    changes g . g / ||g|| by its part along g, and the random directions catch an error
    orthogonal to g (|e . d| ~ ||e|| / sqrt(n) against a floor of 1e-2 ||g||). One step
    cannot serve every net: a small one drowns tiny gradients in rounding, a large one bends
    with the function; a correct gradient agrees at some step, a wrong one at none. ReLU
    layers keep the on/off pattern of the point checked (``_FrozenReLU``), so no step crosses
    a kink. The cost: two forward passes per direction and step, (1 + ``directions``) x 2
    passes per array when the first step agrees.

    Below 1e-4 is a correct gradient, above 1e-3 a wrong one. Measured on the lab's nets
    (seed 0, their batch of 256: vanishing's 10 sigmoid layers, deep-relu's 10 and 30 ReLU
    layers with Glorot and He) and the README's 5-layer sigmoid net: correct nets score
    6.5e-8 to 2.3e-6 (10 sigmoid layers 2.3e-6, 30 Glorot ReLU layers 9.6e-7); one layer's
    gradient 1% off scores 9.9e-3 in its first, middle or last layer, 7.6e-3 to 7.9e-2 with
    half of the first layer's entries 1% off, 1.5e-2 to 1.6e-1 with an error of 1% of ||g||
    orthogonal to the first layer's g.

    ``max_entries`` is deprecated and ignored (the per-entry check it sized is gone): pass
    ``directions`` to choose how many random directions each array gets.
    """
    if max_entries is not None:
        warnings.warn("inspect.gradient_check(max_entries=...) is deprecated and ignored: the "
                      "check follows directions per weight array now; pass directions=N to "
                      "choose how many random ones.", DeprecationWarning, stacklevel=2)
    if not isinstance(directions, int) or isinstance(directions, bool) or directions < 0:
        raise ValueError(f"directions must be a whole number >= 0 (random directions per "
                         f"weight array), got {directions!r}.")
    steps = (eps,) if isinstance(eps, (int, float)) else tuple(eps)
    if not steps or not all(isinstance(r, (int, float)) and r > 0 for r in steps):
        raise ValueError(f"eps must be a positive relative step or a sequence of them, "
                         f"got {eps!r}.")
    _check_model(model)
    model._require_compiled("inspect.gradient_check")
    x64 = _float64(model._inputs(x))            # shape check (and build) on the model
    y64 = model._targets(y, len(x64))
    y64 = _float64(y64, y) if hasattr(y64, "arrays") else \
        data.as_labels(y, "y").astype(np.float64) if y64.dtype.kind == "f" else y64
    sample_weight = data.as_sample_weight(sample_weight, len(x64))
    clone = float64_copy(model)
    x64, y64, sample_weight = clone._device_data(x64, y64, sample_weight)
    generator = np.random.default_rng(SEED)
    with np.errstate(all="ignore"):
        _loss_and_backward(clone, x64, y64, sample_weight)
        _freeze_kinks(clone)
        worst = 0.0
        check = functools.partial(_check_array, clone, x64, y64, sample_weight)
        for layer in clone.layers:
            for param, grad in zip(layer.params, [g.copy() for g in layer.grads]):
                worst = max(worst, check(param, grad, steps, directions, generator))
    return worst


def _float64(arrays, originals=None):
    """Checked inputs or targets in float64 (several, for a functional model: each float
    array; targets from the originals, not their float32 rounding)."""
    if not hasattr(arrays, "arrays"):
        return arrays.astype(np.float64) if arrays.dtype.kind == "f" else arrays
    if originals is not None:
        originals = list(originals.values()) if isinstance(originals, dict) else list(originals)
    else:
        originals = list(arrays)
    return type(arrays)([np.asarray(o, dtype=np.float64) if a.dtype.kind == "f" else a
                         for a, o in zip(arrays, originals)])


def float64_copy(model):
    """A deep copy of ``model`` whose weights are float64 (for checks in full precision)."""
    import copy                                # only here: it is slow to import
    # Share what the copy never changes (activations may be unregistered custom objects).
    shared = [getattr(model, name, None) for name in ("history", "optimizer", "loss")]
    shared += [getattr(layer, "activation", None) for layer in model.layers]
    clone = copy.deepcopy(model, {id(obj): obj for obj in shared if obj is not None})
    for layer in clone.layers:
        layer.dtype = "float64"
        arrays = [layer.params, layer.grads, getattr(layer, "buffers", [])]
        cast = {}                        # id(float32 array) -> its float64 copy
        for group in arrays:
            for i, array in enumerate(group):
                group[i] = cast.setdefault(id(array), array.astype(np.float64))
        for name, value in vars(layer).items():         # kernel, bias, gradient aliases...
            if id(value) in cast:
                setattr(layer, name, cast[id(value)])
    clone._collect_params()
    return clone


class _FrozenReLU:
    """ReLU with the on/off pattern of the point being checked: relu(z) = z * (z0 > 0).

    Backpropagation gives a ReLU net's derivative in the linear region it is in (f'(z) = 1
    where z > 0, else 0). A deep ReLU net has so many units within any usable step of their
    kink (30 Glorot layers: activations near 1e-5) that differences across a kink measure
    another region's slope; with the pattern frozen they measure this region's, which is
    what backpropagation must match. The pattern comes from the forward pass, not from
    ReLU's backward, so a wrong ReLU derivative is still caught."""

    def __init__(self, mask):
        self.mask = mask

    def __call__(self, z):
        return z * self.mask


def _freeze_kinks(model):
    """Give every plain-ReLU Dense layer of ``model`` (a float64 clone) its current pattern."""
    for layer in model.layers:
        activation = getattr(layer, "_activation", None)
        z = getattr(layer, "_z", None)
        if type(activation).__name__ == "_ReLU" and z is not None:
            layer._activation = _FrozenReLU(z > 0)


def _check_array(model, x, y, sample_weight, param, grad, steps, directions, generator):
    """The worst direction of one weight array (see ``gradient_check``)."""
    xp = array_module(param)
    flat, grad_flat = param.reshape(-1), grad.reshape(-1)
    if flat.size == 0:
        return 0.0
    size = float(xp.linalg.norm(grad_flat))
    scale = max(float(xp.linalg.norm(flat)), 1e-2 * flat.size ** 0.5)
    units = [grad_flat / size] if size > 0 and math.isfinite(size) else []
    for _ in range(directions):
        d = generator.standard_normal(flat.size)
        units.append(xp.asarray(d / np.linalg.norm(d), dtype=flat.dtype))
    saved = flat.copy()
    worst = 0.0
    for d in units:
        analytic = float(xp.dot(grad_flat, d))
        best = math.inf
        for relative in steps:
            step = relative * scale
            flat[...] = saved + step * d
            plus = _loss(model, x, y, sample_weight)
            flat[...] = saved - step * d
            minus = _loss(model, x, y, sample_weight)
            flat[...] = saved
            numeric = (plus - minus) / (2 * step)
            # what float64 can resolve: a loss difference within ROUNDING ulps of the loss
            resolution = ROUNDING * EPSILON64 * max(abs(plus), abs(minus)) / (2 * step)
            denominator = max(abs(numeric), abs(analytic), FLOOR * size, resolution, 1e-300)
            best = min(best, abs(analytic - numeric) / denominator)
            if best < AGREED:
                break
        worst = max(worst, best)
    return worst


def _loss(model, x, y, sample_weight):
    return float(model._loss_value(y, model._forward(x, training=False), sample_weight))


def _loss_and_backward(model, x, y, sample_weight):
    """The compiled loss at the current weights, with every layer's ``grads`` filled."""
    y_pred = model._forward(x, training=False)
    loss_value = model._loss_value(y, y_pred, sample_weight)    # with any penalties, as fit
    model._backward(y, y_pred, sample_weight)
    return loss_value, y_pred


def _check_model(model):
    if not (hasattr(model, "layers") and hasattr(model, "_forward")):
        raise TypeError(f"glassnet.inspect works on a glassnet Sequential model, got "
                        f"{type(model).__name__}. Build one with glassnet.Sequential([...]).")


class _preserved:
    """Context manager: every layer's cached arrays and gradients are as before on exit.

    Layers keep what ``forward`` computed (``_x``, ``_z``, ``_y``, ...) and ``backward`` fills
    ``grads`` in place; inspecting must leave both as training left them.
    """

    def __init__(self, model):
        self.layers = model.layers

    def __enter__(self):
        self.saved = []
        for layer in self.layers:
            attributes = dict(vars(layer))
            contents = {k: v.copy() for k, v in attributes.items()
                        if (isinstance(v, np.ndarray) or on_device(v))
                        and not any(v is p for p in layer.params)}
            grads = [g.copy() for g in layer.grads]
            self.saved.append((attributes, contents, grads))
        return self

    def __exit__(self, *exc):
        for layer, (attributes, contents, grads) in zip(self.layers, self.saved):
            for name in set(vars(layer)) - set(attributes):
                delattr(layer, name)
            for name, value in attributes.items():
                setattr(layer, name, value)
            for name, value in contents.items():
                attributes[name][...] = value          # arrays a layer reuses in place
            for grad, value in zip(layer.grads, grads):
                grad[...] = value
        return False


# -- statistics ---------------------------------------------------------------------------------
def norm(array):
    """Frobenius norm sqrt(sum a^2); in float64 when float32 squares would overflow."""
    with np.errstate(over="ignore", invalid="ignore"):
        return fast_norm(array)


def fast_norm(array):
    """``norm`` without its own floating-point error state (``fit`` already silences it)."""
    xp = array_module(array)
    flat = array if array.ndim == 1 else array.reshape(-1)
    total = float(xp.dot(flat, flat))
    if math.isinf(total):
        flat = flat.astype(np.float64)
        total = float(xp.dot(flat, flat))
    return math.sqrt(total) if total == total else float("nan")


def ratio(numerator, denominator):
    """numerator / denominator with IEEE results (inf, nan) instead of ZeroDivisionError."""
    if denominator == 0:
        return float("nan") if numerator == 0 or numerator != numerator else \
            math.copysign(float("inf"), numerator)
    return numerator / denominator


def activation_name(layer):
    """The name of a layer's activation ('relu', 'sigmoid', ...), or None."""
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", None) if activation is not None else None


def units(layer):
    """The number of units of a layer (its output's last dimension), or None if unknown."""
    count = getattr(layer, "units", None)
    if count is None and layer.built and layer.input_shape is not None:
        shape = layer.compute_output_shape(tuple(layer.input_shape))
        count = shape[-1] if shape else None
    return count


def output_kind(layer):
    """What ``output_statistics`` measures for a layer: the (low, high) range of a bounded
    activation (saturation), "relu" for ReLUs without a negative slope (dead units), or None."""
    name = activation_name(layer)
    if name in BOUNDED:
        return BOUNDED[name]
    if name in RELU_FAMILY and not getattr(layer, "negative_slope", 0):
        return "relu"
    return None


def output_statistics(layer, output, kind=False):
    """Mean, std, saturated share and per-unit liveness of one batch of a layer's output.

    Returns ``(mean, std, saturated_share, alive)``; ``saturated_share`` is None unless the
    activation is bounded, ``alive`` (a boolean per unit: nonzero for some sample) is None
    unless it is ReLU-family (``kind``: ``output_kind(layer)``, computed when not given).
    One pass: mean = sum(y) / n, std = sqrt(sum(y^2) / n - mean^2) (clamped at 0, the sum of
    squares a BLAS dot product): accurate to about 1e-5 of the outputs' scale, plenty for a
    statistic, and cheap enough to run every step. The sum goes through each unit's sum over
    the batch, which for ReLU outputs (never negative) also says whether the unit was alive.
    """
    if kind is False:
        kind = output_kind(layer)
    rows = output if output.ndim == 2 else output.reshape(-1, output.shape[-1])
    n = rows.size
    if n == 0:
        return float("nan"), float("nan"), None, None
    unit_sums = np.dot(_ones(len(rows), rows.dtype.str), rows)     # each unit's batch sum
    mean = float(np.add.reduce(unit_sums)) / n
    flat = rows.reshape(-1)
    variance = float(np.dot(flat, flat)) / n - mean * mean
    std = math.sqrt(variance) if variance > 0 else (0.0 if variance == variance else variance)
    if kind is None:
        return mean, std, None, None
    if kind == "relu":
        return mean, std, None, unit_sums > 0
    low, high = kind
    limit = (high - low) / 2.0 * (1.0 - 2.0 * SATURATION_MARGIN)
    outside = np.abs(flat - flat.dtype.type((high + low) / 2.0)) > limit
    return mean, std, int(np.count_nonzero(outside)) / n, None


@functools.lru_cache(maxsize=16)
def _ones(n, dtype):
    """A read-only vector of n ones, made once per batch size (Probe calls this every step)."""
    ones = np.ones(n, dtype)
    ones.setflags(write=False)
    return ones


def identical_units(layer, tolerance=None):
    """Groups of units with equal incoming weights: ``(groups, units_in_groups)``.

    Two units are identical when their kernel columns and biases differ by at most
    ``tolerance`` x the larger of the two units' largest weights (default: 100 machine
    epsilons of the layer's dtype). Only groups of two or more count; units with a NaN or
    inf weight are left out. Each unit gets two keys, fixed projections of its weights (one
    matrix product); units are sorted by the first, and only neighbours whose keys are both
    as close as equal units' would be are compared: a product and a sort, not all pairs.
    """
    named = dict(zip(layer.param_names, layer.params))
    kernel, bias = named.get("kernel"), named.get("bias")
    kernel, bias = (None if a is None else to_host(a) for a in (kernel, bias))  # on the host
    if kernel is None or kernel.ndim != 2:
        return None, None
    fan_in = kernel.shape[0]
    projections, eps, weight_sums = _projections(fan_in, kernel.dtype.str)
    if tolerance is None:
        tolerance = 100 * eps
    keys = projections[:, :fan_in] @ kernel
    scales = np.maximum.reduce(np.abs(kernel), axis=0) if fan_in else np.zeros(kernel.shape[1])
    if bias is not None:
        keys += projections[:, fan_in:] * bias
        scales = np.maximum(scales, np.abs(bias))
    order = np.argsort(keys[0])
    if not np.isfinite(np.add.reduce(keys, axis=None)):          # leave NaN and inf units out
        order = order[np.isfinite(keys[0, order] + keys[1, order])]
    if len(order) < 2:
        return 0, 0
    keys, scales = keys[:, order], scales[order]
    # equal units' keys differ by at most this (the tolerance, plus the keys' rounding)
    slack = np.maximum(scales[:-1], scales[1:]) * (tolerance + (fan_in + 1) * eps)
    gaps = np.abs(np.diff(keys, axis=1))
    close = np.logical_and(gaps[0] <= slack * weight_sums[0], gaps[1] <= slack * weight_sums[1])
    if not np.logical_or.reduce(close):
        return 0, 0
    breaks = np.flatnonzero(~close) + 1
    starts = np.concatenate(([0], breaks))
    stops = np.concatenate((breaks, [len(order)]))
    pairs = starts[stops - starts == 2]             # most close keys are a pair: check at once
    same = _max_difference(kernel, bias, order[pairs], order[pairs + 1]) <= \
        tolerance * np.maximum(scales[pairs], scales[pairs + 1])
    groups = members = int(np.count_nonzero(same))
    members *= 2
    for start, stop in zip(starts[stops - starts > 2], stops[stops - starts > 2]):
        units = order[start:stop]
        rows = kernel[:, units].T.astype(np.float64)
        if bias is not None:
            rows = np.concatenate([rows, bias[units, None].astype(np.float64)], axis=1)
        g, m = _group_run(rows, scales[start:stop], tolerance)
        groups, members = groups + g, members + m
    return groups, members


@functools.lru_cache(maxsize=64)
def _projections(fan_in, dtype):
    """Two fixed projections of a unit's fan_in + 1 weights (kernel column, then bias):
    sqrt(i + 2) and 1 / sqrt(i + 2), all distinct and not proportional to each other; the
    dtype's epsilon; the sums of each projection's weights."""
    root = np.sqrt(np.arange(2.0, fan_in + 3.0))
    projections = np.stack([root, 1.0 / root])
    eps = float(np.finfo(np.dtype(dtype)).eps)
    return projections.astype(dtype), eps, projections.sum(axis=1)


def _max_difference(kernel, bias, first, second):
    """max |w_first - w_second| over each pair's incoming weights (kernel column and bias)."""
    difference = np.max(np.abs(kernel[:, first].astype(np.float64) - kernel[:, second]), axis=0,
                        initial=0.0)
    if bias is not None:
        difference = np.maximum(difference, np.abs(bias[first].astype(np.float64) - bias[second]))
    return difference


def _group_run(rows, scales, tolerance):
    """Groups of equal rows among rows whose projections were close."""
    groups = members = 0
    while len(rows) > 1:
        difference = np.max(np.abs(rows - rows[0]), axis=1)
        same = difference <= tolerance * np.maximum(scales, scales[0])
        count = int(np.count_nonzero(same))
        if count > 1:
            groups, members = groups + 1, members + count
        rows, scales = rows[~same], scales[~same]
    return groups, members


def probe_series(history, stat):
    """One statistic of a Probe's records over training.

    Returns ``(steps, {layer_name: values})``: ``steps`` the probed batch numbers (counted
    from the start of ``fit``), ``values`` a float array per layer that has the statistic
    (NaN where a record lacks it). ``stat="loss"`` gives ``{"loss": values}``.
    """
    records = getattr(history, "probes", history)
    if not isinstance(records, (list, tuple)):
        raise TypeError(f"probe_series takes a History (from fit with a Probe) or its "
                        f"`probes` list, got {type(history).__name__}.")
    steps = np.array([r["step"] for r in records], dtype=np.int64)
    if stat == "loss":
        return steps, {"loss": np.array([_number(r["loss"]) for r in records])}
    series = {}
    for index, record in enumerate(records):
        for row in record["layers"]:
            if row.get(stat) is not None:
                values = series.setdefault(row["name"], np.full(len(records), np.nan))
                values[index] = row[stat]
    if records and not series and stat not in records[0]["layers"][0]:
        known = ", ".join(sorted(records[0]["layers"][0]))
        raise ValueError(f"Probe records have no statistic {stat!r}; they have: {known}.")
    return steps, series


def _number(value):
    return float("nan") if value is None else float(value)
