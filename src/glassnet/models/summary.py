"""``model.summary()`` in Keras 3's layout: a box table of layers, output shapes and
parameter counts, then the totals with their memory.

Keras draws the table with ``rich``; this module draws the same characters without it. The
line is ``min(88, terminal columns - 4)`` wide (76 where no terminal says otherwise) and is
cut at the terminal's edge; the columns are cut at ``positions`` (0.45, 0.80, 1.0) and then
narrowed evenly to fit the cell padding and borders; a cell too narrow for its text wraps at
spaces and ends a word that still does not fit with "…".
"""
import math
import re
import shutil

import numpy as np

_HEADER = ("Layer (type)", "Output Shape", "Param #")
_ALIGN = ("left", "left", "right")


def readable_size(num_bytes):
    """Bytes in B/KB/MB/GB with two decimals, 1 KB = 1024 B (Keras's rule)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if num_bytes / 1024 < 1:
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1024
    return f"{num_bytes:.2f} PB"


def summary_text(model, line_length=None, positions=None, show_trainable=False,
                 layer_range=None):
    header, align = list(_HEADER), list(_ALIGN)
    graph = _graph_like(model)
    if graph:                       # a functional model that is not a chain: "Connected to"
        default_length = 108
        positions = list(positions or (0.3, 0.56, 0.74, 1.0))
        header.append("Connected to")
        align.append("left")
    else:
        default_length = 88
        positions = list(positions or (0.45, 0.80, 1.0))
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        align.append("center")
    console_width = shutil.get_terminal_size().columns
    line_length = line_length or min(default_length, console_width - 4)
    widths = _cell_widths(line_length, positions)
    rows = [_layer_fields(layer, shape, show_trainable, model if graph else None)
            for layer, shape in _selected(model, layer_range)]
    lines = [f'Model: "{model.name}"', _rule("┏", "┳", "┓", "━", widths)]
    lines += _row(header, widths, align, "┃")
    lines.append(_rule("┡", "╇", "┩", "━", widths))
    for index, fields in enumerate(rows):
        if index:
            lines.append(_rule("├", "┼", "┤", "─", widths))
        lines += _row(fields, widths, align, "│")
    lines.append(_rule("└", "┴", "┘", "─", widths))
    # As Keras's console does, a line wider than the terminal is cut at its edge.
    return "\n".join(line[:console_width] for line in lines + _totals(model))


def _cell_widths(line_length, positions):
    """Cell widths (text plus one space of padding each side), as rich lays out Keras's table:
    columns cut at ``positions`` of the line, then narrowed evenly until they and the
    borders fit in ``line_length``."""
    widths, current = [], 0
    for position in positions:
        width = int(position * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width + 2)
        current += width
    available = line_length - (len(widths) + 1)
    excess = sum(widths) - available
    remaining_columns = len(widths)
    for index in range(len(widths)):
        if excess <= 0:
            break
        cut = min(widths[index], round(excess / remaining_columns))
        widths[index] -= cut
        excess -= cut
        remaining_columns -= 1
    return widths


def _graph_like(model):
    """Keras's test: a functional model shows "Connected to" unless it is a chain (one input,
    one output, no merge, no layer called twice)."""
    nodes = getattr(model, "_nodes", None)
    if nodes is None:
        return False
    layers = [node.layer for node in nodes]
    return (len(model.inputs) > 1 or len(model.outputs) > 1 or len(set(layers)) < len(layers)
            or any(len(node.inputs) > 1 for node in nodes))


def _connections(layer, model):
    """Keras's "Connected to": ``name[node][tensor]`` of each input of the layer's calls in
    this model, or "-" for an Input."""
    parts = []
    for node in layer._inbound_nodes:
        if node not in model._nodes:
            continue
        for tensor in node.inputs:
            source, node_index, tensor_index = tensor._keras_history
            parts.append(f"{source.name}[{node_index}][{tensor_index}]")
    return ", ".join(parts) or "-"


def _selected(model, layer_range):
    """(layer, output shape or None) for the layers to show."""
    if getattr(model, "_nodes", None) is not None:          # functional: the recorded shapes
        shown = [(layer, layer._inbound_nodes[-1].outputs[0].shape) for layer in model.layers]
    else:
        shown = _sequential_shapes(model)
    if layer_range is None:
        return shown
    return _in_range(shown, layer_range)


def _sequential_shapes(model):
    shape = model.input_shape_
    shown = []
    for layer in model.layers:
        if shape is not None and layer.built:
            shape = layer.compute_output_shape(shape)
            shown.append((layer, (None,) + tuple(shape)))
        else:
            shape = None
            shown.append((layer, None))
    return shown


def _in_range(shown, layer_range):
    if len(layer_range) != 2 or not all(isinstance(n, str) for n in layer_range):
        raise ValueError(f"layer_range must be two layer names (or regexes), got {layer_range!r}.")
    lower = [i for i, (l, _) in enumerate(shown) if re.match(layer_range[0], l.name)]
    upper = [i for i, (l, _) in enumerate(shown) if re.match(layer_range[1], l.name)]
    if not lower or not upper:
        raise ValueError(f"layer_range {layer_range!r} matches no layer names in the model.")
    if min(lower) > max(upper):
        return shown[min(upper):max(lower) + 1]
    return shown[min(lower):max(upper) + 1]


def _layer_fields(layer, shape, show_trainable, graph_model=None):
    name = f"{layer.name} ({type(layer).__name__})"
    if shape is None:
        fields = [name, "?", "0 (unbuilt)"]
    else:
        dims = ", ".join("None" if d is None else str(d) for d in shape)
        fields = [name, f"({dims})", f"{layer.count_params():,}"]
    if graph_model is not None:
        fields.append(_connections(layer, graph_model))
    if show_trainable:
        fields.append(("Y" if layer.trainable else "N") if layer.params else "-")
    return fields


def _row(cells, widths, align, bar):
    """One table row, several lines tall when a cell wraps."""
    wrapped = [_wrap(cell, width - 2) for cell, width in zip(cells, widths)]
    height = max(len(lines) for lines in wrapped)
    out = []
    for line_index in range(height):
        parts = []
        for lines, width, how in zip(wrapped, widths, align):
            text = lines[line_index] if line_index < len(lines) else ""
            parts.append(" " + _justify(text, width - 2, how) + " ")
        out.append(bar + bar.join(parts) + bar)
    return out


def _justify(text, width, how):
    if how == "right":
        return text.rjust(width)
    if how == "center":
        return text.center(width)
    return text.ljust(width)


def _wrap(text, width):
    """Greedy word wrap as rich does it; a word longer than the line ends in "…"."""
    lines, current = [], ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
    lines.append(current)
    return [line if len(line) <= width else line[:width - 1] + "…" for line in lines]


def _rule(left, middle, right, fill, widths):
    return left + middle.join(fill * w for w in widths) + right


def _totals(model):
    trainable, non_trainable = model.trainable_weights, model.non_trainable_weights
    optimizer_variables = _optimizer_variables(model)
    counts = [_count(trainable), _count(non_trainable), _count(optimizer_variables)]
    sizes = [_bytes(trainable), _bytes(non_trainable), _bytes(optimizer_variables)]
    lines = [f" Total params: {sum(counts):,} ({readable_size(sum(sizes))})",
             f" Trainable params: {counts[0]:,} ({readable_size(sizes[0])})",
             f" Non-trainable params: {counts[1]:,} ({readable_size(sizes[1])})"]
    if optimizer_variables is not None:
        lines.append(f" Optimizer params: {counts[2]:,} ({readable_size(sizes[2])})")
    return lines


def _optimizer_variables(model):
    """The optimizer's state arrays once it has taken a step (None before, as Keras)."""
    optimizer = getattr(model, "optimizer", None)
    if not getattr(model, "compiled", False) or optimizer is None:
        return None
    if not getattr(optimizer, "built", getattr(optimizer, "iterations", 0) > 0):
        return None
    variables = getattr(optimizer, "variables", None)
    return None if variables is None else list(variables)


def _count(arrays):
    return sum(math.prod(np.shape(a)) for a in arrays or [])


def _bytes(arrays):
    return sum(math.prod(np.shape(a)) * np.asarray(a).dtype.itemsize for a in arrays or [])
