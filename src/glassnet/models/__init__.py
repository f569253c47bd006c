"""Models (``keras.models``): ``Model`` (what every model shares), its training loop
``Trainer`` (fit / evaluate / predict, written once), and ``Sequential``; ``summary`` draws
Keras's table.

May import: numbers, layers, callbacks. Files are read and written by ``glassnet.saving``,
reached through deferred imports in ``save`` and ``load_model``.
"""
from .model import Model, load_model
from .sequential import Sequential
from .trainer import DivergenceWarning

__all__ = ["DivergenceWarning", "Model", "Sequential", "load_model"]
