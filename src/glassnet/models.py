"""``Sequential``: a stack of layers with Keras's compile / fit / evaluate / predict.

One training step: forward down the stack, the loss and its gradient on the output (on the
logits when the last activation and the loss fuse: softmax + cross-entropy and sigmoid +
binary cross-entropy give ``(p - y) / n``), backward up the stack, then the optimizer applies
the gradients in place. Callbacks see each step and each epoch.

Every check on the user's data happens before the first step, so bad input gives one clear
error and no half-trained model. The loop itself does only the step, the running loss and
the metrics: no copies beyond one shuffle per epoch, no per-batch work for absent callbacks.
"""
import math
import warnings

import numpy as np

from . import callbacks as callbacks_module
from . import config, data, layers as layers_module, losses
from . import metrics as metrics_module
from . import optimizers, threads, utils
from .naming import unique_name


class DivergenceWarning(RuntimeWarning):
    """The training loss became NaN or inf."""


class Sequential:
    """A linear stack of layers, as ``keras.Sequential``.

    With an ``Input`` first (or ``input_shape=`` on the first layer) the model is built at
    once and ``get_weights`` works before ``fit``; otherwise the first data builds it.
    """

    def __init__(self, layers=None, name=None, trainable=True, **kwargs):
        if kwargs:
            _reject_model_arguments(kwargs)
        if isinstance(name, (layers_module.Layer, list, tuple)):   # Model(inputs, outputs)
            _reject_model_arguments({"outputs": name})
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Sequential's name must be a string, got {name!r}. Write "
                            f"Sequential(layers, name='...'), trainable=... by name.")
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise TypeError(f"Sequential takes a list of layers, e.g. Sequential([Dense(10)]); "
                            f"got {layers!r}.")
        self.name = name or unique_name("sequential")
        self._layers = []
        self._trainable = bool(trainable)
        self._input_layer = None
        self.input_shape_ = None          # without the batch dimension, once known
        self.optimizer = self.loss = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._metric_specs = []           # (identifier, weighted) as compile got them
        self._metrics = []                # metric objects of the last fit/evaluate
        self._params, self._grads = [], []
        self._regularized = []            # layers with a weight or activity regularizer
        self._loss_weight = 1.0
        for layer in layers or []:
            self.add(layer)

    # -- building -----------------------------------------------------------------------------
    @property
    def layers(self):
        """The layers, without the Input (as Keras)."""
        return list(self._layers)

    def add(self, layer):
        """Put ``layer`` on top of the stack (built at once when the input shape is known)."""
        if isinstance(layer, layers_module.InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError(f"An Input can only be the first layer of a Sequential model; "
                                 f"{self.name!r} already has "
                                 f"{'an Input' if self._input_layer else 'layers'}.")
            self._input_layer = layer
            self.input_shape_ = layer.shape
            return
        if not isinstance(layer, layers_module.Layer):
            raise TypeError(f"Sequential.add takes a glassnet layer such as Dense(10), got "
                            f"{layer!r}.")
        if layer.input_shape_hint is not None and (self._layers or self._input_layer):
            raise ValueError(f"input_shape= belongs on the first layer only; {layer.name!r} is "
                             f"layer {len(self._layers) + 1}. Remove it there.")
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(f"Two layers are named {layer.name!r}; layer names in a model must "
                             f"be unique. Give the new layer another name=.")
        if not self._layers and layer.input_shape_hint is not None:
            self.input_shape_ = layer.input_shape_hint
        if self.input_shape_ is not None:
            shape = tuple(self._shape_before(len(self._layers)))
            if not layer.built:
                layer.build(shape)
            elif tuple(layer.input_shape) != shape:
                raise ValueError(f"Layer {layer.name!r} was built for inputs of shape "
                                 f"{tuple(layer.input_shape)}, but here it gets {shape}. Add a new "
                                 f"layer instead of reusing this one.")
        self._layers.append(layer)
        self._collect_params()

    def pop(self):
        """Remove and return the top layer."""
        if not self._layers:
            raise IndexError(f"pop() on {self.name!r}, which has no layers.")
        layer = self._layers.pop()
        self._collect_params()
        return layer

    def build(self, input_shape=None):
        """Build every layer for inputs of ``input_shape`` (with the batch dimension, as Keras)."""
        if input_shape is None:
            if self.input_shape_ is None:
                raise ValueError("build() needs input_shape with the batch dimension, e.g. "
                                 "model.build((None, 64)).")
            return
        shape = tuple(input_shape)[1:]
        if self.input_shape_ is not None and shape != self.input_shape_:
            raise ValueError(f"{self.name!r} is already built for inputs of shape "
                             f"{self.input_shape}; it cannot be built for {tuple(input_shape)}.")
        if not self._layers:
            raise ValueError(f"Sequential model {self.name!r} cannot be built because it has no "
                             f"layers. Call model.add(layer).")
        self.input_shape_ = shape
        for layer in self._layers:
            if not layer.built:
                layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self._collect_params()

    @property
    def built(self):
        return self.input_shape_ is not None and all(layer.built for layer in self._layers)

    def _shape_before(self, index):
        shape = self.input_shape_
        for layer in self._layers[:index]:
            shape = layer.compute_output_shape(shape)
        return shape

    @property
    def input_shape(self):
        return None if self.input_shape_ is None else (None,) + tuple(self.input_shape_)

    @property
    def output_shape(self):
        if self.input_shape_ is None:
            raise ValueError(f"{self.name!r} is not built yet: start it with Input(shape=...) "
                             f"or call fit/build first.")
        return (None,) + tuple(self._shape_before(len(self._layers)))

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

    def _collect_params(self):
        """The arrays the optimizer updates and their gradients, trainable layers only
        (never the buffers, e.g. BatchNormalization's moving statistics)."""
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
        return [p.copy() for p in self.weights]

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
        resolved_optimizer = optimizers.get(optimizer)
        if not isinstance(resolved_optimizer, optimizers.Optimizer):
            raise TypeError(f"optimizer={optimizer!r} is not a glassnet optimizer: pass a name "
                            f"such as 'adam' or an instance such as glassnet.optimizers.SGD(0.01).")
        resolved_loss = losses.resolve(loss)
        if getattr(resolved_loss, "reduction", "sum_over_batch_size") in ("none", None):
            raise ValueError(f"compile() trains on one loss value per batch, but {resolved_loss!r} "
                             f"has reduction={resolved_loss.reduction!r} (one value per sample). "
                             f"Leave the reduction at its default, 'sum_over_batch_size'.")
        specs = ([(m, False) for m in _metric_list(metrics, "metrics")]
                 + [(m, True) for m in _metric_list(weighted_metrics, "weighted_metrics")])
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
        return ["loss"] + _log_names(self._metrics)

    def _build_metrics(self, y):
        """Metric objects for labels like ``y`` ('accuracy' resolves from the shapes)."""
        self._metrics = [(metrics_module.resolve(identifier, self.loss, self.output_shape, y),
                          weighted) for identifier, weighted in self._metric_specs]
        return self._metrics

    def _reset_metrics(self):
        for metric, _ in self._metrics:
            metric.reset_state()

    def _logs(self, loss_value):
        logs = {"loss": loss_value}
        for name, (metric, _) in zip(_log_names(self._metrics), self._metrics):
            logs[name] = float(metric.result())
        return logs

    # -- data ---------------------------------------------------------------------------------
    def _inputs(self, x, what="x"):
        """``x`` as a float array of the model's input shape (building the model if needed)."""
        x = data.as_inputs(x, config.floatx(), what)
        if self.input_shape_ is None or not self.built:
            if not self._layers:
                raise ValueError(f"{self.name!r} has no layers: add some with model.add(...).")
            self.build((None,) + (self.input_shape_ or x.shape[1:]))
        if x.shape[1:] != tuple(self.input_shape_):
            raise ValueError(data.shape_message(x.shape, self.input_shape_, self._declared_by(),
                                                what))
        return x

    def _declared_by(self):
        """Where the input shape came from, as the user wrote it."""
        first = self._layers[0] if self._layers else None
        if self._input_layer is None and first is not None and first.input_shape_hint is not None:
            return type(first).__name__
        return "Input"

    def _targets(self, y, n, what="y"):
        """Labels checked against the loss and the output shape, one per sample."""
        y = data.as_labels(y, what)
        data.check_lengths(n, len(y), what)
        self.loss.check_labels(y, self.output_shape)
        if _takes_class_indices(self.loss):
            return y.astype(np.int64, copy=False)  # once, not per batch
        return y.astype(config.floatx(), copy=False)

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

    # -- one step -----------------------------------------------------------------------------
    def _forward(self, x, training):
        for layer in self._layers:
            x = layer.forward(x, training=training)
        return x

    def _fused(self):
        """True when the last activation's Jacobian cancels against the loss (p - y on logits)."""
        last = self._layers[-1] if self._layers else None
        activation = getattr(last, "activation", None)
        return (self.loss is not None and getattr(self.loss, "fuses_with", None) is not None
                and not getattr(self.loss, "from_logits", False)
                and getattr(last, "activity_regularizer", None) is None
                and getattr(activation, "__name__", None) == self.loss.fuses_with)

    def _backward(self, y, y_pred, sample_weight, fused=None):
        """Fill every layer's gradients for the compiled loss at ``y_pred`` (from ``_forward``)."""
        if fused is None:
            fused = self._fused()
        if fused:
            grad = self.loss.logits_gradient(y, y_pred, sample_weight)
        else:
            grad = self.loss.gradient(y, y_pred, sample_weight)
        if self._loss_weight != 1.0:
            grad = grad * self._loss_weight
        grad = grad.astype(y_pred.dtype, copy=False)
        last = len(self._layers) - 1
        for index in range(last, -1, -1):
            layer = self._layers[index]
            if layer.activity_regularizer is not None:   # d/dy of penalty(y) / batch size
                grad = grad + layer.activity_regularizer.gradient(layer._y) / len(layer._y)
            if index == last and fused:
                grad = layer.backward(grad, index > 0, through_activation=False)
            else:
                grad = layer.backward(grad, index > 0)
        for layer in self._regularized:
            layer.add_regularization_gradients()

    def _loss_value(self, y, y_pred, sample_weight):
        """Keras's total loss: the compiled loss (times loss_weights) plus every penalty of
        ``losses`` (weights' and, for the forward pass just run, activities')."""
        value = float(self.loss(y, y_pred, sample_weight)) * self._loss_weight
        if self._regularized:
            value += float(sum(loss for layer in self._regularized for loss in layer.losses))
        return value

    @property
    def losses(self):
        """Keras's ``model.losses``: every layer's regularization penalties (``layer.losses``)."""
        return [loss for layer in self._layers for loss in layer.losses]

    def _train_step(self, x, y, sample_weight, fused):
        """Forward, backward and update for one batch; returns (loss value, predictions)."""
        y_pred = self._forward(x, training=True)
        loss_value = self._loss_value(y, y_pred, sample_weight)
        self._backward(y, y_pred, sample_weight, fused)
        self.optimizer.apply(self._params, self._grads)
        return loss_value, y_pred

    def _build_optimizer(self):
        """Make the optimizer's state for the trainable weights, as Keras does before the
        first step of fit/evaluate/train_on_batch (so summary() can count it)."""
        build = getattr(self.optimizer, "build", None)
        if build is not None and not getattr(self.optimizer, "built", False):
            build(self._params)

    def _update_metrics(self, y, y_pred, sample_weight):
        for metric, weighted in self._metrics:
            metric.update_state(y, y_pred, sample_weight if weighted else None)

    # -- fit ----------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, validation_batch_size=None,
            validation_freq=1):
        """Train for ``epochs`` passes over (x, y) in batches of ``batch_size`` (32).

        As Keras: ``validation_split`` takes the *last* fraction of the samples before any
        shuffling; ``validation_data`` (x, y) or (x, y, sample_weight) overrides it;
        ``shuffle`` reorders the training samples every epoch; an epoch's loss is the mean of
        its batch losses weighted by batch size, its metrics run over the whole epoch. A loss
        that becomes NaN or inf never raises: it is recorded, warned about once when
        verbose, and stops training under ``TerminateOnNaN``.
        """
        self._require_compiled("fit")
        verbose = _verbosity(verbose)
        batch_size = _batch_size(batch_size)
        epochs = _positive_int(epochs, "epochs")
        initial_epoch = _non_negative_int(initial_epoch, "initial_epoch")
        _should_validate(0, validation_freq)
        x, y, sample_weight = self._checked(x, y, sample_weight, class_weight)
        x, y, sample_weight, validation = self._split_validation(
            x, y, sample_weight, validation_split, validation_data)
        validation_batch_size = _batch_size(validation_batch_size or batch_size)
        self._collect_params()
        self._build_optimizer()
        self._build_metrics(y)
        fused = self._fused()
        steps = math.ceil(len(x) / batch_size)
        callback_list = callbacks_module.CallbackList(
            callbacks, add_history=True, add_progbar=verbose != 0, model=self,
            verbose=verbose, epochs=epochs, steps=steps)
        shuffler = utils.generator()
        self.stop_training = False
        self._warned_divergence = False
        logs = {}
        with threads.limit_for(self._multiply_adds(batch_size)), np.errstate(all="ignore"):
            callback_list.on_train_begin()
            for epoch in range(initial_epoch, epochs):
                self._reset_metrics()
                callback_list.on_epoch_begin(epoch)
                order = shuffler.permutation(len(x)) if shuffle else None
                logs = self._fit_epoch(x, y, sample_weight, order, batch_size, fused,
                                       callback_list, epoch, verbose)
                if validation is not None and _should_validate(epoch, validation_freq):
                    val_logs = self._test_loop(*validation, validation_batch_size, callback_list)
                    logs.update({"val_" + k: v for k, v in val_logs.items()})
                callback_list.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
            callback_list.on_train_end(logs)
        return callback_list.history

    def _fit_epoch(self, x, y, sample_weight, order, batch_size, fused, callback_list, epoch,
                   verbose):
        """One pass over the (shuffled) training data; returns the epoch's logs."""
        batch_begin = callback_list.uses("on_train_batch_begin")
        batch_end = callback_list.uses("on_train_batch_end")
        loss_total, seen = 0.0, 0
        for step, start in enumerate(range(0, len(x), batch_size)):
            # Each batch is gathered from the shuffled order: no per-epoch copy of x (180 MB
            # for 60,000 x 784 float32), so fit's own peak on such data is ~5 MB (tracemalloc).
            rows = slice(start, start + batch_size) if order is None else \
                order[start:start + batch_size]
            xb, yb = x[rows], y[rows]
            wb = None if sample_weight is None else sample_weight[rows]
            if batch_begin:
                callback_list.on_train_batch_begin(step)
            loss_value, y_pred = self._train_step(xb, yb, wb, fused)
            loss_total += loss_value * len(xb)
            seen += len(xb)
            self._update_metrics(yb, y_pred, wb)
            if batch_end:
                callback_list.on_train_batch_end(step, self._logs(loss_total / seen))
            if not math.isfinite(loss_value):
                self._note_divergence(loss_value, epoch, step, verbose)
            if self.stop_training:
                break
        return self._logs(loss_total / seen)

    def _note_divergence(self, loss_value, epoch, step, verbose):
        """Warn once per fit (when verbose) that the loss is no longer finite."""
        if verbose and not self._warned_divergence:
            then = ("Training stops here (TerminateOnNaN)." if self.stop_training else
                    "Add glassnet.callbacks.TerminateOnNaN() to stop at the first such batch.")
            warnings.warn(
                f"The loss became {loss_value} at epoch {epoch + 1}, batch {step + 1}: training "
                f"diverged (weights too large or learning rate too high). Lower the learning "
                f"rate or the initial weight scale. {then}", DivergenceWarning, stacklevel=4)
        self._warned_divergence = True

    def _split_validation(self, x, y, sample_weight, validation_split, validation_data):
        """(train x, y, w, validation (x, y, w) or None), checked before any training."""
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError("validation_data must be a tuple (x_val, y_val) or "
                                 "(x_val, y_val, sample_weight_val).")
            w_val = validation_data[2] if len(validation_data) == 3 else None
            validation = self._checked(validation_data[0], validation_data[1], w_val,
                                       what="validation_data ")
            return x, y, sample_weight, validation
        if not validation_split:
            return x, y, sample_weight, None
        if not 0.0 < validation_split < 1.0:
            raise ValueError(f"validation_split is the fraction of samples held out, between 0 "
                             f"and 1; got {validation_split}.")
        split_at = int(math.floor(len(x) * (1.0 - validation_split)))
        if split_at == 0 or split_at == len(x):
            raise ValueError(f"validation_split={validation_split} of {len(x)} samples leaves no "
                             f"training or no validation samples. Give more data or another "
                             f"validation_split.")
        w_train = None if sample_weight is None else sample_weight[:split_at]
        w_val = None if sample_weight is None else sample_weight[split_at:]
        return x[:split_at], y[:split_at], w_train, (x[split_at:], y[split_at:], w_val)

    def _multiply_adds(self, batch_size):
        return batch_size * sum(p.size for p in self.weights)

    # -- evaluate / predict -------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """The loss (and metrics) on (x, y): ``loss``, or ``[loss, *metrics]`` in compile's
        order, or a dict with ``return_dict=True`` (as Keras). ``steps`` batches at most."""
        self._require_compiled("evaluate")
        verbose = _verbosity(verbose)
        batch_size = _batch_size(batch_size)
        x, y, sample_weight = self._checked(x, y, sample_weight)
        x, y, sample_weight = _first_batches(steps, batch_size, x, y, sample_weight)
        self._collect_params()
        self._build_optimizer()
        self._build_metrics(y)
        callback_list = callbacks_module.CallbackList(
            callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1,
            steps=math.ceil(len(x) / batch_size))
        with threads.limit_for(self._multiply_adds(batch_size)), np.errstate(all="ignore"):
            logs = self._test_loop(x, y, sample_weight, batch_size, callback_list)
        return self._result(logs, return_dict)

    def _test_loop(self, x, y, sample_weight, batch_size, callback_list):
        """Loss and metrics over (x, y) in inference mode, with the on_test_* hooks."""
        self._reset_metrics()
        callback_list.on_test_begin()
        batch_begin = callback_list.uses("on_test_batch_begin")
        batch_end = callback_list.uses("on_test_batch_end")
        loss_total, seen = 0.0, 0
        for step, start in enumerate(range(0, len(x), batch_size)):
            stop = start + batch_size
            xb, yb = x[start:stop], y[start:stop]
            wb = None if sample_weight is None else sample_weight[start:stop]
            if batch_begin:
                callback_list.on_test_batch_begin(step)
            y_pred = self._forward(xb, training=False)
            loss_total += self._loss_value(yb, y_pred, wb) * len(xb)
            seen += len(xb)
            self._update_metrics(yb, y_pred, wb)
            if batch_end:
                callback_list.on_test_batch_end(step, self._logs(loss_total / seen))
        logs = self._logs(loss_total / max(seen, 1))
        callback_list.on_test_end(logs)
        return logs

    def _result(self, logs, return_dict):
        if return_dict:
            return callbacks_module._plain(logs)
        values = list(logs.values())       # loss, then the metrics in compile's order
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The outputs for ``x`` in inference mode (dropout off), in batches of ``batch_size``
        (the first ``steps`` batches only, when given)."""
        verbose = _verbosity(verbose)
        x = self._inputs(x)
        batch_size = _batch_size(batch_size)
        x, = _first_batches(steps, batch_size, x)
        callback_list = callbacks_module.CallbackList(
            callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1,
            steps=math.ceil(len(x) / batch_size))
        batch_begin = callback_list.uses("on_predict_batch_begin")
        batch_end = callback_list.uses("on_predict_batch_end")
        outputs = None
        with threads.limit_for(self._multiply_adds(batch_size)), np.errstate(all="ignore"):
            callback_list.on_predict_begin()
            for step, start in enumerate(range(0, len(x), batch_size)):
                if batch_begin:
                    callback_list.on_predict_batch_begin(step)
                batch = self._forward(x[start:start + batch_size], training=False)
                if outputs is None:                 # in the dtype the layers compute in
                    outputs = np.empty((len(x),) + batch.shape[1:], dtype=batch.dtype)
                outputs[start:start + batch_size] = batch
                if batch_end:
                    callback_list.on_predict_batch_end(step, {"outputs": batch})
            callback_list.on_predict_end()
        if outputs is None:                         # no samples
            return np.zeros((0,) + tuple(self.output_shape[1:]), dtype=config.floatx())
        return outputs

    def __call__(self, x, training=False):
        """The outputs for one batch ``x`` (a new array; dropout on when ``training``)."""
        with np.errstate(all="ignore"):
            return self._forward(self._inputs(x), training=bool(training)).copy()

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One update on one batch; returns this batch's loss (and metrics), as Keras."""
        self._require_compiled("train_on_batch")
        x, y, sample_weight = self._checked(x, y, sample_weight, class_weight)
        self._collect_params()
        self._build_optimizer()
        self._build_metrics(y)
        with threads.limit_for(self._multiply_adds(len(x))), np.errstate(all="ignore"):
            loss_value, y_pred = self._train_step(x, y, sample_weight, self._fused())
        self._update_metrics(y, y_pred, sample_weight)
        return self._result(self._logs(loss_value), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss (and metrics) on one batch in inference mode, as Keras."""
        self._require_compiled("test_on_batch")
        x, y, sample_weight = self._checked(x, y, sample_weight)
        self._collect_params()
        self._build_optimizer()
        self._build_metrics(y)
        with np.errstate(all="ignore"):
            y_pred = self._forward(x, training=False)
            loss_value = self._loss_value(y, y_pred, sample_weight)
        self._update_metrics(y, y_pred, sample_weight)
        return self._result(self._logs(loss_value), return_dict)

    def predict_on_batch(self, x):
        return self.predict(x, batch_size=max(len(np.asarray(x)), 1), verbose=0)

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

    def get_config(self):
        layer_configs = [{"class_name": type(l).__name__, "config": l.get_config()}
                         for l in self._layers]
        return {"name": self.name, "trainable": self.trainable, "layers": layer_configs,
                "build_input_shape": self.input_shape}

    def save(self, filepath, overwrite=True, **kwargs):
        from . import saving
        saving.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite=True, max_shard_size=None):
        """Write the weights (and the optimizer state) to a Keras ``.weights.h5`` file."""
        from . import saving
        saving.save_weights(self, filepath, overwrite=overwrite, max_shard_size=max_shard_size)

    def load_weights(self, filepath, skip_mismatch=False):
        """Read weights saved by ``save_weights`` (or from a ``.keras`` file), layer by layer."""
        from . import saving
        saving.load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def __repr__(self):
        inner = ", ".join(repr(l) for l in self._layers)
        return f"<Sequential name={self.name!r} layers=[{inner}]>"


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Read a ``.keras`` file written by glassnet or by Keras 3."""
    from . import saving
    return saving.load_model(filepath, custom_objects=custom_objects, compile=compile,
                             safe_mode=safe_mode)


Model = Sequential


def _takes_class_indices(loss):
    """Whether the loss reads labels as class indices (sparse cross-entropy, also when
    ``loss="crossentropy"`` chose it from the shapes)."""
    sparse = losses.SparseCategoricalCrossentropy
    return isinstance(loss, sparse) or isinstance(getattr(loss, "_chosen", None), sparse)


def _reject_model_arguments(kwargs):
    if "inputs" in kwargs or "outputs" in kwargs:
        raise TypeError("glassnet builds Sequential models only; the functional "
                        "Model(inputs, outputs) API is not supported. Write "
                        "Sequential([Input(shape=...), Dense(...), ...]).")
    raise TypeError(f"Sequential got unexpected keyword argument(s) "
                    f"{', '.join(repr(k) for k in kwargs)}. It takes: layers, name, trainable.")


def _log_names(metrics):
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


def _metric_list(metrics, what):
    if metrics is None:
        return []
    if isinstance(metrics, (str, metrics_module.Metric)) or not isinstance(metrics, (list, tuple)):
        raise TypeError(f"{what} must be a list, e.g. {what}=['accuracy']; got {metrics!r}.")
    return list(metrics)


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


def _verbosity(verbose):
    if verbose == "auto":
        return 1
    if isinstance(verbose, (bool, int, np.integer)) and int(verbose) in (0, 1, 2):
        return int(verbose)
    raise ValueError(f"verbose must be 'auto', 0, 1 or 2; got {verbose!r}.")


def _should_validate(epoch, validation_freq):
    if isinstance(validation_freq, int) and not isinstance(validation_freq, bool):
        if validation_freq < 1:
            raise ValueError(f"validation_freq must be a positive number of epochs (1: every "
                             f"epoch) or a list of epochs, got {validation_freq!r}.")
        return (epoch + 1) % validation_freq == 0
    if isinstance(validation_freq, (list, tuple, set)):
        return epoch + 1 in validation_freq
    raise ValueError(f"validation_freq must be an int or a list of epochs, got "
                     f"{validation_freq!r}.")


def _batch_size(batch_size):
    return 32 if batch_size is None else _positive_int(batch_size, "batch_size")


def _first_batches(steps, batch_size, *arrays):
    """The arrays cut to their first ``steps`` batches (all of them when steps is None or
    more than there are), as Keras's ``steps`` on in-memory data."""
    if steps is None:
        return arrays
    end = _positive_int(steps, "steps") * batch_size
    return tuple(None if array is None else array[:end] for array in arrays)


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _non_negative_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}.")
    return int(value)
