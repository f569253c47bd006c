"""``Sequential``: a stack of layers with Keras's compile / fit / evaluate / predict.

One training step: forward down the stack, the loss and its gradient on the output (on the
logits when the last activation and the loss fuse), backward up the stack, then the optimizer
applies the gradients in place. Callbacks see each step and each epoch.
"""
import math
import warnings

import numpy as np

from . import callbacks as callbacks_module
from . import config, data, layers as layers_module, losses, metrics as metrics_module
from . import optimizers, threads, utils
from .naming import unique_name


class DivergenceWarning(RuntimeWarning):
    """The training loss became NaN or inf."""


class Sequential:
    """A linear stack of layers, as ``keras.Sequential``.

    With an ``Input`` first (or ``input_shape=`` on the first layer) the model is built at
    once and ``get_weights`` works before ``fit``; otherwise it is built by the first data.
    """

    def __init__(self, layers=None, name=None, trainable=True):
        self.name = name or unique_name("sequential")
        self.trainable = trainable
        self._layers = []
        self._input_layer = None
        self.input_shape_ = None          # without the batch dimension, once known
        self.optimizer = self.loss = None
        self._metric_names = []
        self.compiled = False
        self.stop_training = False
        self.history = None
        for layer in layers or []:
            self.add(layer)

    # -- building -----------------------------------------------------------------------------
    @property
    def layers(self):
        """The layers, without the Input (as Keras)."""
        return list(self._layers)

    def add(self, layer):
        if isinstance(layer, layers_module.InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError("An Input can only be the first layer of a Sequential model.")
            self._input_layer = layer
            self.build((None,) + layer.shape)
            return
        if not isinstance(layer, layers_module.Layer):
            raise TypeError(f"Sequential.add takes a glassnet layer such as Dense(10), got "
                            f"{layer!r}.")
        if layer.input_shape_hint is not None and (self._layers or self._input_layer):
            raise ValueError(f"input_shape= belongs on the first layer only; {layer.name!r} is "
                             f"layer {len(self._layers) + 1}.")
        names = {l.name for l in self._layers}
        if layer.name in names:
            raise ValueError(f"Two layers are named {layer.name!r}; layer names must be unique.")
        self._layers.append(layer)
        if len(self._layers) == 1 and layer.input_shape_hint is not None:
            self.build((None,) + layer.input_shape_hint)
        elif self.input_shape_ is not None:
            layer.build(self._shape_before(len(self._layers) - 1))
        self._collect_params()

    def pop(self):
        layer = self._layers.pop()
        self._collect_params()
        return layer

    def build(self, input_shape=None):
        """Build every layer for inputs of ``input_shape`` (with the batch dimension, as Keras)."""
        if input_shape is None:
            if self.input_shape_ is None:
                raise ValueError("build() needs input_shape, e.g. model.build((None, 64)).")
            return
        self.input_shape_ = tuple(input_shape[1:])
        shape = self.input_shape_
        for layer in self._layers:
            if not layer.built:
                layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self._collect_params()

    @property
    def built(self):
        return self.input_shape_ is not None

    def _shape_before(self, index):
        shape = self.input_shape_
        for layer in self._layers[:index]:
            shape = layer.compute_output_shape(shape)
        return shape

    @property
    def input_shape(self):
        return None if self.input_shape_ is None else (None,) + self.input_shape_

    @property
    def output_shape(self):
        if self.input_shape_ is None:
            raise ValueError("The model is not built yet: add an Input or call fit/build first.")
        return (None,) + self._shape_before(len(self._layers))

    def _collect_params(self):
        trainable = [l for l in self._layers if l.trainable and self.trainable]
        self._params = [p for l in trainable for p in l.params]
        self._grads = [g for l in trainable for g in l.grads]

    # -- weights ------------------------------------------------------------------------------
    @property
    def weights(self):
        return [p for l in self._layers for p in l.params]

    @property
    def trainable_weights(self):
        return list(self._params)

    def get_weights(self):
        """Copies of every weight array, layer by layer: kernel (in, out) then bias."""
        return [p.copy() for p in self.weights]

    def set_weights(self, weights):
        weights = list(weights)
        expected = sum(len(l.params) for l in self._layers)
        if len(weights) != expected:
            raise ValueError(f"set_weights needs {expected} arrays (kernel and bias per Dense "
                             f"layer, as get_weights returns them), got {len(weights)}.")
        start = 0
        for layer in self._layers:
            count = len(layer.params)
            layer.set_weights(weights[start:start + count])
            start += count

    def count_params(self):
        if not self.built:
            raise ValueError("count_params() needs a built model: add an Input first or call fit.")
        return sum(l.count_params() for l in self._layers)

    # -- compile ------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Resolve the optimizer, the loss and the metrics by name, all at once."""
        if loss is None:
            raise ValueError("compile() needs a loss, e.g. loss='sparse_categorical_crossentropy'.")
        self.optimizer = optimizers.get(optimizer)
        if not isinstance(self.optimizer, optimizers.Optimizer):
            raise TypeError(f"optimizer={optimizer!r} is not a glassnet optimizer: pass a name "
                            f"such as 'adam' or an instance such as glassnet.optimizers.SGD(0.01).")
        self.loss = losses.resolve(loss)
        self._metric_names = list(metrics or [])
        for metric in self._metric_names:
            metrics_module.resolve(metric, self.loss, None)   # unknown names raise now
        self.weighted_metrics = list(weighted_metrics or [])
        self.compiled = True

    def _require_compiled(self, method):
        if not self.compiled:
            raise ValueError(f"{method}() needs a compiled model: call model.compile(optimizer="
                             f"'adam', loss='sparse_categorical_crossentropy', metrics="
                             f"['accuracy']) first.")

    def _make_metrics(self, y):
        return [metrics_module.resolve(m, self.loss, self.output_shape, y)
                for m in self._metric_names]

    # -- data ---------------------------------------------------------------------------------
    def _inputs(self, x, what="x"):
        x = data.as_inputs(x, self._dtype(), what)
        if not self.built:
            if not self._layers:
                raise ValueError("The model has no layers: add some with model.add(...).")
            self.build((None,) + x.shape[1:])
        if x.shape[1:] != self.input_shape_:
            raise ValueError(self._shape_message(x.shape))
        return x

    def _shape_message(self, shape):
        expected = self.input_shape_
        first = self._layers[0] if self._layers else None
        declared = (f"{type(first).__name__}(input_shape={list(expected)})"
                    if first is not None and first.input_shape_hint is not None
                    else f"Input(shape={expected})")
        given = int(np.prod(shape[1:]))
        message = (f"The model expects inputs of shape (None, {', '.join(map(str, expected))}) "
                   f"({int(np.prod(expected))} features per sample, from {declared}), but got an "
                   f"array of shape {tuple(shape)} ({given} features per sample).")
        side = math.isqrt(given)
        if side * side == given and len(expected) == 2:
            return (message + f" For {side}x{side} images write {type(first).__name__}"
                    f"(input_shape=[{side}, {side}]) and pass x.reshape(-1, {side}, {side}), or "
                    f"use Input(shape=({given},)) on the flat rows.")
        return message + f" Declare Input(shape={tuple(shape[1:])}) instead, or reshape x."

    def _dtype(self):
        return config.floatx()

    def _targets(self, y, n, what="y"):
        y = data.as_labels(y, what)
        data.check_lengths(np.empty(n), y, "x and y" if what == "y" else what)
        self.loss.check_labels(y, self.output_shape)
        if y.dtype.kind == "f" and y.dtype != np.dtype(self._dtype()):
            y = y.astype(self._dtype())
        return y

    # -- one step -----------------------------------------------------------------------------
    def _forward(self, x, training):
        for layer in self._layers:
            x = layer.forward(x, training=training)
        return x

    def _fused(self):
        """True when the last activation's Jacobian cancels against the loss (p - y on logits)."""
        last = self._layers[-1] if self._layers else None
        activation = getattr(last, "activation", None)
        return (self.loss is not None and self.loss.fuses_with is not None
                and not getattr(self.loss, "from_logits", False)
                and getattr(activation, "__name__", None) == self.loss.fuses_with)

    def _backward(self, y, y_pred, sample_weight):
        """Fill every layer's gradients for the compiled loss at y_pred (from ``_forward``)."""
        fused = self._fused()
        if fused:
            grad = self.loss.logits_gradient(y, y_pred, sample_weight)
        else:
            grad = self.loss.gradient(y, y_pred, sample_weight)
        grad = grad.astype(y_pred.dtype, copy=False)
        last = len(self._layers) - 1
        for index in range(last, -1, -1):
            layer = self._layers[index]
            need_input_grad = index > 0
            if index == last and fused:
                grad = layer.backward(grad, need_input_grad, through_activation=False)
            else:
                grad = layer.backward(grad, need_input_grad)

    def _train_step(self, x, y, sample_weight):
        """Forward, backward and update for one batch; returns (loss value, predictions)."""
        y_pred = self._forward(x, training=True)
        loss_value = float(self.loss(y, y_pred, sample_weight))
        self._backward(y, y_pred, sample_weight)
        self.optimizer.apply(self._params, self._grads)
        return loss_value, y_pred

    # -- fit ----------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, sample_weight=None):
        """Train for ``epochs`` passes over (x, y) in batches of ``batch_size`` (32).

        As Keras: ``validation_split`` takes the *last* fraction of the samples before any
        shuffling; ``shuffle`` reorders the training samples every epoch; the epoch's loss is
        the mean of the batch losses weighted by batch size. A loss that becomes NaN or inf
        never raises: it is recorded, warned about once when verbose, and stops training
        under ``TerminateOnNaN``.
        """
        self._require_compiled("fit")
        x = self._inputs(x)
        y = self._targets(y, len(x))
        sample_weight = data.as_sample_weight(sample_weight, len(x))
        batch_size = _batch_size(batch_size)
        epochs = _positive_int(epochs, "epochs")
        verbose = 1 if verbose == "auto" else int(verbose)
        x, y, sample_weight, validation = self._split_validation(
            x, y, sample_weight, validation_split, validation_data)
        steps = math.ceil(len(x) / batch_size)
        history = callbacks_module.History()
        callback_list = callbacks_module.CallbackList(
            callbacks, model=self, history=history, verbose=verbose, epochs=epochs, steps=steps)
        generator = np.random.default_rng(utils.global_generator().integers(2**63))
        self.stop_training = False
        self._warned_divergence = False
        with threads.limit_for(self._multiply_adds(batch_size)), np.errstate(all="ignore"):
            callback_list.on_train_begin()
            for epoch in range(epochs):
                callback_list.on_epoch_begin(epoch)
                logs = self._fit_epoch(x, y, sample_weight, batch_size, shuffle, generator,
                                       callback_list, epoch, verbose)
                if validation is not None:
                    val_logs = self._evaluate_arrays(*validation, batch_size)
                    logs.update({"val_" + k: v for k, v in val_logs.items()})
                callback_list.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
            callback_list.on_train_end()
        self.history = history
        return history

    def _fit_epoch(self, x, y, sample_weight, batch_size, shuffle, generator, callback_list,
                   epoch, verbose):
        metrics = self._make_metrics(y)
        if shuffle:
            order = generator.permutation(len(x))
            x, y = x[order], y[order]          # one copy per epoch; batches are then views
            sample_weight = None if sample_weight is None else sample_weight[order]
        loss_total, seen = 0.0, 0
        logs = {}
        for step, start in enumerate(range(0, len(x), batch_size)):
            stop = start + batch_size
            xb, yb = x[start:stop], y[start:stop]
            wb = None if sample_weight is None else sample_weight[start:stop]
            callback_list.on_train_batch_begin(step)
            loss_value, y_pred = self._train_step(xb, yb, wb)
            loss_total += loss_value * len(xb)
            seen += len(xb)
            for metric in metrics:
                metric.update_state(yb, y_pred)
            if callback_list.wants_batch_logs or not math.isfinite(loss_value):
                logs = _logs(loss_total / seen, metrics)
                if not math.isfinite(loss_value):
                    self._note_divergence(loss_value, epoch, step, verbose)
                callback_list.on_train_batch_end(step, logs)
            if self.stop_training:
                break
        return _logs(loss_total / seen, metrics)

    def _note_divergence(self, loss_value, epoch, step, verbose):
        if verbose and not self._warned_divergence:
            warnings.warn(
                f"The loss became {loss_value} at epoch {epoch + 1}, batch {step + 1}: training "
                f"diverged (weights too large or learning rate too high). Lower the learning "
                f"rate or the initial weight scale; add glassnet.callbacks.TerminateOnNaN() to "
                f"stop at once.", DivergenceWarning, stacklevel=4)
        self._warned_divergence = True

    def _split_validation(self, x, y, sample_weight, validation_split, validation_data):
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError("validation_data must be a tuple (x_val, y_val) or "
                                 "(x_val, y_val, sample_weight_val).")
            x_val = self._inputs(validation_data[0], "validation_data x")
            y_val = self._targets(validation_data[1], len(x_val), "validation_data y")
            w_val = (data.as_sample_weight(validation_data[2], len(x_val))
                     if len(validation_data) == 3 else None)
            return x, y, sample_weight, (x_val, y_val, w_val)
        if not validation_split:
            return x, y, sample_weight, None
        if not 0.0 < validation_split < 1.0:
            raise ValueError(f"validation_split must be between 0 and 1, got {validation_split}.")
        split_at = int(math.floor(len(x) * (1.0 - validation_split)))
        if split_at == 0 or split_at == len(x):
            raise ValueError(f"validation_split={validation_split} of {len(x)} samples leaves no "
                             f"training or no validation samples.")
        w_train = None if sample_weight is None else sample_weight[:split_at]
        w_val = None if sample_weight is None else sample_weight[split_at:]
        return x[:split_at], y[:split_at], w_train, (x[split_at:], y[split_at:], w_val)

    def _multiply_adds(self, batch_size):
        return batch_size * sum(p.size for p in self._params)

    # -- evaluate / predict -------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None):
        """The loss (and metrics) on (x, y): ``loss``, or ``[loss, *metrics]`` as Keras."""
        self._require_compiled("evaluate")
        x = self._inputs(x)
        y = self._targets(y, len(x))
        sample_weight = data.as_sample_weight(sample_weight, len(x))
        batch_size = _batch_size(batch_size)
        with threads.limit_for(self._multiply_adds(batch_size)), np.errstate(all="ignore"):
            logs = self._evaluate_arrays(x, y, sample_weight, batch_size)
        return _as_result(logs)

    def _evaluate_arrays(self, x, y, sample_weight, batch_size):
        metrics = self._make_metrics(y)
        loss_total = 0.0
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            wb = None if sample_weight is None else sample_weight[start:start + batch_size]
            y_pred = self._forward(xb, training=False)
            loss_total += float(self.loss(yb, y_pred, wb)) * len(xb)
            for metric in metrics:
                metric.update_state(yb, y_pred)
        return _logs(loss_total / len(x), metrics)

    def predict(self, x, batch_size=None, verbose="auto"):
        """The outputs for ``x`` in inference mode (dropout off), in batches of ``batch_size``."""
        x = self._inputs(x)
        batch_size = _batch_size(batch_size)
        with threads.limit_for(self._multiply_adds(batch_size)), np.errstate(all="ignore"):
            outputs = [self._forward(x[start:start + batch_size], training=False).copy()
                       for start in range(0, len(x), batch_size)]
        if not outputs:
            return np.zeros((0,) + self.output_shape[1:], dtype=self._dtype())
        return np.concatenate(outputs)

    def __call__(self, x, training=False):
        return self._forward(self._inputs(x), training=training)

    def train_on_batch(self, x, y, sample_weight=None, return_dict=False):
        """One update on one batch; returns this batch's loss (and metrics) as ``fit`` would."""
        self._require_compiled("train_on_batch")
        x = self._inputs(x)
        y = self._targets(y, len(x))
        sample_weight = data.as_sample_weight(sample_weight, len(x))
        metrics = self._make_metrics(y)
        with np.errstate(all="ignore"):
            loss_value, y_pred = self._train_step(x, y, sample_weight)
        for metric in metrics:
            metric.update_state(y, y_pred)
        logs = _logs(loss_value, metrics)
        return logs if return_dict else _as_result(logs)

    # -- summary ------------------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, **kwargs):
        """Print the layers, output shapes and parameter counts in Keras 3's table layout."""
        from .summary import summary_text
        (print_fn or print)(summary_text(self))

    def get_config(self):
        layer_configs = [{"class_name": type(l).__name__, "config": l.get_config()}
                         for l in self._layers]
        return {"name": self.name, "trainable": self.trainable, "layers": layer_configs,
                "build_input_shape": self.input_shape}

    def save(self, filepath, overwrite=True, **kwargs):
        from . import saving
        saving.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def __repr__(self):
        inner = ", ".join(repr(l) for l in self._layers)
        return f"<Sequential name={self.name!r} layers=[{inner}]>"


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Read a ``.keras`` file written by glassnet or by Keras 3."""
    from . import saving
    return saving.load_model(filepath, custom_objects=custom_objects, compile=compile,
                             safe_mode=safe_mode)


Model = Sequential


def _logs(loss_value, metrics):
    logs = {"loss": loss_value}
    for metric in metrics:
        logs[metric.name] = metric.result()
    return logs


def _as_result(logs):
    if len(logs) == 1:
        return logs["loss"]
    return [logs["loss"]] + [v for k, v in logs.items() if k != "loss"]


def _batch_size(batch_size):
    return 32 if batch_size is None else _positive_int(batch_size, "batch_size")


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)
