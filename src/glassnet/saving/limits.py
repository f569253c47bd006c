"""How much a model file may make glassnet read and allocate, and how to allow more.

A ``.keras`` file declares sizes apart from the bytes it stores: a zip member's inflated size,
an HDF5 dataset's shape (a chunked dataset with no chunk written, or a fill value, stores
nothing). A 15 KB file can declare gigabytes. glassnet loads a file only when what it declares
is bounded by what it stores, checked before anything is allocated:

- ``config.json`` and ``metadata.json`` (kilobytes in practice) may inflate to at most
  ``MAX_JSON_BYTES`` each;
- the weights member may inflate to at most ``MAX_EXPANSION`` times the size of the file;
- an uncompressed HDF5 dataset must store every byte its shape declares
  (``dataset.id.get_storage_size()`` against ``size * itemsize``); a compressed one may declare
  at most ``MAX_EXPANSION`` times what it stores;
- all datasets together may declare at most ``MAX_EXPANSION`` times the file's size.

Keras and glassnet store every member and dataset uncompressed, so their files use a ratio
of 1; deflate itself cannot exceed about 1032. A user who trusts a file that needs more sets,
before loading::

    import glassnet.saving.limits
    glassnet.saving.limits.MAX_EXPANSION = 10_000
"""
MAX_JSON_BYTES = 64 * 2**20
MAX_EXPANSION = 100
SMALL_FILE_BYTES = 1 << 20      # below this, the ratio limits never refuse (tiny models)


def expansion_budget(stored_bytes):
    """What ``stored_bytes`` of file may declare: ``MAX_EXPANSION`` times as much, and never
    less than ``SMALL_FILE_BYTES``."""
    return max(MAX_EXPANSION * stored_bytes, SMALL_FILE_BYTES)
