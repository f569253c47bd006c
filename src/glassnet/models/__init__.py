"""Models (``keras.models``): ``Model`` (what every model shares), its training loop
``Trainer`` (fit / evaluate / predict, written once), ``Sequential`` and the functional graph.

- ``model``: ``Model`` (weights, compile, metrics, loss, files); ``Model(inputs, outputs)``
  gives a ``functional.Functional``, as in Keras; ``trainer``: ``Trainer`` (fit), with
  ``inference`` (evaluate / predict and the test loop, a mixin of ``Trainer``) and ``batching``
  (the loops' argument checks, the batches, and ``Columns``: several input or target arrays
  sliced together, so one loop serves every model);
- ``sequential``: ``Sequential``, a stack; ``functional``: ``Functional``, any graph of layers
  (``graph``: its nodes in order, checked before any work; ``outputs``: losses, weights and
  metrics per output); ``as_layer``: a model standing as a layer inside a graph;
- ``summary``: Keras's table, with the "Connected to" column for graphs.

May import: numbers, layers, callbacks. Files are read and written by ``glassnet.saving``,
reached through deferred imports in ``save`` and ``load_model``.
"""
from .functional import Functional
from .model import Model, load_model
from .sequential import Sequential
from .trainer import DivergenceWarning

__all__ = ["DivergenceWarning", "Functional", "Model", "Sequential", "load_model"]
