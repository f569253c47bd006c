"""The report: ``DIR/index.html`` (``DIR/index.ko.html`` in Korean, each page linking to the
other), ``DIR/results.json`` and the figures as PNG files beside them.

The page covers every trial stored in ``DIR`` (``gather``), whichever experiments this run
named: running one experiment again re-renders the whole page, and a page in the other
language is drawn from the stored trials without training anything. ``results.json`` holds
the trials and the ``comparisons`` behind every verdict (``comparisons.py``).

The page needs nothing but itself: figures are inline PNGs (``data:`` URIs), styles are
inline, and a Korean report carries the Hangul glyphs it uses as an inline font (a subset of
NanumGothic cut with fontTools, which matplotlib brings), so it reads the same offline, in
any browser, on a machine without Korean fonts. No script runs in it.
"""
import base64
import html
import json
from pathlib import Path

from .. import __version__
from . import figures
from .analyses import ANALYSES, PLANS
from .analyses.grid import settings, varying
from .comparisons import compare_all
from .experiments import CATALOGUE
from .store import TrialStore, write_atomic

PAGES = {"en": "index.html", "ko": "index.ko.html"}

TEXT = {
    "title": {"en": "glassnet lab report", "ko": "glassnet 실험 보고서"},
    "intro": {"en": "Each lesson of Chapter 7 (deep neural networks) as an experiment run over "
                    "{seeds} seed(s); curves show the mean over seeds with a 95% band, tables "
                    "mean ± the 95% interval (Student's t). Every conclusion is written from the "
                    "numbers measured here. Two settings are compared by their paired per-seed "
                    "difference (same data split, same shuffles): 'better' or 'worse' when its "
                    "95% interval excludes 0, 'undecided' otherwise, with the seeds that would "
                    "likely decide it. Results: results.json; figures: PNG files beside this page.",
              "ko": "7장(심층 신경망)의 내용을 하나씩 실험으로 옮겨, 시드 {seeds}개로 반복해 측정했다. 곡선은 "
                    "시드 평균과 95% 구간, 표는 평균 ± 95% 구간(스튜던트 t)이다. 결론은 모두 여기서 잰 "
                    "수치에서 나온다. 두 설정의 비교는 같은 시드끼리 짝지은 차이로 하며, 그 95% 신뢰구간이 "
                    "0을 포함하면 '판정 보류'로 적고 판정에 필요한 시드 수를 함께 적는다. 결과: "
                    "results.json, 그림: 이 페이지 옆의 PNG 파일."},
    "intro_compare": {
        "en": "Your grid (glassnet compare): every combination of the settings run over {seeds} "
              "seed(s); curves show the mean over seeds with a 95% band, tables mean ± the 95% "
              "interval (Student's t). Every conclusion is written from the numbers measured "
              "here. Results: results.json; figures: PNG files beside this page.",
        "ko": "사용자 그리드(glassnet compare): 설정의 모든 조합을 시드 {seeds}개로 반복했다. 곡선은 "
              "시드 평균과 95% 구간, 표는 평균 ± 95% 구간(스튜던트 t)이다. 모든 결론은 여기서 측정한 "
              "수치로 쓴다. 결과: results.json, 그림: 이 페이지 옆의 PNG 파일."},
    "quick": {"en": "This is a --quick run: every size is tiny (2 epochs, a few samples), so "
                    "the numbers only show that everything runs and the conclusions below mean "
                    "little. Run without --quick for the real measurements.",
              "ko": "--quick 실행이다: 모든 크기가 아주 작아(2 에폭, 적은 샘플) 수치는 모든 것이 "
                    "실행된다는 것만 보여 주며 아래 결론은 큰 의미가 없다. 실제 측정은 --quick 없이 "
                    "실행한다."},
    "catalogue": {"en": "Catalogue", "ko": "실험 목록"},
    "id": {"en": "experiment", "ko": "실험"},
    "question": {"en": "question", "ko": "질문"},
    "section": {"en": "notes", "ko": "노트"},
    "shows": {"en": "the report shows", "ko": "보고서 내용"},
    "trials": {"en": "trials", "ko": "시행 수"},
    "setup": {"en": "Setup", "ko": "설정"},
    "results": {"en": "Results", "ko": "결과"},
    "conclusion": {"en": "Conclusion", "ko": "결론"},
    "legend": {"en": "What diagnose's findings in the tables mean",
               "ko": "표에 나오는 diagnose 진단의 뜻"},
    "other": {"en": "한국어 보고서: index.ko.html (written by the same command with --lang ko, "
                    "from these stored trials)",
              "ko": "English report: index.html (같은 명령을 --lang en으로 실행하면 저장된 시행으로 "
                    "만든다)"},
    "footer": {"en": "glassnet {version}; {count} trials; every trial ran on one BLAS thread "
                     "with its seed, so rerunning gives the same numbers.",
               "ko": "glassnet {version}; 시행 {count}개; 모든 시행은 BLAS 스레드 하나와 고정된 "
                     "시드로 실행되어 다시 실행해도 같은 수치가 나온다."},
}


# What each of diagnose's finding codes means, for the legend under the page's tables.
FINDINGS = {
    "vanishing_gradient": (
        "the first layer's gradient is below 1/100 of the output layer's and shrinks by more "
        "than half per layer: the first layers hardly learn",
        "첫 층의 그래디언트가 출력층의 1/100보다 작고 층마다 절반 넘게 줄어든다: 앞쪽 층이 거의 "
        "배우지 못한다"),
    "exploding_gradient": (
        "in one step a layer's gradient was larger than its weights and the update moved them "
        "by more than their own size",
        "한 스텝에서 어떤 층의 그래디언트가 가중치보다 크고, 업데이트가 가중치 자신보다 크게 움직였다"),
    "diverged": ("the loss, a gradient or a weight became NaN or inf",
                 "손실, 그래디언트, 가중치 중 하나가 NaN이나 inf가 되었다"),
    "saturation": ("at least half of a sigmoid/tanh layer's outputs sit within 5% of its limits, "
                   "where its derivative is nearly 0",
                   "시그모이드·tanh 층 출력의 절반 이상이 한계의 5% 안에 있어 도함수가 거의 0이다"),
    "dead_units": ("at least half of a ReLU layer's units output 0 on every sample",
                   "ReLU 층 노드의 절반 이상이 모든 샘플에서 0을 출력한다"),
    "symmetric_units": ("units of a layer have equal incoming weights, so they get equal "
                        "gradients and stay equal",
                        "한 층의 노드들이 같은 가중치를 가져 같은 그래디언트를 받고 계속 같다"),
    "no_learning_signal": ("a layer's kernel gradient is exactly 0: its weights never change",
                           "어떤 층의 커널 그래디언트가 정확히 0이라 가중치가 바뀌지 않는다"),
    "stalled": ("the loss stayed within 5% of its start while some layers' updates were "
                "negligible (below 1e-4 of their weights); 'info' when it later recovered",
                "손실이 처음의 5% 안에 머물고 일부 층의 업데이트가 무시할 만큼 작았다(가중치의 1e-4 "
                "미만). 나중에 회복되면 'info'"),
    "initial_loss": ("the first loss is far above ln K, the loss of an unbiased start over K "
                     "classes: the initial outputs are confidently wrong",
                     "첫 손실이 K개 클래스의 치우치지 않은 시작값 ln K보다 훨씬 크다: 초기 출력이 확신을 "
                     "가지고 틀린다"),
    "output_loss_mismatch": ("the output activation and the loss do not fit together",
                             "출력층 활성화 함수와 손실 함수가 맞지 않는다"),
}


def catalogue_rows(experiments=CATALOGUE, lang="en"):
    """(id, question, section, what the report shows) for each experiment."""
    return [(e.id, e.question[lang], e.section[lang], e.shows[lang]) for e in experiments]


def gather(out_dir, experiments, quick=False):
    """Every trial stored under ``out_dir/trials/`` that belongs to one of ``experiments``:
    written by this glassnet version, for a setting the experiment has now (``quick`` ones
    for a --quick run), with an intact key. Any seeds a run stored count, so a page drawn
    after ``--seeds 10`` keeps all ten. Returned in catalogue order (settings, then seeds)."""
    out = []
    for experiment in experiments:
        settings = experiment.configs(quick)
        # the store checks each file (type, size, JSON, fields, key, checksum; issue 12)
        stored = [record for record in TrialStore(out_dir).stored(experiment.id)
                  if record["config"] in settings]
        stored.sort(key=lambda r: (settings.index(r["config"]), r["seed"]))
        out.extend(stored)
    return out


def comparisons_of(experiment_id, records):
    """The comparison records of one experiment's trials (its analysis's plans)."""
    plans = PLANS.get(experiment_id)
    return compare_all(records, experiment_id, plans(records)) if plans else []


def write_results(records, out_dir, comparisons=()):
    """``results.json``: every trial's record without its raw arrays, in catalogue order,
    and the comparisons behind every verdict."""
    trials = [{k: v for k, v in record.items() if k != "arrays"} for record in records]
    path = Path(out_dir) / "results.json"
    write_atomic(path, json.dumps({"glassnet": __version__, "trials": trials,
                                   "comparisons": list(comparisons)},
                                  indent=1, allow_nan=False).encode())
    return path


def write_report(experiments, records, out_dir, lang="en", seeds=None, quick=False,
                 phase=None):
    """Analyse the ``records`` of each of ``experiments`` and write the page of ``lang``
    (index.html or index.ko.html), the PNGs and results.json under ``out_dir``; return the
    page's path. ``quick`` (the sizes of ``--quick``) puts a warning at the top that the
    numbers mean little. ``phase(text)`` hears what is being drawn."""
    if lang not in PAGES:
        raise ValueError(f"--lang must be 'en' or 'ko', got {lang!r}.")
    phase = phase or (lambda text: None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    present = [e for e in experiments if any(r["experiment"] == e.id for r in records)]
    comparisons = [c for e in present for c in comparisons_of(
        e.id, [r for r in records if r["experiment"] == e.id])]
    write_results(records, out_dir, comparisons)
    parts = []
    suffix = "" if lang == "en" else f".{lang}"
    with figures.style(lang):
        for number, experiment in enumerate(present, start=1):
            phase(f"drawing the report: {experiment.id} ({number}/{len(present)})")
            mine = [r for r in records if r["experiment"] == experiment.id]
            section = ANALYSES[experiment.id](mine, lang)
            for figure in section.figures:
                write_atomic(out_dir / f"{figure.name}{suffix}.png", figure.png)
            parts.append(_section_html(experiment, section, len(mine), lang))
    phase(f"writing {PAGES[lang]}")
    page = _page(present, records, parts, lang, seeds, quick)
    path = out_dir / PAGES[lang]
    write_atomic(path, page.encode("utf-8"))
    return path


def _t(key, lang, **values):
    return TEXT[key][lang].format(**values)


def _escape(text):
    return html.escape(str(text), quote=True)


def _section_html(experiment, section, count, lang):
    out = [f'<section id="{_escape(experiment.id)}">',
           f"<h2>{_escape(experiment.id)} <small>{_escape(experiment.section[lang])}</small></h2>",
           f'<p class="question">{_escape(experiment.question[lang])}</p>']
    if section.setup:
        out.append(f"<h3>{_t('setup', lang)}</h3><p>{_escape(section.setup)} "
                   f"({_t('trials', lang)}: {count})</p>")
    if section.figures or section.tables:
        out.append(f"<h3>{_t('results', lang)}</h3>")
    for figure in section.figures:
        data = base64.b64encode(figure.png).decode("ascii")
        out.append(f'<figure><img src="data:image/png;base64,{data}" '
                   f'alt="{_escape(figure.caption)}"><figcaption>{_escape(figure.caption)}'
                   f"</figcaption></figure>")
    for table in section.tables:
        out.append(_table_html(table))
    if section.conclusion:
        out.append(f"<h3>{_t('conclusion', lang)}</h3>")
        out.extend(f'<p class="conclusion">{_escape(p)}</p>' for p in section.conclusion)
    out.append("</section>")
    return "\n".join(out)


def _table_html(table):
    head = "".join(f"<th>{_escape(h)}</th>" for h in table.headers)
    rows = []
    for index, row in enumerate(table.rows):
        mark = ' class="highlight"' if index in table.highlight else ""
        rows.append(f"<tr{mark}>" + "".join(f"<td>{_escape(c)}</td>" for c in row) + "</tr>")
    return (f"<table><caption>{_escape(table.caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _catalogue_html(experiments, records, lang):
    counts = {}
    for record in records:
        counts[record["experiment"]] = counts.get(record["experiment"], 0) + 1
    rows = "".join(
        f'<tr><td><a href="#{_escape(i)}">{_escape(i)}</a></td><td>{_escape(q)}</td>'
        f"<td>{_escape(s)}</td><td>{_escape(w)}</td><td>{counts.get(i, 0)}</td></tr>"
        for i, q, s, w in catalogue_rows(experiments, lang))
    head = "".join(f"<th>{_t(k, lang)}</th>" for k in ("id", "question", "section", "shows",
                                                         "trials"))
    return (f"<h2>{_t('catalogue', lang)}</h2><table class=\"catalogue\"><thead><tr>{head}"
            f"</tr></thead><tbody>{rows}</tbody></table>")


STYLE = """
body { font-family: {family}; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.5; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
h2 small { color: #777; font-weight: normal; font-size: 0.6em; }
.question { font-size: 1.1em; font-style: italic; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
caption { text-align: left; color: #555; padding-bottom: 0.3em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } tr.highlight td { background: #fff3c4; font-weight: bold; }
.conclusion { background: #f3f8ff; border-left: 4px solid #1f77b4; padding: 0.4em 0.8em; }
.quick { background: #fff3c4; border-left: 4px solid #d62728; padding: 0.4em 0.8em; }
footer { margin-top: 3em; color: #777; font-size: 0.85em; }
"""


def _page(experiments, records, parts, lang, seeds, quick=False):
    seeds = max(seeds or 0, max((r["seed"] for r in records), default=0) + 1)
    intro = "intro_compare" if experiments and all(e.id == "compare" for e in experiments) \
        else "intro"
    title = _t("title", lang)
    if intro == "intro_compare":
        title = "glassnet compare: " + _grid_title(records)
    warning = f'<p class="quick">{_t("quick", lang)}</p>' if quick else ""
    other = PAGES["ko" if lang == "en" else "en"]
    link = (f'<p class="other"><a href="{other}" hreflang="{"ko" if lang == "en" else "en"}">'
            f'{_escape(_t("other", lang))}</a></p>')
    body = "\n".join([f"<h1>{_escape(title)}</h1>", link, warning,
                      f"<p>{_t(intro, lang, seeds=seeds)}</p>",
                      _catalogue_html(experiments, records, lang), *parts,
                      _legend_html(records, lang),
                      f"<footer>{_t('footer', lang, version=__version__, count=len(records))}"
                      f"</footer>"])
    family = "system-ui, -apple-system, 'Segoe UI', sans-serif"
    font_face = ""
    if lang == "ko":
        font_face = _hangul_font_face(body)
        family = f"'{figures.HANGUL_FONT}', 'Noto Sans KR', 'Malgun Gothic', sans-serif"
    style = STYLE.replace("{family}", family)
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_escape(title)}</title>\n<style>{font_face}{style}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def _legend_html(records, lang):
    """Every finding code the page's tables print, with what it means."""
    codes = sorted({f["code"] for r in records for f in (r.get("findings") or [])})
    if not codes:
        return ""
    rows = "".join(f"<tr><td>{_escape(c)}</td><td>{_escape(FINDINGS[c][lang == 'ko'])}</td></tr>"
                   for c in codes if c in FINDINGS)
    return (f'<h2 id="findings">{_t("legend", lang)}</h2><table class="legend"><tbody>{rows}'
            f"</tbody></table>")


def _grid_title(records):
    """'activation relu / tanh x init glorot_uniform / he_normal': what the user's grid varies."""
    configs = settings(records)
    parts = [f"{key} {' / '.join(dict.fromkeys(str(c.get(key)) for c in configs))}"
             for key in (varying(configs) if configs else [])]
    return " x ".join(parts) or "one setting"


def _hangul_font_face(text):
    """An @font-face with NanumGothic cut down to the characters of ``text``."""
    import io
    import logging
    from fontTools import subset
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    options = subset.Options()
    font = subset.load_font(str(figures.hangul_font_path()), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=html.unescape(text))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f"@font-face {{ font-family: '{figures.HANGUL_FONT}'; "
            f"src: url(data:font/ttf;base64,{data}) format('truetype'); }}\n")

