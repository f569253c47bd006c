"""The report: ``DIR/index.html`` (one self-contained page), ``DIR/results.json`` and the
figures as PNG files beside them.

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
from .analyses import ANALYSES
from .experiments import CATALOGUE
from .store import write_atomic

TEXT = {
    "title": {"en": "glassnet lab report", "ko": "glassnet 실험 보고서"},
    "intro": {"en": "Each lesson of Chapter 7 (deep neural networks) as an experiment run over "
                    "{seeds} seed(s); curves show the mean over seeds with a 95% band, tables "
                    "mean ± the 95% interval (Student's t). Every conclusion is written from the "
                    "numbers measured here. Results: results.json; figures: PNG files beside "
                    "this page.",
              "ko": "7장(심층 신경망)의 각 내용을 시드 {seeds}개로 반복한 실험으로 보인다. 곡선은 시드 "
                    "평균과 95% 구간, 표는 평균 ± 95% 구간(스튜던트 t)이다. 모든 결론은 여기서 측정한 "
                    "수치로 쓴다. 결과: results.json, 그림: 이 페이지 옆의 PNG 파일."},
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
    "footer": {"en": "glassnet {version}; {count} trials; every trial ran on one BLAS thread "
                     "with its seed, so rerunning gives the same numbers.",
               "ko": "glassnet {version}; 시행 {count}개; 모든 시행은 BLAS 스레드 하나와 고정된 "
                     "시드로 실행되어 다시 실행해도 같은 수치가 나온다."},
}


def catalogue_rows(experiments=CATALOGUE, lang="en"):
    """(id, question, section, what the report shows) for each experiment."""
    return [(e.id, e.question[lang], e.section[lang], e.shows[lang]) for e in experiments]


def write_results(records, out_dir):
    """``results.json``: every trial's record without its raw arrays, in run order."""
    trials = [{k: v for k, v in record.items() if k != "arrays"} for record in records]
    path = Path(out_dir) / "results.json"
    write_atomic(path, json.dumps({"glassnet": __version__, "trials": trials}, indent=1,
                                   allow_nan=False).encode())
    return path


def write_report(experiments, records, out_dir, lang="en", seeds=None, quick=False):
    """Analyse the ``records`` of each of ``experiments`` and write index.html, the PNGs and
    results.json under ``out_dir``; return the path of index.html. ``quick`` (the sizes of
    ``--quick``) puts a warning at the top that the numbers mean little."""
    if lang not in ("en", "ko"):
        raise ValueError(f"--lang must be 'en' or 'ko', got {lang!r}.")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_results(records, out_dir)
    parts = []
    with figures.style(lang):
        for experiment in experiments:
            mine = [r for r in records if r["experiment"] == experiment.id]
            if not mine:
                continue
            section = ANALYSES[experiment.id](mine, lang)
            for figure in section.figures:
                write_atomic(out_dir / f"{figure.name}.png", figure.png)
            parts.append(_section_html(experiment, section, len(mine), lang))
    page = _page(experiments, records, parts, lang, seeds, quick)
    path = out_dir / "index.html"
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
    seeds = seeds or max((r["seed"] for r in records), default=0) + 1
    intro = "intro_compare" if all(e.id == "compare" for e in experiments) else "intro"
    warning = f'<p class="quick">{_t("quick", lang)}</p>' if quick else ""
    body = "\n".join([f"<h1>{_t('title', lang)}</h1>", warning,
                      f"<p>{_t(intro, lang, seeds=seeds)}</p>",
                      _catalogue_html(experiments, records, lang), *parts,
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
            f"<title>{_t('title', lang)}</title>\n<style>{font_face}{style}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


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

