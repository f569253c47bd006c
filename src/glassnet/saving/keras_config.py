"""Keras 3's JSON configs (``config.json`` inside a ``.keras`` file) to glassnet and back.

Writing: each object's ``get_config`` is wrapped the way Keras's ``serialize_keras_object``
wraps it, ``{"module", "class_name", "config", "registered_name"}``, with the dtype as a
``DTypePolicy``, a ``build_config`` on built layers and a ``compile_config`` on the model.
Only the arguments glassnet has are written, so every Keras 3 release can read the file.

Reading: a config is data, never code. A class name is looked up in glassnet's own tables
(its layers, initializers, activations, losses, optimizers, metrics); the ``module`` field is
never imported, and a Lambda layer or a custom class is refused. An argument glassnet does
not take is dropped when it holds a do-nothing value (None, False, empty) and refused
otherwise, so a file never loads as a model other than the one it describes.
"""
import contextlib
import importlib
import inspect

from .. import config as config_module
from .. import layers as layers_module
from .. import utils
from ..models import Sequential
from ..naming import snake_case
from . import object_registration


class ConfigError(ValueError):
    """A config that describes something glassnet cannot build (the message says what)."""


# -- names ----------------------------------------------------------------------------------

def weight_keys(class_names):
    """The h5 group of each layer, ``layers/<key>``: the snake-case class name, then ``_1``,
    ``_2`` for later layers of the same class (``dense``, ``dense_1``; not the layer names)."""
    seen, keys = {}, []
    for class_name in class_names:
        base = snake_case(class_name)
        count = seen.get(base, -1) + 1
        seen[base] = count
        keys.append(base if count == 0 else f"{base}_{count}")
    return keys


# Nested objects: the argument's name says which family (and which glassnet module) it is.
def _family(key):
    if key == "activation":
        return "activations"
    for suffix in ("initializer", "regularizer", "constraint"):
        if key.endswith(suffix):
            return suffix + "s"
    return {"optimizer": "optimizers", "loss": "losses", "learning_rate": "schedules",
            "metrics": "metrics", "weighted_metrics": "metrics"}.get(key)


_KERAS_MODULES = {"schedules": "keras.optimizers.schedules"}
_GLASSNET_MODULES = {"schedules": "optimizers.schedules"}


# -- writing --------------------------------------------------------------------------------

def dtype_policy(name):
    """Keras's form of a layer dtype: ``{"class_name": "DTypePolicy", ...}``."""
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name},
            "registered_name": None}


def keras_object(family, serialized):
    """A glassnet ``serialize`` result (a name, or ``{"class_name", "config"}``) as Keras
    writes it: names stay names; objects gain ``module`` and ``registered_name``."""
    if not isinstance(serialized, dict):
        return serialized
    return {"module": _KERAS_MODULES.get(family, f"keras.{family}"),
            "class_name": serialized["class_name"],
            "config": _keras_values(serialized.get("config") or {}),
            "registered_name": None}


def _keras_values(config):
    """Wrap every nested object of a config (``kernel_initializer``, ``learning_rate``, ...)."""
    out = {}
    for key, value in config.items():
        family = _family(key)
        if family is not None and isinstance(value, dict) and "class_name" in value:
            value = keras_object(family, value)
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


def _shape_list(shape):
    return [None] + [None if d is None else int(d) for d in shape]


def layer_entry(layer):
    """One entry of the Sequential's ``layers`` list, as Keras writes it."""
    config = _keras_values(layer.get_config())
    config.pop("input_shape", None)          # the InputLayer entry carries the input shape
    config.pop("batch_size", None)
    config["dtype"] = dtype_policy(config.get("dtype") or config_module.floatx())
    entry = {"module": "keras.layers", "class_name": type(layer).__name__, "config": config,
             "registered_name": None}
    if object_registration.is_registered(type(layer)):   # a user's class: its registered name
        entry.update(module=type(layer).__module__,
                     registered_name=object_registration.get_registered_name(type(layer)))
    if layer.built and isinstance(layer.input_shape, list):      # a merge: one per input
        entry["build_config"] = {"input_shape": [_shape_list(s) for s in layer.input_shape]}
    elif layer.built and layer.input_shape is not None:
        entry["build_config"] = {"input_shape": _shape_list(layer.input_shape)}
    return entry


def input_entry(model):
    """The ``InputLayer`` entry for a built model (Keras stores the input shape there)."""
    source = getattr(model, "_input_layer", None)
    name = source.name if source is not None else "input_layer"
    dtype = (getattr(source, "dtype", None) if source is not None else None) or \
        config_module.floatx()
    return {"module": "keras.layers", "class_name": "InputLayer",
            "config": {"batch_shape": _shape_list(model.input_shape[1:]), "dtype": dtype,
                       "sparse": False, "ragged": False, "name": name},
            "registered_name": None}


def model_config(model):
    """The whole ``config.json`` of a model: architecture, build shape, compile settings (a
    functional model's graph is ``functional_config``'s)."""
    if getattr(model, "_nodes", None) is not None:
        from . import functional_config
        return functional_config.model_config(model,
                                              compile_config(model) if model.compiled else {})
    layer_entries = ([input_entry(model)] if model.built else []) + \
        [layer_entry(layer) for layer in model.layers]
    inner = {"name": model.name, "trainable": model.trainable,
             "dtype": dtype_policy(config_module.floatx()), "layers": layer_entries}
    entry = {"module": "keras", "class_name": "Sequential", "config": inner,
             "registered_name": None}
    if model.built:
        inner["build_input_shape"] = _shape_list(model.input_shape[1:])
        entry["build_config"] = {"input_shape": _shape_list(model.input_shape[1:])}
    entry["compile_config"] = compile_config(model) if model.compiled else {}
    return entry


def compile_config(model):
    """Keras's ``compile_config``: the optimizer, the loss and the metrics as compiled."""
    from .. import losses, optimizers, schedules
    heads = getattr(model, "_heads", None)
    if heads is not None:                                # several outputs: dicts by name
        return _compile_config_by_output(model, heads)
    specs = getattr(model, "_metric_specs", [])          # (identifier, weighted) pairs
    metrics = [_metric_entry(m) for m, weighted in specs if not weighted]
    weighted = [_metric_entry(m) for m, weighted in specs if weighted]
    loss_weight = getattr(model, "_loss_weight", 1.0)
    rate = model.optimizer.learning_rate_schedule
    if rate is not None:
        schedules.serialize(rate)             # a plain function cannot be saved: it says so
    return {"optimizer": keras_object("optimizers", optimizers.serialize(model.optimizer)),
            "loss": keras_object("losses", losses.serialize(model.loss)),
            "loss_weights": None if loss_weight == 1.0 else loss_weight,
            "metrics": metrics or None, "weighted_metrics": weighted or None,
            "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}


def _compile_config_by_output(model, heads):
    from .. import losses, optimizers
    by_name = heads.config()
    return {"optimizer": keras_object("optimizers", optimizers.serialize(model.optimizer)),
            "loss": {name: keras_object("losses", losses.serialize(loss))
                     for name, loss in by_name["loss"].items()},
            "loss_weights": by_name["loss_weights"],
            "metrics": {name: [_metric_entry(m) for m in ms]
                        for name, ms in by_name["metrics"].items()} or None,
            "weighted_metrics": {name: [_metric_entry(m) for m in ms]
                                 for name, ms in by_name["weighted_metrics"].items()} or None,
            "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}


def _metric_entry(metric):
    if isinstance(metric, str):
        return metric
    from .. import metrics
    return keras_object("metrics", metrics.registry.serialize(metric))


# -- reading --------------------------------------------------------------------------------

def _require(condition, message):
    if not condition:
        raise ConfigError(message)


def _glassnet_module(family):
    try:
        return importlib.import_module("glassnet." + _GLASSNET_MODULES.get(family, family))
    except ImportError:
        return None


def layer_classes():
    """glassnet's layer classes by name: the only classes a file can ask for."""
    return {name: obj for name, obj in vars(layers_module).items()
            if inspect.isclass(obj) and issubclass(obj, layers_module.Layer)
            and obj is not layers_module.Layer and not name.startswith("_")}


def _accepted_arguments(cls):
    """The keyword arguments ``cls(...)`` takes: its ``__init__``'s, and its bases' for as
    long as each passes ``**kwargs`` on."""
    names = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        parameters = inspect.signature(init).parameters.values()
        names |= {p.name for p in parameters
                  if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        if not any(p.kind is p.VAR_KEYWORD for p in parameters):
            break
    names.discard("self")
    return names


def _is_inert(value):
    """Keras's "not used" values, which glassnet may drop: None, False, empty."""
    return value is None or value is False or (isinstance(value, (list, dict)) and not value)


def dtype_name(value, where):
    """A ``DTypePolicy`` dict or a dtype string as a float type glassnet supports."""
    if isinstance(value, dict):
        _require(value.get("class_name") in ("DTypePolicy", "FloatDTypePolicy")
                 and isinstance(value.get("config"), dict),
                 f"{where}: dtype {value.get('class_name')!r} is not a plain dtype policy.")
        value = value["config"].get("name")
    _require(value is None or value in ("float16", "float32", "float64"),
             f"{where}: dtype {value!r} is not supported; glassnet computes in float16, float32 "
             f"or float64 (mixed-precision policies are not supported).")
    return value


def _arguments(cls, config, where, custom_objects=None):
    """``config`` as keyword arguments for ``cls``: nested objects built, Keras-only arguments
    with inert values dropped, any other unknown argument refused."""
    _require(isinstance(config, dict), f"{where}: its config must be a JSON object, got "
             f"{type(config).__name__}.")
    accepted = _accepted_arguments(cls)
    kwargs = {}
    for key, value in config.items():
        if key == "shared_object_id":               # Keras's object sharing: nothing to build
            continue
        if key not in accepted:
            _require(_is_inert(value),
                     f"{where}: argument {key}={value!r} is not supported by glassnet's "
                     f"{cls.__name__}.")
            continue
        if key == "dtype":
            value = dtype_name(value, where)
        elif key == "trainable":
            value = trainable_flag(value, where)
        elif isinstance(value, dict) and _family(key) is not None:
            value = deserialize(_family(key), value, f"{where}, {key}", custom_objects)
        kwargs[key] = value
    return kwargs


def _build(cls, kwargs, where):
    """``cls`` made from file data. Any exception means the data describe no valid object
    (a constructor may fail in its own way on values no user would write)."""
    try:
        if hasattr(cls, "from_config"):
            return cls.from_config(kwargs)
        return cls(**kwargs)
    except ConfigError:
        raise
    except Exception as error:
        raise ConfigError(f"{where}: {_reason(error)}") from None


def _reason(error):
    if isinstance(error, (TypeError, ValueError)):
        return str(error)
    return f"{type(error).__name__}: {error}"


def deserialize(family, value, where, custom_objects=None):
    """A nested Keras object (``{"class_name", "config"}``, or a name) as a glassnet object
    of ``family`` ("initializers", "activations", "losses", "optimizers", ...). Names pass
    through (the glassnet constructor resolves them, with its own clear error)."""
    if value is None or isinstance(value, str):
        return value
    _require(isinstance(value, dict) and isinstance(value.get("class_name"), str),
             f"{where}: expected a name or an object with a class_name, got {value!r}.")
    class_name = value["class_name"]
    registered = _registered_name(value, where)
    module = _glassnet_module(family)
    _require(module is not None and hasattr(module, "registry"),
             f"{where}: glassnet has no {family}, so {class_name!r} cannot be loaded.")
    if class_name == "function" or registered == "function":
        name = value.get("config")
        _require(isinstance(name, str) and module.registry.has(name),
                 f"{where}: the function {name!r} is not a glassnet {_one(family)}; glassnet "
                 f"loads only its own functions, never code from a file.")
        return name
    cls = (custom_objects or {}).get(class_name) or (custom_objects or {}).get(registered)
    if cls is None:
        _require(registered in (None, class_name),
                 f"{where}: {registered!r} is a custom Keras class; glassnet loads only its "
                 f"own classes (map it with custom_objects={{{registered!r}: ...}}).")
        _require(module.registry.has(class_name),
                 f"{where}: glassnet has no {_one(family)} {class_name!r}.")
        cls = module.registry.lookup(class_name)
    if not inspect.isclass(cls):
        return cls
    where = f"{where} ({class_name})"
    return _build(cls, _arguments(cls, value.get("config") or {}, where, custom_objects), where)


def _one(family):
    """One of a family, in words: "losses" -> "loss", "activations" -> "activation"."""
    return family[:-2] if family.endswith("sses") else family[:-1]


def trainable_flag(value, where):
    """``trainable`` from a file: true or false, never a string ("false" is truthy)."""
    _require(isinstance(value, bool), f"{where}: trainable must be true or false, got "
             f"{value!r}.")
    return value


def _registered_name(entry, where):
    registered = entry.get("registered_name")
    _require(registered is None or isinstance(registered, str),
             f"{where}: registered_name must be a string or null, got {registered!r}.")
    return registered


def _layer_class(entry, index, custom_objects):
    class_name = entry.get("class_name")
    registered = _registered_name(entry, f"layer {index}")
    _require(isinstance(class_name, str), f"layer {index} has no class_name.")
    custom = (custom_objects or {}).get(class_name) or (custom_objects or {}).get(registered)
    if custom is not None:
        return custom
    _require(class_name != "Lambda",
             f"layer {index} is a Lambda layer, which holds Python code; glassnet never runs "
             f"code from a file. Rebuild that step from standard layers.")
    _require(registered in (None, class_name),
             f"layer {index} is the custom Keras class {registered!r}; glassnet loads only its "
             f"own layers (map it with custom_objects={{{registered!r}: YourLayer}}).")
    classes = layer_classes()
    _require(class_name in classes,
             f"layer {index} is a {class_name}, which glassnet does not have (it has "
             f"{', '.join(sorted(classes))}).")
    return classes[class_name]


def layer_from_entry(entry, index, custom_objects=None):
    """One layer from its Keras entry (``InputLayer`` included)."""
    _require(isinstance(entry, dict), f"layer {index} must be a JSON object.")
    cls = _layer_class(entry, index, custom_objects)
    config = entry.get("config")
    name = config.get("name") if isinstance(config, dict) else None
    where = f"layer {index} ({name!r}, {entry['class_name']})"
    return _build(cls, _arguments(cls, config, where, custom_objects), where)


@contextlib.contextmanager
def no_random_draws():
    """Building layers draws initial weights that the file then replaces; this puts glassnet's
    global generator back afterwards, so loading a model never shifts a seeded run."""
    generator = utils.global_generator()
    state = generator.bit_generator.state
    try:
        yield
    finally:
        generator.bit_generator.state = state


def model_from_config(config, custom_objects=None, compile=True, before_build=None):
    """A glassnet ``Sequential`` from a parsed ``config.json`` (compiled when it says how).

    ``before_build(layers)``, if given, sees the layers (Input first, if any) after they are
    made and before any of them makes its weights.
    """
    _require(isinstance(config, dict), "config.json must hold a JSON object.")
    custom_objects = object_registration.all_custom_objects(custom_objects)
    class_name = config.get("class_name")
    _require(class_name in ("Sequential", "Functional", "Model"),
             f"it holds a {class_name!r} model; glassnet loads Sequential and functional "
             f"models (subclassed models hold Python code).")
    inner = config.get("config")
    if class_name != "Sequential":
        model = _functional_from_config(inner, custom_objects, before_build)
        if compile and config.get("compile_config"):
            compile_from_config(model, config["compile_config"], custom_objects)
        return model
    _require(isinstance(inner, dict) and isinstance(inner.get("layers"), list),
             "the Sequential config has no list of layers.")
    name = inner.get("name")
    _require(name is None or isinstance(name, str), f"the model name {name!r} is not a string.")
    with no_random_draws():
        layers = [layer_from_entry(e, i, custom_objects) for i, e in enumerate(inner["layers"])]
        if before_build is not None:
            before_build(layers)
        try:
            model = Sequential(layers, name=name, trainable=trainable_flag(
                inner.get("trainable", True), "the model"))
            shape = inner.get("build_input_shape") or (config.get("build_config") or {}).get(
                "input_shape")
            if not model.built and shape is not None:
                _require(isinstance(shape, list) and len(shape) >= 2,
                         f"build input shape {shape!r} is not a list [None, ...].")
                model.build(tuple(shape))
        except ConfigError:
            raise
        except Exception as error:
            raise ConfigError(f"the layers do not form a model: {_reason(error)}") from None
    if compile and config.get("compile_config"):
        compile_from_config(model, config["compile_config"], custom_objects)
    return model


def _functional_from_config(inner, custom_objects, before_build):
    from . import functional_config
    _require(isinstance(inner, dict) and isinstance(inner.get("layers"), list),
             "the Functional config has no list of layers.")
    name = inner.get("name")
    _require(name is None or isinstance(name, str), f"the model name {name!r} is not a string.")
    with no_random_draws():
        return functional_config.model_from_config(inner, custom_objects, before_build)


def compile_from_config(model, config, custom_objects=None):
    """``model.compile`` with what a ``compile_config`` records."""
    _require(isinstance(config, dict), "compile_config must be a JSON object.")
    if config.get("loss") is None:
        return                               # compiled without a loss: nothing to train with
    optimizer = deserialize("optimizers", config.get("optimizer") or "rmsprop",
                            "compile_config, optimizer", custom_objects)
    loss = _per_output(config["loss"], lambda v, w: deserialize("losses", v, w, custom_objects),
                       "compile_config, loss")
    metrics, weighted = (_per_output(config.get(key), _metrics, f"compile_config, {key}")
                         for key in ("metrics", "weighted_metrics"))
    try:
        model.compile(optimizer=optimizer, loss=loss, loss_weights=config.get("loss_weights"),
                      metrics=metrics or None, weighted_metrics=weighted or None)
    except Exception as error:
        raise ConfigError(f"compile_config: {_reason(error)}") from None


def _per_output(value, read, where):
    """A compile argument for one output, or (several outputs) a dict by name or a list."""
    if isinstance(value, dict) and "class_name" not in value:
        return {name: read(v, f"{where}[{name!r}]") for name, v in value.items()}
    if isinstance(value, list) and value and (where.endswith("loss") or all(
            isinstance(v, list) or v is None for v in value)):
        return [read(v, f"{where}[{i}]") for i, v in enumerate(value)]
    return read(value, where)


def _metrics(values, where):
    _require(values is None or isinstance(values, list),
             f"{where}: {values!r} is not a list of metrics.")
    for value in values or []:
        _require(isinstance(value, (str, dict)),
                 f"{where}: {value!r} is neither a metric name nor a metric object.")
    return [deserialize("metrics", value, where) for value in values or []]
