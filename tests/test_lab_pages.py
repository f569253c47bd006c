"""Reports that do not overwrite each other: a subset run re-renders the whole page from every
stored trial, --lang ko writes index.ko.html beside index.html without training, compare has
its own folder; progress never goes quiet; the Korean page reads as Korean."""
import io
import re
import time

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")
pytest.importorskip("scipy")

from glassnet import lab  # noqa: E402
from glassnet.lab.runner import ProgressBar  # noqa: E402


def sections(page):
    return re.findall(r'<section id="([^"]+)">', page)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("pages")
    lab.run(["softmax", "symmetry"], seeds=2, out=out, jobs=1, quick=True)
    return out


def test_a_subset_run_redraws_the_whole_page_from_every_stored_trial(folder):
    result = lab.run(["softmax"], seeds=2, out=folder, jobs=1, quick=True)
    assert result.ran == 0
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert sections(page) == ["symmetry", "softmax"] or set(sections(page)) == {"softmax",
                                                                                 "symmetry"}
    import json
    data = json.loads((folder / "results.json").read_text())
    assert {t["experiment"] for t in data["trials"]} == {"softmax", "symmetry"}
    assert any(c["experiment"] == "symmetry" for c in data["comparisons"])


def test_korean_page_sits_beside_the_english_one_without_training(folder):
    english = (folder / "index.html").read_bytes()
    result = lab.run(["symmetry"], seeds=2, out=folder, jobs=1, quick=True, lang="ko")
    assert result.ran == 0 and result.report.name == "index.ko.html"
    assert (folder / "index.html").read_bytes() == english         # not replaced
    korean = result.report.read_text(encoding="utf-8")
    assert 'href="index.html"' in korean and 'href="index.ko.html"' in english.decode()
    assert set(sections(korean)) == {"softmax", "symmetry"}
    assert (folder / "symmetry.ko.png").is_file() and (folder / "symmetry.png").is_file()
    for wrong in ("기울기", "relu은", "tanh은", "(3/3)를", "6.2.4판", "실험으로 보인다",
                  "Xavier 규모", "한계 비율", "끝 비율"):
        assert wrong not in korean, wrong


def test_more_seeds_stored_earlier_stay_on_the_page(tmp_path):
    lab.run(["symmetry"], seeds=3, out=tmp_path, jobs=1, quick=True)
    result = lab.run(["symmetry"], seeds=2, out=tmp_path, jobs=1, quick=True)
    import json
    data = json.loads((tmp_path / "results.json").read_text())
    assert result.ran == 0 and len(data["trials"]) == 9
    assert all(c["seeds"] == 3 for c in data["comparisons"])


def test_compare_writes_its_own_folder_by_default():
    import inspect
    from glassnet.cli import build_parser
    assert inspect.signature(lab.compare).parameters["out"].default == "glassnet-compare"
    assert build_parser().parse_args(["compare"]).out == "glassnet-compare"
    assert build_parser().parse_args(["lab"]).out == "glassnet-report"


def test_progress_in_a_log_prints_at_least_every_few_seconds_and_each_phase():
    stream = io.StringIO()
    bar = ProgressBar(stream, every=0.3)
    bar(0, 100)
    time.sleep(1.0)                               # no trial finishes meanwhile
    bar(1, 100)                                   # under a tenth: silent by count alone
    bar.phase("drawing the report: depth (1/10)")
    bar(100, 100)
    lines = stream.getvalue().splitlines()
    assert sum("0/100 trials" in line for line in lines) >= 3       # the first and the ticks
    assert any(line.startswith("drawing the report: depth (1/10)...") for line in lines)
    assert lines[-1].startswith("[##############################] 100/100")


def test_compare_says_which_values_ran_and_titles_the_page_for_the_grid(tmp_path):
    from glassnet.cli import build_parser, compare_configs
    args = build_parser().parse_args(["compare", "--optimizer", "adam", "sgd", "--epochs", "1",
                                      "--width", "8"])
    result = lab.compare(compare_configs(args), seeds=1, out=tmp_path, jobs=1)
    lines = result.summary().splitlines()
    assert "optimizer=adam learning_rate=0.001" in lines[0]
    assert "optimizer=sgd learning_rate=0.01" in lines[0]
    assert lines[-1].startswith("2 trials: 2 run, 0 reused.")
    import html
    page = html.unescape(result.report.read_text(encoding="utf-8"))
    assert "<title>glassnet compare: optimizer adam / sgd</title>" in page
    assert "learning_rate=0.001, 0.01 (the optimizer's default)" in page
