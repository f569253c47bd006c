"""One record of per-layer statistics, as ``Probe`` appends to ``history.probes`` (the format
is in ``probe``'s docstring): ``LayerProbe`` keeps what one layer's row needs between steps,
and ``snapshot_record`` makes a whole record from one batch without training (what
``diagnose(model, x, y)`` reads)."""
import numpy as np

from .. import data
from ..arrays import to_host
from . import measure as inspect


class LayerProbe:
    """What the Probe keeps for one layer: its kernel before the step and its live units."""

    def __init__(self, layer):
        self.layer = layer
        named = dict(zip(layer.param_names, layer.params))
        self.kernel = named.get("kernel")
        # fit's backward writes into the same gradient arrays every step (the optimizer
        # holds them too), so one reference is enough
        self.grad = dict(zip(layer.param_names, layer.grads)).get("kernel")
        # statistics are computed on the host: on a GPU the probed arrays are fetched at
        # each probed step (Probe(every=N) thins that out)
        self.before = None if self.kernel is None else np.empty(self.kernel.shape,
                                                                self.kernel.dtype)
        if self.kernel is not None:        # flat views for the norms: no reshape per step
            self.before_flat, self.grad_flat = self.before.reshape(-1), self.grad.reshape(-1)
        self.activation = inspect.activation_name(layer)
        self.kind = inspect.output_kind(layer)
        self.class_name = type(layer).__name__
        self.units = inspect.units(layer)
        self.fan_in = None if self.kernel is None else int(self.kernel.shape[0])
        self.alive = self.kernel_norm = None

    def remember_kernel(self):
        """Copy the kernel before a step, and take its norm while the copy is in cache."""
        if self.kernel is not None:
            self.before[...] = to_host(self.kernel)
            self.kernel_norm = inspect.fast_norm(self.before_flat)

    def statistics(self, after=None):
        """This step's row; ``after`` is the kernel after the update (default: the layer's)."""
        layer = self.layer
        kernel_norm = grad_norm = update_ratio = None
        if self.kernel is not None:
            kernel_norm = self.kernel_norm
            np.subtract(to_host(self.kernel if after is None else after), self.before,
                        out=self.before)                                # the step's update
            grad_norm = inspect.fast_norm(to_host(self.grad_flat))
            update_ratio = inspect.ratio(inspect.fast_norm(self.before_flat), kernel_norm)
        mean = std = saturated = dead = None
        output = getattr(layer, "_y", None)
        if output is not None:
            output = to_host(output)
            mean, std, saturated, alive = inspect.output_statistics(layer, output, self.kind)
            if alive is not None:
                dead = 1.0 - int(np.add.reduce(alive)) / alive.size
                if self.alive is None:
                    self.alive = alive
                else:
                    np.logical_or(self.alive, alive, out=self.alive)
        return {"name": layer.name, "class": self.class_name, "activation": self.activation,
                "units": self.units, "fan_in": self.fan_in, "kernel_norm": kernel_norm,
                "grad_norm": grad_norm, "update_ratio": update_ratio, "activation_mean": mean,
                "activation_std": std, "saturated_share": saturated, "dead_share": dead,
                "dead_share_epoch": None, "identical_groups": None, "identical_units": None}

    def epoch_statistics(self):
        stats = {}
        if self.alive is not None:
            stats["dead_share_epoch"] = 1.0 - int(np.count_nonzero(self.alive)) / self.alive.size
        if self.kernel is not None:
            groups, members = inspect.identical_units(self.layer)
            stats["identical_groups"], stats["identical_units"] = groups, members
        return stats


def snapshot_record(model, x, y, sample_weight=None):
    """A Probe record for ``model`` on one batch, without training: the statistics of one
    forward and backward pass (dropout off), ``update_ratio`` from the step a fresh copy of
    the model's optimizer would take (on copies of the weights), the per-epoch statistics
    from this batch alone. Nothing in the model changes. Returns ``(record, targets)``, the
    targets as the loss sees them."""
    x = model._inputs(x)
    y = model._targets(y, len(x))
    sample_weight = data.as_sample_weight(sample_weight, len(x))
    targets = y
    x, y, sample_weight = model._device_data(x, y, sample_weight)
    with inspect._preserved(model), np.errstate(all="ignore"):
        loss, _ = inspect._loss_and_backward(model, x, y, sample_weight)
        loss = float(loss)
        probes = [LayerProbe(layer) for layer in model.layers]
        after = _next_kernels(model)
        rows = []
        for probe in probes:
            probe.remember_kernel()
            rows.append(probe.statistics(after.get(id(probe.layer))))
            rows[-1].update(probe.epoch_statistics())
    record = {"step": 0, "epoch": 0, "batch": 0, "loss": loss, "layers": rows}
    return record, targets


def _next_kernels(model):
    """Each trainable layer's kernel after one step of a fresh copy of the optimizer, taken
    on copies of the weights: {id(layer): kernel}. Empty when the optimizer cannot be copied."""
    optimizer = model.optimizer
    try:
        fresh = type(optimizer).from_config(optimizer.get_config())
    except (AttributeError, TypeError, ValueError):
        return {}
    layers = [layer for layer in model.layers if layer.trainable and layer.params]
    params = [p.copy() for layer in layers for p in layer.params]
    grads = [g for layer in layers for g in layer.grads]
    fresh.apply(params, grads)
    kernels, start = {}, 0
    for layer in layers:
        named = dict(zip(layer.param_names, params[start:start + len(layer.params)]))
        if "kernel" in named:
            kernels[id(layer)] = named["kernel"]
        start += len(layer.params)
    return kernels
