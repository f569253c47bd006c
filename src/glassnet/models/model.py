"""``Model``: what every model shares, whatever its graph: the layers' weights, ``compile``
(the optimizer, the loss and the metrics resolved by name, all at once), the checks on
targets, the loss value, ``summary`` and the files. The training loop is ``Trainer``'s.

A subclass (``Sequential``, the functional graph) says how data flows: ``_inputs``,
``_forward``, ``_backward``, ``_fused``, ``output_shape``, ``get_config``.
"""
import numpy as np

from .. import data
from ..arrays import as_scalar, host_copy, to_floats
from .. import metrics as metrics_module
from ..naming import unique_name
from .outputs import log_names, metric_list, resolve_loss, resolve_optimizer, targets
from .as_layer import LayerRole
from .trainer import Trainer


class Model(Trainer, LayerRole):
    """The base of glassnet's models, as ``keras.Model``: ``Model(inputs, outputs)`` makes a
    functional model (``functional.Functional``), as Keras's ``Model.__new__`` does."""

    # Model(inputs, outputs) makes this class; functional.py sets it when it defines
    # Functional (a subclass of Model), so this module never imports its subclass.
    _functional_class = None

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            return Model._functional_class.__new__(Model._functional_class)
        return super().__new__(cls)

    def __init__(self, name=None, trainable=True):
        self.name = name or unique_name(self._default_name)
        self._layers = []
        self._inbound_nodes = []          # a call in a functional model (as_layer.py)
        self._trainable = bool(trainable)
        self.optimizer = self.loss = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._metric_specs = []           # (identifier, weighted) as compile got them
        self._metrics = []                # metric objects of the last fit/evaluate
        self._params, self._grads = [], []
        self._regularized = []            # layers with a weight or activity regularizer
        self._loss_weight = 1.0

    _default_name = "model"

    # -- building -----------------------------------------------------------------------------
    @property
    def layers(self):
        """The layers, without the Input (as Keras)."""
        return list(self._layers)

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        """Freezing (or unfreezing) the model sets every layer's ``trainable``, as Keras does;
        like Keras, it takes effect in training after the next ``compile``."""
        self._trainable = bool(value)
        for layer in self._layers:
            layer.trainable = self._trainable
        self._collect_params()

    def _collect_params(self, appended=None):
        """The arrays the optimizer updates and their gradients, trainable layers only
        (never the buffers, e.g. BatchNormalization's moving statistics). ``appended``: the
        one layer put on top since the last collection; only its arrays are added, so that
        building a model stays linear in its layers."""
        if appended is not None:
            if self.trainable and appended.trainable:
                self._params += appended.params
                self._grads += appended.grads
            if appended.activity_regularizer is not None or any(
                    r is not None for r in appended.regularizers):
                self._regularized.append(appended)
            return
        trainable = [l for l in self._layers if l.trainable] if self.trainable else []
        self._params = [p for l in trainable for p in l.params]
        self._grads = [g for l in trainable for g in l.grads]
        self._regularized = [l for l in self._layers if l.activity_regularizer is not None
                             or any(r is not None for r in l.regularizers)]

    # -- weights ------------------------------------------------------------------------------
    @property
    def weights(self):
        return [p for l in self._layers for p in l.weights]

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [p for l in self._layers for p in l.trainable_weights]

    @property
    def non_trainable_weights(self):
        trainable = {id(p) for p in self.trainable_weights}
        return [p for p in self.weights if id(p) not in trainable]

    def get_weights(self):
        """Copies of every weight array, layer by layer: kernel (in, out) then bias."""
        return [host_copy(p) for p in self.weights]       # NumPy, wherever the model lives

    def set_weights(self, weights):
        """Copy ``weights`` (as ``get_weights`` returns them) into the model; shapes must match."""
        weights = list(weights)
        expected = [p.shape for p in self.weights]
        if len(weights) != len(expected):
            raise ValueError(f"set_weights needs {len(expected)} arrays (kernel and bias per Dense "
                             f"layer, in the order get_weights() returns them), got "
                             f"{len(weights)}.")
        for index, (shape, value) in enumerate(zip(expected, weights)):
            if np.shape(value) != shape:
                raise ValueError(f"set_weights: array {index} should have shape {shape}, got "
                                 f"{np.shape(value)}. Use model.get_weights() to see the shapes.")
        start = 0
        for layer in self._layers:
            count = len(layer.weights)
            layer.set_weights(weights[start:start + count])
            start += count

    def count_params(self):
        if not self.built:
            raise ValueError(f"count_params() needs a built model: start {self.name!r} with "
                             f"Input(shape=...) or call fit/build first.")
        return sum(l.count_params() for l in self._layers)

    # -- compile ------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Resolve the optimizer, the loss and every metric by name, all at once.

        Unlike Keras (which waits for ``fit``), an unknown name raises here. ``loss_weights``
        (one number, or a list of one) scales the loss. The rest of Keras's arguments are
        accepted and have nothing to do on NumPy.
        """
        if _looks_like_metrics(loss_weights):
            raise TypeError(f"compile's third positional argument is loss_weights (as in Keras), "
                            f"got {loss_weights!r}. Pass metrics by name: "
                            f"compile(optimizer, loss, metrics={loss_weights!r}).")
        if loss is None:
            raise ValueError("compile() needs a loss, e.g. loss='sparse_categorical_crossentropy' "
                             "for integer class labels or loss='mse' for regression.")
        resolved_optimizer = resolve_optimizer(optimizer)
        resolved_loss = resolve_loss(loss)
        specs = ([(m, False) for m in metric_list(metrics, "metrics")]
                 + [(m, True) for m in metric_list(weighted_metrics, "weighted_metrics")])
        for identifier, _ in specs:
            metrics_module.resolve(identifier, resolved_loss, None)   # unknown names raise now
        self.optimizer, self.loss = resolved_optimizer, resolved_loss
        self._loss_weight = _loss_weight(loss_weights)
        self._metric_specs = specs
        self._metrics = []
        self.compiled = True

    def _require_compiled(self, method):
        if not self.compiled:
            raise ValueError(f"{method}() needs a compiled model: call model.compile(optimizer="
                             f"'adam', loss='sparse_categorical_crossentropy', metrics="
                             f"['accuracy']) first.")

    @property
    def metrics(self):
        """The metric objects of the last fit/evaluate, in compile's order (as Keras's
        compiled metrics)."""
        return [metric for metric, _ in self._metrics]

    @property
    def metrics_names(self):
        return ["loss"] + log_names(self._metrics)

    def _build_metrics(self, y):
        """Metric objects for labels like ``y`` ('accuracy' resolves from the shapes)."""
        self._metrics = [(metrics_module.resolve(identifier, self.loss, self.output_shape, y),
                          weighted) for identifier, weighted in self._metric_specs]
        return self._metrics

    def _reset_metrics(self):
        for metric, _ in self._metrics:
            metric.reset_state()

    def _logs(self, loss_value):
        """The loss and every metric as Python floats (from a device: one transfer for all)."""
        values = to_floats([loss_value] + [metric.result() for metric, _ in self._metrics])
        return dict(zip(["loss"] + log_names(self._metrics), values))

    def _targets(self, y, n, what="y"):
        """Labels checked against the loss and the output shape, one per sample."""
        return targets(self.loss, y, n, self.output_shape, what)

    def _checked(self, x, y, sample_weight, class_weight=None, what=""):
        x = self._inputs(x, what + "x")
        if not len(x):
            raise ValueError(f"{what}x has no samples (shape {x.shape}): pass at least one.")
        y = self._targets(y, len(x), what + "y")
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError("Give fit either sample_weight or class_weight, not both.")
            sample_weight = data.class_weight_to_sample_weight(y, class_weight)
        sample_weight = data.as_sample_weight(sample_weight, len(x), what + "sample_weight")
        return x, y, sample_weight

    def _loss_value(self, y, y_pred, sample_weight):
        """Keras's total loss: the compiled loss (times loss_weights) plus every penalty of
        ``losses`` (weights' and, for the forward pass just run, activities')."""
        # a float on the host; on a device a 0-d array left there (fetched with the logs)
        value = as_scalar(self.loss(y, y_pred, sample_weight))
        if self._loss_weight != 1.0:                 # (on a GPU, a kernel saved per step)
            value = value * self._loss_weight
        if self._regularized:
            value += as_scalar(sum(loss for layer in self._regularized for loss in layer.losses))
        return value

    @property
    def losses(self):
        """Keras's ``model.losses``: every layer's regularization penalties (``layer.losses``)."""
        return [loss for layer in self._layers for loss in layer.losses]

    # -- summary and config -------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Print the layers, output shapes and parameter counts in Keras 3's table layout."""
        from .summary import summary_text
        text = summary_text(self, line_length=line_length, positions=positions,
                            show_trainable=show_trainable, layer_range=layer_range)
        if print_fn is None:
            print(text)
        else:
            print_fn(text + "\n")         # Keras hands print_fn the captured text, newline included

    def save(self, filepath, overwrite=True, **kwargs):
        from .. import saving
        saving.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite=True, max_shard_size=None):
        """Write the weights (and the optimizer state) to a Keras ``.weights.h5`` file."""
        from .. import saving
        saving.save_weights(self, filepath, overwrite=overwrite, max_shard_size=max_shard_size)

    def load_weights(self, filepath, skip_mismatch=False):
        """Read weights saved by ``save_weights`` (or from a ``.keras`` file), layer by layer."""
        from .. import saving
        saving.load_weights(self, filepath, skip_mismatch=skip_mismatch)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Read a ``.keras`` file written by glassnet or by Keras 3."""
    from .. import saving
    return saving.load_model(filepath, custom_objects=custom_objects, compile=compile,
                             safe_mode=safe_mode)


def _looks_like_metrics(loss_weights):
    return (isinstance(loss_weights, str) or isinstance(loss_weights, (list, tuple))
            and any(isinstance(m, (str, metrics_module.Metric)) for m in loss_weights))


def _loss_weight(loss_weights):
    if loss_weights is None:
        return 1.0
    if isinstance(loss_weights, (list, tuple)) and len(loss_weights) == 1:
        loss_weights = loss_weights[0]
    if isinstance(loss_weights, dict) and len(loss_weights) == 1:
        loss_weights = next(iter(loss_weights.values()))
    try:
        return float(loss_weights)
    except (TypeError, ValueError):
        raise ValueError(f"loss_weights for a single-output model is one number (or a list of "
                         f"one); got {loss_weights!r}.") from None
