"""``model.summary()`` in Keras 3's layout: a box table of layers, output shapes and
parameter counts, then totals with their memory at the weights' float size."""
import numpy as np

_WIDTHS = (33, 24, 15)


def readable_size(num_bytes):
    """Bytes in B/KB/MB/GB with two decimals, 1 KB = 1024 B (Keras's rule)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if num_bytes / 1024 < 1 or unit == "TB":
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1024


def _row(cells, left, middle, right, bar=" "):
    parts = []
    for index, (cell, width) in enumerate(zip(cells, _WIDTHS)):
        text = cell.rjust(width - 2) if index == 2 else cell.ljust(width - 2)
        parts.append(bar + text + bar)
    return left + middle.join(parts) + right


def _rule(left, middle, right, fill):
    return left + middle.join(fill * w for w in _WIDTHS) + right


def _shape(shape):
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def summary_text(model):
    lines = [f'Model: "{model.name}"',
             _rule("┏", "┳", "┓", "━"),
             _row(("Layer (type)", "Output Shape", "Param #"), "┃", "┃", "┃"),
             _rule("┡", "╇", "┩", "━")]
    shape = model.input_shape_
    rows = []
    for layer in model.layers:
        if shape is not None:
            shape = layer.compute_output_shape(shape)
            out, params = _shape((None,) + tuple(shape)), f"{layer.count_params():,}"
        else:
            out, params = "?", "0 (unbuilt)"
        rows.append(_row((f"{layer.name} ({type(layer).__name__})", out, params), "│", "│", "│"))
    lines.append(("\n" + _rule("├", "┼", "┤", "─") + "\n").join(rows))
    lines.append(_rule("└", "┴", "┘", "─"))
    trainable = sum(l.count_params() for l in model.layers if l.trainable and model.trainable)
    total = sum(l.count_params() for l in model.layers)
    itemsize = np.dtype(model.weights[0].dtype).itemsize if model.weights else 4
    optimizer_params = _optimizer_params(model)
    lines.append(f" Total params: {total + optimizer_params:,} "
                 f"({readable_size((total + optimizer_params) * itemsize)})")
    lines.append(f" Trainable params: {trainable:,} ({readable_size(trainable * itemsize)})")
    lines.append(f" Non-trainable params: {total - trainable:,} "
                 f"({readable_size((total - trainable) * itemsize)})")
    if optimizer_params:
        lines.append(f" Optimizer params: {optimizer_params:,} "
                     f"({readable_size(optimizer_params * itemsize)})")
    return "\n".join(lines)


def _optimizer_params(model):
    optimizer = getattr(model, "optimizer", None)
    count = getattr(optimizer, "count_params", None)
    return count() if count else 0
