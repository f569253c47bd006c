"""TensorBoard event files written without TensorFlow: the records ``tensorboard --logdir``
and ``tensorboard.backend.event_processing`` read.

A file ``events.out.tfevents.<time>.<host>.<pid>.<n>.v2`` is a sequence of TFRecords, each
``uint64 length | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data)`` (little
endian; crc32c is the Castagnoli CRC, masked as ``((c >> 15) | (c << 17)) + 0xa282ead8``).
Each record's data is a serialized ``tensorflow.Event`` protobuf: the first holds
``file_version = "brain.Event:2"``, the others a ``Summary`` with ``wall_time`` and ``step``.
The protobuf wire format is written here by hand (a few field types), so glassnet needs
neither TensorFlow nor protobuf:

- a scalar: ``Summary.Value{tag, simple_value}``;
- a histogram: ``Summary.Value{tag, histo: HistogramProto{min, max, num, sum, sum_squares,
  bucket_limit, bucket}}`` with equal-width buckets (each limit the bucket's right edge);
- text: ``Summary.Value{tag, metadata{plugin_data{plugin_name: "text"}}, tensor:
  TensorProto{dtype: DT_STRING, string_val: [utf-8 text]}}`` (Markdown, as the text
  dashboard renders it).
"""
import itertools
import os
import socket
import struct
import time

import numpy as np

_COUNTER = itertools.count()


# -- crc32c (Castagnoli), table-driven --------------------------------------------------------

def _crc_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _crc_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def tf_record(data):
    """One TFRecord around ``data`` (bytes)."""
    length = struct.pack("<Q", len(data))
    return (length + struct.pack("<I", masked_crc32c(length)) + data
            + struct.pack("<I", masked_crc32c(data)))


# -- the protobuf wire format, for the fields used here ---------------------------------------

def _varint(value):
    out = bytearray()
    while True:
        bits, value = value & 0x7F, value >> 7
        out.append(bits | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _key(field, wire_type):
    return _varint((field << 3) | wire_type)


def _int(field, value):
    return _key(field, 0) + _varint(int(value))


def _double(field, value):
    return _key(field, 1) + struct.pack("<d", float(value))


def _float(field, value):
    return _key(field, 5) + struct.pack("<f", float(value))


def _bytes(field, value):
    value = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return _key(field, 2) + _varint(len(value)) + value


def _packed_doubles(field, values):
    return _bytes(field, b"".join(struct.pack("<d", float(v)) for v in values))


def event(step, wall_time, summary_values=None, file_version=None):
    """A serialized ``Event``: wall_time (1), step (2), file_version (3) or summary (5)."""
    data = _double(1, wall_time) + _int(2, step)
    if file_version is not None:
        return data + _bytes(3, file_version)
    return data + _bytes(5, b"".join(_bytes(1, value) for value in summary_values))


def scalar_value(tag, value):
    """``Summary.Value``: tag (1), simple_value (2)."""
    return _bytes(1, tag) + _float(2, value)


def histogram_value(tag, values, buckets=30):
    """``Summary.Value``: tag (1), histo (5); non-finite entries are left out of the buckets
    (counted in ``num`` they would make every statistic NaN)."""
    values = np.asarray(values, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        values = np.zeros(1)
    low, high = float(values.min()), float(values.max())
    if low == high:
        edges = np.array([low - 0.5, high + 0.5])
    else:
        edges = np.linspace(low, high, buckets + 1)
    counts, edges = np.histogram(values, bins=edges)
    histo = (_double(1, low) + _double(2, high) + _double(3, values.size)
             + _double(4, values.sum()) + _double(5, np.square(values).sum())
             + _packed_doubles(6, edges[1:]) + _packed_doubles(7, counts))
    return _bytes(1, tag) + _bytes(5, histo)


_DT_STRING = 7
_DATA_CLASS_TENSOR = 2


def text_value(tag, text):
    """``Summary.Value``: tag (1), metadata (9) naming the text plugin, tensor (8) holding
    one string (TensorProto: dtype (1), tensor_shape (2, a scalar), string_val (8))."""
    metadata = _bytes(1, _bytes(1, "text")) + _int(4, _DATA_CLASS_TENSOR)
    tensor = _int(1, _DT_STRING) + _bytes(2, b"") + _bytes(8, text)
    return _bytes(1, tag) + _bytes(9, metadata) + _bytes(8, tensor)


class EventFileWriter:
    """Appends events to a new event file in ``directory`` (made on first write)."""

    def __init__(self, directory):
        self.directory = os.fspath(directory)
        self._file = None

    def _open(self):
        os.makedirs(self.directory, exist_ok=True)
        name = (f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}."
                f"{os.getpid()}.{next(_COUNTER)}.v2")
        self.path = os.path.join(self.directory, name)
        self._file = open(self.path, "wb")
        self._file.write(tf_record(event(0, time.time(), file_version="brain.Event:2")))

    def write(self, step, values):
        """One event at ``step`` holding the ``Summary.Value`` byte strings ``values``."""
        if self._file is None:
            self._open()
        self._file.write(tf_record(event(step, time.time(), values)))

    def flush(self):
        if self._file is not None:
            self._file.flush()

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None
