"""``glassnet.inspect``: see inside a network, as numbers (``measure``) and as pictures
(``plots``).

- ``activations(model, x)``: each layer's output for one forward pass (inference mode);
- ``gradients(model, x, y)``: each layer's ``{"kernel": dW, "bias": db}`` at the current
  weights, without changing them; ``gradient_check(model, x, y)``: backprop against central
  differences;
- per-layer statistics (``output_statistics``, ``identical_units``, ``norm``, ``ratio``, ...)
  and ``probe_series`` (a statistic of ``history.probes`` per layer over training);
- ``plot_activation_histograms``, ``plot_gradient_norms``, ``plot_update_ratios``,
  ``plot_history``, ``plot_probe`` (matplotlib, imported when a picture is drawn).
"""
from .measure import (BOUNDED, RELU_FAMILY, SATURATION_MARGIN, activation_name, activations,
                      fast_norm, float64_copy, gradient_check, gradients, identical_units, norm,
                      output_kind, output_statistics, probe_series, ratio, units)
from .plots import (plot_activation_histograms, plot_gradient_norms, plot_history, plot_probe,
                    plot_update_ratios)

__all__ = ["BOUNDED", "RELU_FAMILY", "SATURATION_MARGIN", "activation_name", "activations",
           "fast_norm", "float64_copy", "gradient_check", "gradients", "identical_units", "norm",
           "output_kind", "output_statistics", "plot_activation_histograms",
           "plot_gradient_norms", "plot_history", "plot_probe", "plot_update_ratios",
           "probe_series", "ratio", "units"]
