"""``Sequential``: a linear stack of layers (``keras.Sequential``).

The data flows through the layers in order: ``forward`` down the stack, ``backward`` up it.
Everything else (weights, compile, the training loop) is ``Model``'s.
"""
from .. import config, data
from .. import layers as layers_module
from ..layers.symbolic import KerasTensor
from .model import Model
from .outputs import loss_gradient


class Sequential(Model):
    """A linear stack of layers, as ``keras.Sequential``.

    With an ``Input`` first (or ``input_shape=`` on the first layer) the model is built at
    once and ``get_weights`` works before ``fit``; otherwise the first data builds it.
    """

    def __init__(self, layers=None, name=None, trainable=True, **kwargs):
        if kwargs:
            _reject_model_arguments(kwargs)
        if isinstance(name, (layers_module.Layer, KerasTensor, list, tuple)):
            _reject_model_arguments({"outputs": name})          # Sequential(inputs, outputs)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Sequential's name must be a string, got {name!r}. Write "
                            f"Sequential(layers, name='...'), trainable=... by name.")
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise TypeError(f"Sequential takes a list of layers, e.g. Sequential([Dense(10)]); "
                            f"got {layers!r}.")
        super().__init__(name=name, trainable=trainable)
        self._input_layer = None
        self.input_shape_ = None          # without the batch dimension, once known
        for layer in layers or []:
            self.add(layer)

    _default_name = "sequential"

    def add(self, layer):
        """Put ``layer`` on top of the stack (built at once when the input shape is known).
        ``Input(...)`` (a symbolic tensor) stands for its ``InputLayer``, as in Keras."""
        if isinstance(layer, KerasTensor) and isinstance(layer.layer, layers_module.InputLayer):
            layer = layer.layer
        if isinstance(layer, layers_module.InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError(f"An Input can only be the first layer of a Sequential model; "
                                 f"{self.name!r} already has "
                                 f"{'an Input' if self._input_layer else 'layers'}.")
            self._input_layer = layer
            self.input_shape_ = layer.shape
            return
        if not isinstance(layer, layers_module.Layer):
            raise ValueError(f"Sequential.add takes a glassnet layer such as Dense(10), got "
                             f"{layer!r}.")
        if layer.input_shape_hint is not None and (self._layers or self._input_layer):
            raise ValueError(f"input_shape= belongs on the first layer only; {layer.name!r} is "
                             f"layer {len(self._layers) + 1}. Remove it there.")
        if layer.name in self._top()[0]:
            raise ValueError(f"Two layers are named {layer.name!r}; layer names in a model must "
                             f"be unique. Give the new layer another name=.")
        if not self._layers and layer.input_shape_hint is not None:
            self.input_shape_ = layer.input_shape_hint
        if self.input_shape_ is not None:
            shape = self._top()[1]
            if not layer.built:
                layer.build((None,) + shape)            # Keras's build: the batch axis first
            elif tuple(layer.input_shape) != shape:
                raise ValueError(f"Layer {layer.name!r} was built for inputs of shape "
                                 f"{tuple(layer.input_shape)}, but here it gets {shape}. Add a new "
                                 f"layer instead of reusing this one.")
        self._layers.append(layer)
        self._collect_params(appended=layer)
        names, shape = self._top_cache[1:]
        names.add(layer.name)
        self._top_cache = (self._top_key(), names,
                           None if shape is None else tuple(layer.compute_output_shape(shape)))

    def _top(self):
        """(the layers' names, the shape after the last layer), kept up to date by ``add`` so
        that adding layer 20,000 costs what adding layer 2 does (issue 12: loading a file of
        many layers was quadratic)."""
        cached = getattr(self, "_top_cache", None)
        if cached is None or cached[0] != self._top_key():
            shape = (None if self.input_shape_ is None
                     else tuple(self._shape_before(len(self._layers))))
            self._top_cache = (self._top_key(), {l.name for l in self._layers}, shape)
        return self._top_cache[1:]

    def _top_key(self):
        return (len(self._layers), id(self._layers[-1]) if self._layers else None,
                self.input_shape_)

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
                layer.build((input_shape[0],) + tuple(shape))
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
        """``(None, *one sample's shape)``; like Keras, no such attribute until built."""
        if self.input_shape_ is None:
            raise AttributeError(f"{self.name!r} has no input_shape yet: it is not built (start "
                                 f"it with Input(shape=...) or call build/fit first).")
        return (None,) + tuple(self.input_shape_)

    @property
    def output_shape(self):
        if self.input_shape_ is None:
            raise ValueError(f"{self.name!r} is not built yet: start it with Input(shape=...) "
                             f"or call fit/build first.")
        return (None,) + tuple(self._shape_before(len(self._layers)))

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
        grad = loss_gradient(self.loss, self._loss_weight, y, y_pred, sample_weight, fused)
        self._backward_layers(grad, fused)
        for layer in self._regularized:
            layer.add_regularization_gradients()

    def _backward_layers(self, grad, fused=False, need_input_grad=False):
        """Down the stack from ``grad`` on the output, filling each layer's gradients; the
        gradient on the input when ``need_input_grad`` (a Sequential inside a graph)."""
        last = len(self._layers) - 1
        for index in range(last, -1, -1):
            layer = self._layers[index]
            if layer.activity_regularizer is not None:   # d/dy of penalty(y) / batch size
                grad = grad + layer.activity_regularizer.gradient(layer._y) / len(layer._y)
            need = index > 0 or need_input_grad
            if index == last and fused:
                grad = layer.backward(grad, need, through_activation=False)
            else:
                grad = layer.backward(grad, need)
        return grad

    def get_config(self):
        layer_configs = [{"class_name": type(l).__name__, "config": l.get_config()}
                         for l in self._layers]
        return {"name": self.name, "trainable": self.trainable, "layers": layer_configs,
                "build_input_shape": self.input_shape}

    def __repr__(self):
        inner = ", ".join(repr(l) for l in self._layers)
        return f"<Sequential name={self.name!r} layers=[{inner}]>"


def _reject_model_arguments(kwargs):
    if "inputs" in kwargs or "outputs" in kwargs:
        raise TypeError("Sequential takes a list of layers; for a graph from inputs to "
                        "outputs write glassnet.Model(inputs, outputs) (the functional API).")
    raise TypeError(f"Sequential got unexpected keyword argument(s) "
                    f"{', '.join(repr(k) for k in kwargs)}. It takes: layers, name, trainable.")
