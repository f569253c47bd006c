"""Import from Keras 3: ``from_keras(path_or_model)``.

A ``.keras`` file is read exactly as ``glassnet.models.load_model`` reads it (Keras is not
imported). A live ``keras.Sequential`` or functional ``keras.Model`` is read through Keras's own API: its config from
``keras.saving.serialize_keras_object`` (what Keras writes into ``config.json``) and each
layer's ``get_weights()``, so both routes build the model from the same description.
"""
import json
import os
import sys

import numpy as np

from .. import saving
from ..saving import keras_config
from . import UnsupportedLayerError


def from_keras(path_or_model):
    """An uncompiled glassnet model (``Sequential`` or functional) with the architecture and
    weights of a Keras one."""
    if isinstance(path_or_model, (str, os.PathLike)) or hasattr(path_or_model, "read"):
        return saving.load_model(path_or_model, compile=False)
    keras = sys.modules.get("keras")
    if keras is None or not isinstance(path_or_model, keras.Model):
        raise TypeError(f"from_keras takes a path to a .keras file or a keras model, got "
                        f"{type(path_or_model).__name__}.")
    config = json.loads(json.dumps(keras.saving.serialize_keras_object(path_or_model),
                                   default=_plain))
    try:
        model = keras_config.model_from_config(config, compile=False)
    except keras_config.ConfigError as error:
        raise UnsupportedLayerError(f"Cannot import this Keras model: {error}") from None
    by_name = {layer.name: layer for layer in path_or_model.layers}
    for index, layer in enumerate(model.layers):    # by name (a graph's order may differ)
        source = by_name.get(layer.name, path_or_model.layers[index])
        layer.set_weights([np.asarray(w) for w in source.get_weights()])
    return model


def _plain(value):
    """JSON for the few non-JSON values a live config may hold (NumPy scalars and arrays)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{value!r} in the Keras config has no JSON form.")
