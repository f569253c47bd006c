"""Layers (``keras.layers``): the base ``Layer`` and every layer a dense network is built from.

- ``base``: ``Layer`` (weights, shapes, configs, the shared argument checks);
- ``core``: ``Input``, ``Dense``, ``Activation``, ``Flatten``, ``Dropout``; ``reshaping``: ``Reshape``;
- ``activation``: ``ReLU``, ``LeakyReLU``, ``Softmax``;
- ``normalization``: ``BatchNormalization``; ``noise``: ``GaussianNoise``.

May import: the numbers (activations, initializers, regularizers, config, utils, naming).
Never models, callbacks, saving, insight or anything above them.
"""
from .activation import LeakyReLU, ReLU, Softmax
from .base import Layer
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer
from .noise import GaussianNoise
from .normalization import BatchNormalization
from .reshaping import Reshape

__all__ = ["Activation", "BatchNormalization", "Dense", "Dropout", "Flatten", "GaussianNoise",
           "Input", "InputLayer", "Layer", "LeakyReLU", "ReLU", "Reshape", "Softmax"]
