"""The ``.keras`` format (``keras.saving``): Keras 3's own files, written and read without pickle.

- ``archive``: the zip (``config.json``, ``metadata.json``, ``model.weights.h5``), its checks,
  ``save_model`` / ``load_model`` / ``save_weights`` / ``load_weights``;
- ``keras_config``: a model as Keras's JSON config and back (only glassnet's own classes);
  ``functional_config``: a functional model's graph (``inbound_nodes``), written and replayed;
- ``h5_weights``: the weights and the optimizer state in Keras's HDF5 layout (h5py, on use);
- ``files``: ``ModelFileError`` and ``write_atomically`` (a failed save keeps the old file);
- ``object_registration``: ``register_keras_serializable``, ``custom_object_scope``,
  ``get_custom_objects``: user classes that files name, resolved in this process only.

May import: numbers, layers, models. Models reach it only through deferred imports in
``model.save`` / ``load_model``.
"""
from .archive import (CONFIG, FORMAT_VERSION, KERAS_VERSION, METADATA, WEIGHTS, load_model,
                      load_weights, read_archive, save_model, save_weights)
from ..atomic import write_atomically
from .files import ModelFileError, ModelFileNotFoundError
from .object_registration import (CustomObjectScope, custom_object_scope, get_custom_objects,
                                  get_registered_name, get_registered_object,
                                  register_keras_serializable)

__all__ = ["CONFIG", "FORMAT_VERSION", "KERAS_VERSION", "METADATA", "WEIGHTS", "ModelFileError",
           "ModelFileNotFoundError", "load_model", "load_weights", "read_archive", "save_model",
           "save_weights", "write_atomically", "CustomObjectScope", "custom_object_scope",
           "get_custom_objects", "get_registered_name", "get_registered_object",
           "register_keras_serializable"]
