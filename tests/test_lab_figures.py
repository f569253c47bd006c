"""The lab's figures: every glyph a report draws exists in its fonts."""
import logging
import warnings

import pytest

pytest.importorskip("matplotlib")

from glassnet.lab import figures  # noqa: E402

TEXT = {"en": ("layer −1", "epoch", "sigmoid, start"), "ko": ("은닉층 −1", "에폭", "sigmoid, 시작")}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_log_axes_and_labels_draw_without_missing_glyphs(lang, caplog):
    """Log-axis labels (10^-2 as math text) and Hangul both find their glyphs."""
    if lang == "ko":
        pytest.importorskip("koreanize_matplotlib")
    label, xlabel, title = TEXT[lang]
    with caplog.at_level(logging.WARNING), warnings.catch_warnings(record=True) as caught, \
            figures.style(lang):
        warnings.simplefilter("always")
        fig, axes = figures.figure(1)
        figures.band(axes[0, 0], [[1e-3, 1e-1, 10.0], [2e-3, 2e-1, 20.0]], label,
                     figures.COLORS[0], log=True)
        axes[0, 0].set(yscale="log", xlabel=xlabel, title=title)
        axes[0, 0].legend()
        png = figures.png_bytes(fig)
    assert png.startswith(b"\x89PNG")
    messages = [r.getMessage() for r in caplog.records] + [str(w.message) for w in caught]
    assert [m for m in messages if "glyph" in m.lower()] == []


def test_bands_stay_within_what_the_quantity_can_be():
    """Three seeds give wide t-intervals; an accuracy band still ends at 1, a loss band at 0."""
    with figures.style("en"):
        fig, axes = figures.figure(2)
        figures.band(axes[0, 0], [[0.5, 1.0], [0.9, 0.97], [0.99, 0.9]], "acc",
                     figures.COLORS[0], upper=1)
        figures.band(axes[0, 1], [[0.01, 0.3], [0.5, 0.01], [0.02, 0.02]], "loss",
                     figures.COLORS[1])
        accuracy = axes[0, 0].collections[0].get_paths()[0].vertices[:, 1]
        loss = axes[0, 1].collections[0].get_paths()[0].vertices[:, 1]
        figures.png_bytes(fig)
    assert accuracy.max() == 1.0 and accuracy.min() >= 0.0
    assert loss.min() == 0.0


def test_relu_histogram_panel_cuts_the_zero_bar_and_states_the_shares():
    from glassnet.lab.analyses.weights import _relu_panel
    counts = [5000] + [40, 80, 20] + [0] * 26            # the zeros dwarf the rest
    runs = [{"metrics": {"saturated_or_zero": [0.5, 0.52], "outside_range": [0.1, 0.3]}}]
    with figures.style("en"):
        fig, axes = figures.figure(1)
        axes[0, 0].bar(range(30), counts)
        _relu_panel(axes[0, 0], counts, runs, layer=1)
        top = axes[0, 0].get_ylim()[1]
        text = axes[0, 0].texts[0].get_text()
        figures.png_bytes(fig)
    assert 80 < top < 100
    assert text == "0: 52.0%\n>1: 30.0%"
