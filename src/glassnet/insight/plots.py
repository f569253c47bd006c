"""Pictures of what ``glassnet.inspect`` measures, for people who would rather look than read.

Each ``plot_*`` function returns a ``matplotlib.figure.Figure`` (show it in a notebook, or
``fig.savefig("x.png")``). matplotlib is imported on first use and only its object API is used
(no pyplot, no global state), so figures render with the Agg backend anywhere, headless too.
"""
import numpy as np

from .measure import BOUNDED, activation_name, activations, probe_series

HEALTHY_UPDATE_RATIO = 1e-3     # the usual size of ||dW|| / ||W|| per step in healthy training


def _figure(columns=1, rows=1, width=4.0, height=3.0, sharey=False):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("glassnet's plots need matplotlib: pip install matplotlib "
                          "(or glassnet[plot]).") from None
    figure = Figure(figsize=(width * columns, height * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False, sharey=sharey)
    return figure, axes.ravel()


def plot_activation_histograms(model_or_outputs, x=None, bins=30, layers=None, value_range=None):
    """One histogram per layer of its outputs on ``x`` (Deep Learning from Scratch, 6.2).

    ``plot_activation_histograms(model, x)`` runs one forward pass in inference mode;
    ``plot_activation_histograms(outputs)`` takes a list of arrays (e.g. from
    ``inspect.activations``). ``layers`` picks layer indices (default: all). Bounded
    activations (sigmoid, tanh, ...) are drawn over their whole output range, others over
    their values, unless ``value_range=(low, high)`` is given. A sigmoid layer
    whose outputs pile up at 0 and 1 is saturated; one whose outputs all sit at one value has
    units that compute the same thing.
    """
    if x is not None:
        outputs = activations(model_or_outputs, x)
        names = [layer.name for layer in model_or_outputs.layers]
        ranges = [value_range or BOUNDED.get(activation_name(layer))
                  for layer in model_or_outputs.layers]
    else:
        outputs = [np.asarray(o) for o in model_or_outputs]
        names = [f"layer {i + 1}" for i in range(len(outputs))]
        ranges = [value_range] * len(outputs)
    indices = list(range(len(outputs))) if layers is None else list(layers)
    if not indices:
        raise ValueError("plot_activation_histograms needs at least one layer to draw.")
    # one count axis for all panels (its ticks shown once), so heights compare across layers
    figure, axes = _figure(columns=len(indices), width=2.6, height=2.6, sharey=True)
    for ax, index in zip(axes, indices):
        values = outputs[index].reshape(-1)
        values = values[np.isfinite(values)]
        ax.hist(values, bins=bins, range=ranges[index], color="tab:blue")
        if not values.size:
            ax.text(0.5, 0.5, "no finite values", transform=ax.transAxes, ha="center")
        ax.set_title(names[index], fontsize=9)
        ax.set_xlabel("output")
        if ax is axes[0]:
            ax.set_ylabel("count")
        else:
            ax.tick_params(labelleft=False)
    return figure


def plot_probe(history, stat, log=True, title=None, reference=None):
    """One line per layer: statistic ``stat`` of a Probe's records over training steps.

    ``reference`` draws a dashed horizontal line at that value (one more line on the axes).
    """
    steps, series = probe_series(history, stat)
    if not series and len(steps):
        raise ValueError(f"No layer has the statistic {stat!r} (saturated_share is for "
                         f"sigmoid/tanh-like layers, dead_share for ReLU layers, norms for "
                         f"layers with a kernel).")
    if not series:
        raise ValueError(f"The history has no {stat!r} records: train with "
                         f"callbacks=[glassnet.callbacks.Probe()] first.")
    figure, (ax,) = _figure(width=6.0, height=3.5)
    for name, values in series.items():
        shown = np.where(values > 0, values, np.nan) if log else values
        ax.plot(steps, shown, label=name)
    if reference is not None:
        ax.axhline(reference, color="gray", linestyle="--", linewidth=1)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("batch")
    ax.set_ylabel(stat.replace("_", " "))
    ax.set_title(title or stat.replace("_", " "))
    ax.legend(fontsize=8)
    return figure


def plot_gradient_norms(history):
    """Per-layer kernel gradient norms ||dL/dW|| over training (log scale): a gap of orders of
    magnitude between the first and the last layer is a vanishing (or exploding) gradient."""
    return plot_probe(history, "grad_norm", title="gradient norm per layer")


def plot_update_ratios(history):
    """Per-layer update ratios ||dW|| / ||W|| over training (log scale), with the usual healthy
    size 1e-3 dashed: far below it a layer barely moves; near 1 a step rewrites it."""
    return plot_probe(history, "update_ratio", title="update ratio per layer",
                      reference=HEALTHY_UPDATE_RATIO)


def plot_history(history):
    """The History curves: one panel per metric (loss, accuracy, ...), each with its
    ``val_`` twin when there is one, over epochs."""
    curves = getattr(history, "history", history)
    if not isinstance(curves, dict) or not curves:
        raise ValueError("plot_history takes the History that fit returned (with at least one "
                         "epoch recorded).")
    names = [k for k in curves if not k.startswith("val_")]
    names += [k[4:] for k in curves if k.startswith("val_") and k[4:] not in names]
    figure, axes = _figure(columns=len(names), width=4.0, height=3.0)
    for ax, name in zip(axes, names):
        for key, label in ((name, "training"), ("val_" + name, "validation")):
            if key in curves:
                values = np.asarray(curves[key], dtype=float)
                ax.plot(np.arange(1, len(values) + 1), values, label=label)
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.legend(fontsize=8)
    return figure
