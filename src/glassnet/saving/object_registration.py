"""User classes in ``.keras`` files, as ``keras.saving``: ``register_keras_serializable``,
``custom_object_scope`` / ``CustomObjectScope``, ``get_custom_objects``,
``get_registered_name``, ``get_registered_object``.

A file names a user class by its registered name (``"package>Name"``); loading looks that name
up among the classes this process registered (or put in ``get_custom_objects()``, or in an
open ``custom_object_scope``, or passed as ``custom_objects=``) and never imports anything the
file names: the class must already exist here, so a file still cannot run code of its own.
"""
import inspect
import threading

_GLOBAL_CUSTOM_OBJECTS = {}            # registered name -> class or function
_GLOBAL_CUSTOM_NAMES = {}              # class or function -> registered name
_SCOPES = threading.local()            # the open custom_object_scope dicts, innermost last


def register_keras_serializable(package="Custom", name=None):
    """Decorator: register a class (with ``get_config``) or a function under
    ``"package>name"`` (``name`` defaults to its ``__name__``), as Keras's."""
    if not isinstance(package, str) or ">" in package:
        raise ValueError(f"package must be a string without '>', got {package!r}.")

    def decorator(obj):
        registered = f"{package}>{name if name is not None else obj.__name__}"
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(f"Cannot register {obj.__name__}: a class needs a get_config() "
                             f"method to be saved.")
        if registered in _GLOBAL_CUSTOM_OBJECTS:
            raise ValueError(f"{registered} has already been registered to "
                             f"{_GLOBAL_CUSTOM_OBJECTS[registered]}. Choose another package= "
                             f"or name=.")
        _GLOBAL_CUSTOM_OBJECTS[registered] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered
        return obj
    return decorator


def get_custom_objects():
    """The global dict of custom objects (registered name -> object); editing it registers or
    removes objects, as Keras's."""
    return _GLOBAL_CUSTOM_OBJECTS


def get_registered_name(obj):
    """``"package>Name"`` for a registered object, else its ``__name__``."""
    if obj in _GLOBAL_CUSTOM_NAMES:
        return _GLOBAL_CUSTOM_NAMES[obj]
    return getattr(obj, "__name__", None)


def is_registered(obj):
    try:
        return obj in _GLOBAL_CUSTOM_NAMES
    except TypeError:                    # an unhashable object
        return False


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object registered (or in scope, or in ``custom_objects`` / ``module_objects``)
    under ``name``, or None."""
    for table in (_scoped(), custom_objects or {}, _GLOBAL_CUSTOM_OBJECTS, module_objects or {}):
        if name in table:
            return table[name]
    return None


class CustomObjectScope:
    """``with CustomObjectScope({"MyLayer": MyLayer}):`` makes those names loadable inside the
    block (``custom_object_scope`` is the same), as Keras's."""

    def __init__(self, *custom_objects):
        for objects in custom_objects:
            if not isinstance(objects, dict):
                raise TypeError(f"custom_object_scope takes dicts of name -> object, got "
                                f"{objects!r}.")
        self.custom_objects = custom_objects

    def __enter__(self):
        stack = _stack()
        for objects in self.custom_objects:
            stack.append(objects)
        return self

    def __exit__(self, *exc_info):
        stack = _stack()
        del stack[len(stack) - len(self.custom_objects):]


custom_object_scope = CustomObjectScope


def _stack():
    if not hasattr(_SCOPES, "stack"):
        _SCOPES.stack = []
    return _SCOPES.stack


def _scoped():
    merged = {}
    for objects in _stack():
        merged.update(objects)
    return merged


def all_custom_objects(custom_objects=None):
    """Every name loading may resolve: registered, then in scope, then ``custom_objects``."""
    return {**_GLOBAL_CUSTOM_OBJECTS, **_scoped(), **(custom_objects or {})}
