"""``ModelFileError``: a model or weights file glassnet refuses, naming the file and the
problem (``ModelFileNotFoundError`` when there is no file at all)."""


class ModelFileError(ValueError):
    """A model or weights file glassnet refuses; ``path`` and ``problem`` say which and why."""

    def __init__(self, path, problem):
        self.path, self.problem = str(path), problem
        super().__init__(f"Cannot load {self.path!r}: {problem}")


class ModelFileNotFoundError(ModelFileError, FileNotFoundError):
    """No file at the path given: a ``ModelFileError`` and a ``FileNotFoundError``."""
