"""What every analysis uses: the section it returns, grouping of stored trials, and text in
two languages side by side.

An analysis reads only stored trial records (dicts as ``results.json`` holds them, plus
their ``arrays``) and returns a ``Section``: figures, tables and conclusion paragraphs whose
every number comes from those records.
"""
import dataclasses
import math

from ... import josa
from .. import figures, stats
from ..comparisons import Plan, compare_all  # noqa: F401  (Plan: analyses import it here)
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
    comparisons: list = dataclasses.field(default_factory=list)   # the records behind verdicts

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
    """A single number for text: 3 significant digits, scientific when tiny or huge
    (``stats.significant``, which also writes 1200 as '1200', not '1.2e+03')."""
    return stats.significant(value, digits)


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
    counts, ended = {}, {}
    for record in records:
        for code in {finding["code"] for finding in record["findings"]}:
            counts[code] = counts.get(code, 0) + 1
        for code in {f["code"] for f in record["findings"] if "end_step" in f}:
            ended[code] = ended.get(code, 0) + 1
    if not counts:
        return say("none", "없음")
    seeds = len(records)
    return ", ".join(f"{code} ({count}/{seeds}"
                     + (say(f", ended in {ended[code]}", f", {ended[code]}개는 끝남")
                        if code in ended else "") + ")"
                     for code, count in sorted(counts.items()))


def found(records, code, ended=None):
    """How many records' findings include ``code`` (None when there are no findings);
    ``ended=True`` counts only findings that ended (kept as info), ``False`` only lasting."""
    if any(record.get("findings") is None for record in records):
        return None
    return sum(any(f["code"] == code and (ended is None or ("end_step" in f) == ended)
                   for f in record["findings"]) for record in records)


def color(index):
    return figures.COLORS[index % len(figures.COLORS)]


# -- verdicts from comparison records (comparisons.py) ----------------------------------------
def judge(records, experiment, plans):
    """The comparison records of ``plans`` (those whose two sides select trials)."""
    return compare_all(records, experiment, plans)


def find_comparison(comparisons, arm, reference, metric="test_accuracy"):
    """The record comparing ``arm`` with ``reference`` on ``metric``, or None."""
    for record in comparisons:
        if record["arm"] == arm and record["reference"] == reference \
                and record["metric"] == metric:
            return record
    return None


def _points(metric):
    return "accuracy" in metric


def signed(value, metric):
    """A difference as the report prints it: '+1.2' (points of accuracy) or '-0.031'."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if _points(metric):
        return f"{100 * value:+.1f}"
    return ("+" if value > 0 else "") + stats.significant(value, 2)


def unit(metric, say):
    return say(" points", "%p") if _points(metric) else ""


def interval_text(record, say):
    """'+0.4 to +2.0' (or 'n/a' with one seed). A difference of two accuracies lies between
    -100 and +100 points; a t interval from few seeds can reach past that, so its ends are
    printed within those bounds, marked '(t interval clipped at ±100)' (results.json keeps
    the interval as computed)."""
    if record["ci95"] is None:
        return say("n/a (one seed)", "없음(시드 1개)")
    low, high = record["ci95"]
    clipped = ""
    if _points(record["metric"]) and (low < -1.0 or high > 1.0):
        low, high = max(low, -1.0), min(high, 1.0)
        clipped = say(" (t interval clipped at ±100)", " (t 구간을 ±100에서 자름)")
    return (f"{signed(low, record['metric'])} {say('to', '~')} "
            f"{signed(high, record['metric'])}{clipped}")


def verdict_word(record, say):
    return {"better": say("better", "더 좋음"), "worse": say("worse", "더 나쁨"),
            "undecided": say("undecided", "판정 보류")}[record["verdict"]]


def decide_hint(record, say):
    """For an undecided record: how many seeds would likely decide it."""
    needed = record["seeds_needed"]
    if record["verdict"] != "undecided":
        return ""
    if needed is None:
        return say("no practical number of seeds would decide a difference this small",
                   "이만큼 작은 차이는 시드를 늘려도 가리기 어렵다")
    if needed <= record["seeds"]:
        needed = record["seeds"] + 1
    return say(f"about {needed} seeds would likely decide it (--seeds {needed})",
               f"이 변동이라면 시드 약 {needed}개(--seeds {needed})면 가려질 가능성이 높다")


def verdict_sentence(record, say, arm, reference, what=None):
    """One sentence quoting a comparison record and never saying more than it does."""
    metric = record["metric"]
    what_en, what_ko = what or (metric.replace("_", " "), metric.replace("_", " "))
    n, ahead = record["seeds"], record["arm_ahead"]
    numbers_en = (f"{signed(record['difference'], metric)}{unit(metric, say)} of {what_en} "
                  f"(95% CI {interval_text(record, say)}, paired over {n} seeds; ahead in "
                  f"{ahead} of {n})")
    numbers_ko = (f"{what_ko} 차이 {signed(record['difference'], metric)}{unit(metric, say)}"
                  f"(95% 신뢰구간 {interval_text(record, say)}, 시드 {n}개 짝지은 차이, {n}개 중 "
                  f"{ahead}개 시드에서 앞섬)")
    if record["verdict"] == "undecided":
        tail_en = f"undecided at {n} seeds; {decide_hint(record, say)}."
        tail_ko = f"시드 {n}개로는 판정 보류: {decide_hint(record, say)}."
    else:
        word = "better" if record["verdict"] == "better" else "worse"
        tail_en = f"{arm} is {word} than {reference} beyond seed noise."
        tail_ko = (f"{josa.attach(arm, '이')} {reference}보다 "
                   f"{'좋다' if record['verdict'] == 'better' else '나쁘다'}(시드 변동을 넘는 차이).")
    return say(f"{arm} vs {reference}: {numbers_en}: {tail_en}",
               f"{arm} 대 {reference}: {numbers_ko}. {tail_ko}")


def comparison_table(comparisons, say, name, what=None):
    """The comparisons of one experiment as a table: every verdict with its numbers."""
    rows = []
    for record in comparisons:
        metric = record["metric"]
        rows.append([name(record["arm"]), name(record["reference"]),
                     (what or {}).get(metric, metric.replace("_", " ")),
                     str(record["seeds"]),
                     signed(record["difference"], metric) + unit(metric, say),
                     interval_text(record, say), verdict_word(record, say),
                     "—" if record["verdict"] != "undecided" or record["seeds_needed"] is None
                     else str(max(record["seeds_needed"], record["seeds"] + 1))])
    return Table(
        say("Comparisons: arm minus reference, paired by seed (Student's t 95% interval); "
            "the verdict follows the metric's good direction; undecided rows give the seeds "
            "that would likely decide them",
            "비교: 같은 시드끼리 짝지은 차이(비교 대상 − 기준), 스튜던트 t 95% 신뢰구간. 판정은 "
            "지표가 좋아지는 방향을 따른다. 판정 보류인 행에는 판정에 필요할 시드 수를 적었다"),
        [say("arm", "비교 대상"), say("reference", "기준"), say("metric", "지표"),
         say("seeds", "시드"), say("difference", "차이"), say("95% CI", "95% 신뢰구간"),
         say("verdict", "판정"), say("seeds needed", "필요한 시드")], rows)


def subset_name(subset):
    """A readable name of a config subset: its values joined ('relu, mse')."""
    return ", ".join(_short(v) for v in subset.values()) or "—"


def _short(value):
    if isinstance(value, dict):
        return init_label(value)
    if isinstance(value, list):
        return "/".join(str(v) for v in value)
    return str(value)



