"""Optimizers (``keras.optimizers``): SGD, Adagrad, RMSprop, Adam and its variants AdamW,
Adamax and Nadam, then Adadelta, Ftrl, Lion, Lamb and Adafactor, with Keras 3's defaults and
update rules (``keras/src/optimizers/*.py``, as they run on the torch backend), in order of
increasing complexity.

Each step is ``optimizer.apply(params, grads)``: every weight array is updated in place.
Gradients come from the layers' ``backward``; only the optimizer changes weights. The base
class does what all of them share, in Keras's order: skip weights without a gradient, add
up gradients (``gradient_accumulation_steps``), clip them (``clipnorm`` / ``global_clipnorm``
/ ``clipvalue``), decay the weights (``weight_decay``), the subclass's ``update`` for each
weight, then the moving averages (``use_ema``), the weights' constraints, and count the step.

State ("slots", e.g. Adam's momentum and velocity) is positional: ``slots[i]`` belongs to the
i-th weight array of ``params``, in the model's trainable-weight order, so it can be saved and
read back. ``variables`` lists the whole state in Keras's order (``optimizer.variables``).

``learning_rate`` is a number or a schedule from ``glassnet.optimizers.schedules`` (or any
callable of no argument, as Keras allows): a schedule is evaluated once per step at the
number of steps already taken, before the step, as Keras does.

- ``base``: ``Optimizer`` (build, one step, config), the registry, ``get`` / ``serialize`` /
  ``deserialize``; its mixins: ``learning_rate`` (``LearningRate``), ``state``
  (``OptimizerState``: variables, saving, counting), ``clipping`` (``GradientClipping``);
- ``arguments``: the argument checks; ``moments``: the moving averages every adaptive
  optimizer updates in place; ``fused``: the CuPy kernels of Adam's and RMSprop's updates;
- one module per method: ``sgd``, ``adagrad`` (Adagrad, Adadelta), ``rmsprop``, ``adam``
  (Adam, AdamW, Adamax, Nadam, Lamb), ``lion``, ``ftrl``, ``adafactor``.

May import: glassnet.schedules and the base part of glassnet (config, arrays, naming,
_registry). Never layers, models or anything above them.
"""
import sys

from .. import schedules
from .adafactor import Adafactor
from .adagrad import Adadelta, Adagrad
from .adam import Adam, Adamax, AdamW, Lamb, Nadam
from .base import FLUSH_EVERY, Optimizer, deserialize, get, registry, serialize
from .ftrl import Ftrl
from .lion import Lion
from .rmsprop import RMSprop
from .sgd import SGD

# Keras's `keras.optimizers.schedules`: also importable as `glassnet.optimizers.schedules`
sys.modules[__name__ + ".schedules"] = schedules

__all__ = ["Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "FLUSH_EVERY", "Ftrl",
           "Lamb", "Lion", "Nadam", "Optimizer", "RMSprop", "SGD", "deserialize", "get",
           "registry", "schedules", "serialize"]
