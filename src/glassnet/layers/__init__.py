"""Layers (``keras.layers``): the base ``Layer`` and every layer a dense network is built from.

- ``base``: ``Layer`` (weights, shapes, configs, the shared argument checks);
- ``core``: ``Input``, ``Dense``, ``Activation``, ``Flatten``, ``Dropout``; ``reshaping``: ``Reshape``;
- ``activation``: ``ReLU``, ``LeakyReLU``, ``ELU``, ``PReLU``, ``Softmax``;
- ``identity``: ``Identity``, ``ActivityRegularization``; ``preprocessing``: ``Normalization``;
- ``normalization``: ``BatchNormalization``, ``LayerNormalization``, ``RMSNormalization``,
  ``UnitNormalization``; ``noise``: ``GaussianNoise``, ``GaussianDropout``, ``AlphaDropout``;
- ``merge``: ``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum``, ``Minimum``,
  ``Concatenate`` (a list of inputs in, one out: how functional graphs join branches);
- ``symbolic``: ``KerasTensor`` and ``Node``, what calling a layer on ``Input`` records.

May import: the numbers (activations, initializers, regularizers, config, utils, naming).
Never models, callbacks, saving, insight or anything above them.
"""
from .activation import ELU, LeakyReLU, PReLU, ReLU, Softmax
from .base import Layer
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer
from .merge import Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract
from .identity import ActivityRegularization, Identity
from .noise import AlphaDropout, GaussianDropout, GaussianNoise
from .normalization import (BatchNormalization, LayerNormalization, RMSNormalization,
                            UnitNormalization)
from .preprocessing import Normalization
from .reshaping import Reshape
from .symbolic import KerasTensor

__all__ = ["ActivityRegularization", "AlphaDropout", "ELU", "GaussianDropout", "Identity",
           "LayerNormalization", "Normalization", "PReLU", "RMSNormalization", "UnitNormalization",
           "Activation", "BatchNormalization", "Dense", "Dropout", "Flatten", "GaussianNoise",
           "Input", "InputLayer", "Layer", "LeakyReLU", "ReLU", "Reshape", "Softmax",
           "Add", "Average", "Concatenate", "KerasTensor", "Maximum", "Minimum", "Multiply",
           "Subtract"]
