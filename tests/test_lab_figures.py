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
