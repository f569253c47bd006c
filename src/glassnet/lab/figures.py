"""Drawing the lab's figures with matplotlib (the ``plot`` extra), off screen.

Every figure is drawn inside ``style(lang)``: the Agg backend's settings, a plain look, and
for Korean the NanumGothic font shipped by the ``koreanize-matplotlib`` package (found on
disk, not imported: importing it rewrites matplotlib's global settings), so Hangul renders
the same on every machine, whatever fonts the system has. Latin letters, digits and minus
signs stay in matplotlib's own DejaVu Sans, which log-axis labels (10^-2) need.
"""
import contextlib
import importlib.util
import io
from pathlib import Path

import numpy as np

from . import stats

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
          "#7f7f7f", "#17becf", "#bcbd22"]
HANGUL_FONT = "NanumGothic"


def hangul_font_path():
    """The path of NanumGothic.ttf inside the installed koreanize-matplotlib package."""
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("--lang ko draws Hangul with the NanumGothic font of the "
                          "koreanize-matplotlib package: pip install 'glassnet[lab]' (or "
                          "pip install koreanize-matplotlib).")
    path = Path(list(spec.submodule_search_locations)[0]) / "fonts" / "NanumGothic.ttf"
    if not path.is_file():
        raise ImportError(f"koreanize-matplotlib is installed but {path} is missing; "
                          f"reinstall it: pip install --force-reinstall koreanize-matplotlib.")
    return path


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise ImportError("The lab's report draws figures with matplotlib: pip install "
                          "'glassnet[lab]'.") from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    return matplotlib, plt


@contextlib.contextmanager
def style(lang="en"):
    """Settings for every figure of a report in ``lang``."""
    matplotlib, _ = _pyplot()
    settings = {"figure.dpi": 100, "savefig.dpi": 100, "font.size": 9,
                "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
                "grid.alpha": 0.3, "legend.fontsize": 8, "legend.frameon": False,
                "axes.titlesize": 10}
    if lang == "ko":
        from matplotlib import font_manager
        font_manager.fontManager.addfont(str(hangul_font_path()))
        # DejaVu Sans (matplotlib's own) first: it has the minus sign that log-axis labels
        # (10^-2, drawn as math text in the first family) need; Hangul falls back to Nanum.
        settings.update({"font.family": ["DejaVu Sans", HANGUL_FONT]})
    with matplotlib.rc_context(settings):
        yield


def figure(columns=1, rows=1, width=None, height=None):
    """A new figure of ``rows`` x ``columns`` axes (always a 2-D array of axes)."""
    _, plt = _pyplot()
    width = width or min(3.6 * columns, 12.0)
    height = height or 2.8 * rows
    fig, axes = plt.subplots(rows, columns, figsize=(width, height), squeeze=False)
    return fig, axes


def integer_ticks():
    """A tick locator for counts (layers, epochs): whole numbers only."""
    from matplotlib.ticker import MaxNLocator
    return MaxNLocator(integer=True)


def png_bytes(fig):
    """The figure as PNG bytes (and the figure closed)."""
    _, plt = _pyplot()
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def band(ax, curves, label, color, x=None, log=False, upper=None):
    """The mean of ``curves`` (one per seed) as a line and its 95% interval as a band.
    ``log=True`` (for a log axis) takes mean and interval of log10 of the values, so the
    line is the geometric mean and the band stays positive. Everything the lab plots is
    non-negative (losses, accuracies, norms), so the band is cut at 0, and at ``upper``
    when given (1 for an accuracy): few seeds give wide intervals, but never past what the
    quantity can be."""
    if log:
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = [np.log10(np.where(stats.clean(c) > 0, stats.clean(c), np.nan))
                    for c in curves]
        mean, low, high = (10.0 ** part for part in stats.band(logs))
    else:
        mean, low, high = stats.band(curves)
        low, high = np.clip(low, 0.0, upper), np.clip(high, 0.0, upper)
    if x is None:                                   # one point per epoch: 1, 2, 3, ...
        x = np.arange(1, len(mean) + 1)
        ax.xaxis.set_major_locator(integer_ticks())
    x = np.asarray(x)[:len(mean)]
    ax.plot(x, mean, color=color, label=label, linewidth=1.5)
    if len(curves) > 1:
        ax.fill_between(x, low, high, color=color, alpha=0.2, linewidth=0)


def bars(ax, labels, groups, colors=None, percent=False):
    """One bar per label: the mean of its values with the 95% interval as an error bar."""
    means, halves = [], []
    for values in groups:
        mean, half, _ = stats.interval(values)
        means.append(mean * (100 if percent else 1))
        halves.append(0.0 if np.isnan(half) else half * (100 if percent else 1))
    positions = np.arange(len(labels))
    ax.bar(positions, np.nan_to_num(means), yerr=halves, capsize=3,
           color=colors or COLORS[:len(labels)], alpha=0.85)
    ax.set_xticks(positions)
    ax.set_xticklabels(labels, rotation=30 if max(map(len, labels)) > 8 else 0, ha="right"
                       if max(map(len, labels)) > 8 else "center")


def digit_images(ax_grid, kernels, title=None):
    """Kernel columns (fan_in 64) as 8x8 images, one per axis, blue negative, red positive,
    grey where a value is NaN (a pixel left out)."""
    import matplotlib
    colours = matplotlib.colormaps["RdBu_r"].copy()
    colours.set_bad("#bdbdbd")                      # NaN: a pixel left out (grey)
    for ax, kernel in zip(ax_grid.ravel(), kernels):
        image = np.asarray(kernel, dtype="float64").reshape(8, 8)
        finite = np.abs(image[np.isfinite(image)])
        limit = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
        ax.imshow(np.ma.masked_invalid(image), cmap=colours, vmin=-limit, vmax=limit)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
    for ax in ax_grid.ravel()[len(kernels):]:
        ax.axis("off")
    if title:
        ax_grid.ravel()[0].figure.suptitle(title)


def decision_boundary(ax, probability, extent, x, y, title):
    """Predicted probability of class 1 over the plane, the 0.5 contour, and the points."""
    probability = np.asarray(probability, dtype="float64")
    ax.imshow(probability, origin="lower", extent=extent, cmap="RdBu_r", vmin=0, vmax=1,
              alpha=0.55, aspect="auto")
    grid_x = np.linspace(extent[0], extent[1], probability.shape[1])
    grid_y = np.linspace(extent[2], extent[3], probability.shape[0])
    if probability.min() < 0.5 < probability.max():
        ax.contour(grid_x, grid_y, probability, levels=[0.5], colors="k", linewidths=1)
    x, y = np.asarray(x), np.asarray(y)
    ax.scatter(x[:, 0], x[:, 1], c=np.where(y == 1, "#b2182b", "#2166ac"), s=5,
               linewidths=0)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
