"""One registry helper shared by every family (activations, initializers, losses, ...).

Keras gives each family a ``get`` / ``serialize`` / ``deserialize`` triad; glassnet writes it
once here. Names resolve as Keras resolves them: the exact registered name first, then the
same name with case and underscores ignored (``'GlorotUniform'`` and ``'glorot_uniform'``),
and an unknown name raises one ``ValueError`` that quotes the name and the closest valid ones.
"""
import difflib
import inspect


def _normalize(name):
    return name.replace("_", "").lower()


class Configurable:
    """What every registered object shares: ``get_config`` / ``from_config`` round-trip and a
    ``__repr__`` that shows the config (``GlorotUniform(seed=None)``)."""

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class UnknownNameError(ValueError):
    """A name that no registry entry matches; the message lists the closest valid names."""


class Registry:
    """Maps names to objects of one family.

    ``register(*names)`` decorates a class or function; the first name is its canonical one
    (what ``serialize`` writes), the rest are aliases. A registered class is instantiated
    with no arguments when looked up by name, as Keras does for ``'GlorotUniform'``.
    """

    def __init__(self, family, base=None):
        self.family = family            # e.g. "activation", used in messages
        self.base = base                # instances of this type pass through `get`
        self._by_name = {}
        self._by_normal = {}
        self._canonical = {}            # object -> canonical name

    def register(self, *names):
        def decorate(obj):
            for name in names:
                self._by_name[name] = obj
                self._by_normal.setdefault(_normalize(name), obj)
            self._canonical.setdefault(obj, names[0])
            return obj
        return decorate

    def names(self):
        return sorted(self._by_name)

    def lookup(self, name):
        """The registered object for ``name`` (class or function), or ``UnknownNameError``."""
        obj = self._by_name.get(name)
        if obj is None:
            obj = self._by_normal.get(_normalize(name))
        if obj is None:
            raise UnknownNameError(self.unknown_message(name))
        return obj

    def has(self, name):
        return isinstance(name, str) and (
            name in self._by_name or _normalize(name) in self._by_normal)

    def unknown_message(self, name):
        close = difflib.get_close_matches(name, self.names(), n=3, cutoff=0.5)
        if not close:
            close = difflib.get_close_matches(_normalize(name), self._by_normal, n=3, cutoff=0.5)
            close = [self._canonical.get(self._by_normal[c], c) for c in close]
        hint = (" Did you mean " + " or ".join(repr(c) for c in close) + "?") if close else ""
        return (f"Unknown {self.family} {name!r}.{hint} "
                f"Valid names: {', '.join(self._public_names())}.")

    def _public_names(self):
        return sorted(set(self._canonical.values()))

    def get(self, identifier):
        """Keras's ``get``: None -> None, a name -> the object, a config dict -> deserialize,
        an instance of the family or a callable -> itself."""
        if identifier is None:
            return None
        if isinstance(identifier, str):
            obj = self.lookup(identifier)
            return obj() if inspect.isclass(obj) else obj
        if isinstance(identifier, dict):
            return self.deserialize(identifier)
        if inspect.isclass(identifier) and self.base is not None and issubclass(identifier, self.base):
            return identifier()
        if callable(identifier):
            return identifier
        raise TypeError(
            f"Could not interpret {self.family} {identifier!r}: pass a name such as "
            f"{self._public_names()[0]!r}, an instance, or a config dict.")

    def serialize(self, obj):
        """A name for registered functions, ``{"class_name", "config"}`` for objects."""
        if obj in self._canonical and not inspect.isclass(obj):
            return self._canonical[obj]
        if hasattr(obj, "get_config"):
            return {"class_name": type(obj).__name__, "config": obj.get_config()}
        name = getattr(obj, "__name__", None)
        if name is not None and self.has(name):
            return name
        raise ValueError(f"Cannot serialize {self.family} {obj!r}: it is not registered.")

    def deserialize(self, config):
        if isinstance(config, str):
            return self.get(config)
        if not isinstance(config, dict) or "class_name" not in config:
            raise ValueError(f"A serialized {self.family} is a name or a dict with 'class_name'; "
                             f"got {config!r}.")
        obj = self.lookup(config["class_name"])
        if inspect.isclass(obj):
            cls = obj
            if hasattr(cls, "from_config"):
                return cls.from_config(config.get("config") or {})
            return cls(**(config.get("config") or {}))
        return obj
