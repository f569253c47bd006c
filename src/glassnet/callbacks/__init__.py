"""Callbacks (``keras.callbacks``): hooks that see training as it happens.

- ``base``: ``Callback``; ``callback_list``: ``CallbackList`` (Keras's order and the
  batch-hook bookkeeping that keeps a plain ``fit`` free); ``history``: ``History``;
  ``progbar``: ``Progbar`` and ``ProgbarLogger``;
- ``monitor``: ``TerminateOnNaN``, ``EarlyStopping`` (and ``MonitorCallback``, their base);
- ``checkpoint``: ``ModelCheckpoint``; ``backup``: ``BackupAndRestore``;
  ``learning_rate``: ``LearningRateScheduler``,
  ``ReduceLROnPlateau``; ``logs``: ``CSVLogger``, ``LambdaCallback``;
- ``tensorboard``: ``TensorBoard``, writing event files through ``event_file`` (no TensorFlow);
  ``ema``: ``SwapEMAWeights`` (the optimizer's ``use_ema`` averages swapped in to evaluate).

May import: the numbers. ``models`` imports this package (the training loop calls it), so
nothing here imports models, saving or insight at module scope. ``Probe`` lives with the
insight tools (``glassnet.insight.probe``) and is reachable here as
``glassnet.callbacks.Probe``, loaded on first use; ``ModelCheckpoint`` saves through
``model.save``.
"""
from .backup import BackupAndRestore
from .base import Callback
from .callback_list import CallbackList
from .checkpoint import ModelCheckpoint
from .ema import SwapEMAWeights
from .history import History
from .learning_rate import LearningRateScheduler, ReduceLROnPlateau
from .logs import CSVLogger, LambdaCallback
from .monitor import EarlyStopping, MonitorCallback, TerminateOnNaN
from .progbar import Progbar, ProgbarLogger
from .tensorboard import TensorBoard


def __getattr__(name):
    # Probe belongs to glassnet.insight (above models): loaded on first use, not at import.
    if name == "Probe":
        from ..insight.probe import Probe
        return Probe
    raise AttributeError(f"module 'glassnet.callbacks' has no attribute {name!r}")


__all__ = ["BackupAndRestore", "CSVLogger", "Callback", "CallbackList", "EarlyStopping",
           "History", "LambdaCallback",
           "LearningRateScheduler", "ModelCheckpoint", "MonitorCallback", "Probe", "Progbar",
           "ProgbarLogger", "ReduceLROnPlateau", "SwapEMAWeights", "TensorBoard",
           "TerminateOnNaN"]
