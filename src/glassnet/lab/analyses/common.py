"""What every analysis uses: the section it returns, grouping of stored trials, and text in
two languages side by side.

An analysis reads only stored trial records (dicts as ``results.json`` holds them, plus
their ``arrays``) and returns a ``Section``: figures, tables and conclusion paragraphs whose
every number comes from those records.
"""
import dataclasses
import math

from .. import figures, stats
from ..experiments import init_label


@dataclasses.dataclass
class Table:
    caption: str
    headers: list
    rows: list                      # lists of cells (strings)
    highlight: set = dataclasses.field(default_factory=set)   # row indices to emphasize


@dataclasses.dataclass
class Figure:
    name: str                       # file name stem, e.g. "depth-curves"
    png: bytes
    caption: str


@dataclasses.dataclass
class Section:
    setup: str = ""
    figures: list = dataclasses.field(default_factory=list)
    tables: list = dataclasses.field(default_factory=list)
    conclusion: list = dataclasses.field(default_factory=list)

    def add_figure(self, name, fig, caption):
        self.figures.append(Figure(name, figures.png_bytes(fig), caption))


class Say:
    """``say(en, ko)`` picks the text of the report's language."""

    def __init__(self, lang):
        self.lang = lang

    def __call__(self, en, ko):
        return ko if self.lang == "ko" else en


def groups(records, *keys):
    """Records grouped by the config values of ``keys``, in order of first appearance."""
    grouped = {}
    for record in records:
        value = tuple(_hashable(record["config"].get(k)) for k in keys)
        grouped.setdefault(value if len(keys) > 1 else value[0], []).append(record)
    return grouped


def _hashable(value):
    if isinstance(value, dict):
        return init_label(value)
    if isinstance(value, list):
        return tuple(value)
    return value


def values(records, name):
    """One metric of every record (None where it is missing or was not finite)."""
    return [record.get("metrics", {}).get(name) for record in records]


def curves(records, name):
    return [record.get("series", {}).get(name) or [] for record in records]


def first_seed(records):
    return min(records, key=lambda r: r["seed"])


def mean(values_):
    return stats.interval(values_)[0]


def fmt(values_, percent=False, digits=3):
    return stats.format_interval(values_, digits=digits, percent=percent)


def number(value, digits=3):
    """A single number for text: 3 significant digits, scientific when tiny or huge."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        return f"{value:.2e}"
    return f"{value:.{digits}g}"


def percent(value):
    return "n/a" if value is None or not math.isfinite(value) else f"{100 * value:.1f}%"


def reached(epochs):
    """'3.5 (2/3)': the mean epoch of the seeds that reached a level, and how many did."""
    hits = [e for e in epochs if e is not None]
    if not hits:
        return "—"
    return f"{sum(hits) / len(hits):.1f} ({len(hits)}/{len(epochs)})"


def findings_summary(records, say):
    """'vanishing_gradient (3/3 seeds), saturation (1/3)' from diagnose's findings."""
    if any(record.get("findings") is None for record in records):
        return say("n/a (glassnet.inspect and diagnose not installed)",
                   "없음 (glassnet.inspect와 diagnose가 설치되지 않음)")
    counts = {}
    for record in records:
        for code in {finding["code"] for finding in record["findings"]}:
            counts[code] = counts.get(code, 0) + 1
    if not counts:
        return say("none", "없음")
    seeds = len(records)
    return ", ".join(f"{code} ({count}/{seeds})" for code, count in sorted(counts.items()))


def found(records, code):
    """How many records' findings include ``code`` (None when there are no findings)."""
    if any(record.get("findings") is None for record in records):
        return None
    return sum(any(f["code"] == code for f in record["findings"]) for record in records)


def separation(say, a, b):
    """A phrase saying whether two value lists differ beyond seed noise."""
    if stats.separated(a, b):
        return say("the 95% intervals do not overlap", "95% 구간이 겹치지 않는다")
    return say("the 95% intervals overlap, so this difference is within seed-to-seed noise",
               "95% 구간이 겹치므로 이 차이는 시드에 따른 변동 범위 안이다")


def color(index):
    return figures.COLORS[index % len(figures.COLORS)]
