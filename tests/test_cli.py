"""The ``glassnet`` command's lab and compare (``inspect`` is tested with saving)."""
import json
import re

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")

from glassnet import cli  # noqa: E402
from glassnet.lab import CATALOGUE  # noqa: E402

SUMMARY = re.compile(r"^(\d+) trials: (\d+) run, (\d+) reused\. Report: (.+index\.html)$")


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_explains_lab_and_compare(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert "lab" in out and "compare" in out
    with pytest.raises(SystemExit):
        cli.main(["lab", "--help"])
    out = capsys.readouterr().out
    for option in ("--seeds", "--out", "--jobs", "--scheduler", "--lang"):
        assert option in out


def test_lab_list_prints_every_id_with_its_question(capsys):
    code, out, _ = run(capsys, "lab", "list")
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == len(CATALOGUE)
    for line, experiment in zip(lines, CATALOGUE):
        assert line.startswith(experiment.id + " ")
        assert experiment.question["en"] in line and experiment.section["en"] in line


def test_lab_runs_reuses_and_says_where_the_report_is(capsys, tmp_path):
    code, out, _ = run(capsys, "lab", "softmax", "symmetry", "--quick", "--seeds", "2",
                       "--jobs", "1", "--out", str(tmp_path))
    assert code == 0
    total, ran, reused, report = SUMMARY.match(out.strip().splitlines()[-1]).groups()
    assert (total, ran, reused) == ("7", "7", "0")
    assert report == str((tmp_path / "index.html").resolve())
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["glassnet"] == __import__("glassnet").__version__
    assert {t["experiment"] for t in results["trials"]} == {"softmax", "symmetry"}
    for trial in results["trials"]:
        assert {"experiment", "config", "seed", "metrics"} <= set(trial)
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["softmax.png", "symmetry.png"]
    assert "This is a --quick run" in (tmp_path / "index.html").read_text()
    code, out, _ = run(capsys, "lab", "softmax", "symmetry", "--quick", "--seeds", "2",
                       "--jobs", "1", "--out", str(tmp_path))
    assert SUMMARY.match(out.strip().splitlines()[-1]).groups()[:3] == ("7", "0", "7")


def test_korean_report_carries_its_font(capsys, tmp_path):
    pytest.importorskip("fontTools")
    code, _, _ = run(capsys, "lab", "softmax", "--lang", "ko", "--jobs", "1", "--out",
                     str(tmp_path))
    assert code == 0
    page = (tmp_path / "index.ko.html").read_text(encoding="utf-8")    # beside index.html
    assert '<html lang="ko">' in page and "교차 엔트로피" in page
    assert "@font-face" in page and "data:font/ttf;base64," in page


def test_unknown_experiment_is_one_clear_error(capsys, tmp_path):
    code, _, err = run(capsys, "lab", "depht", "--out", str(tmp_path))
    assert code == 2
    assert "Unknown experiment 'depht'" in err and "glassnet lab list" in err


def test_compare_runs_the_users_grid(capsys, tmp_path):
    code, out, _ = run(capsys, "compare", "--init", "glorot_uniform", "he_normal",
                       "--activation", "relu", "tanh", "--epochs", "2", "--width", "16",
                       "--seeds", "2", "--jobs", "1", "--out", str(tmp_path))
    assert code == 0
    assert SUMMARY.match(out.strip().splitlines()[-1]).groups()[:3] == ("8", "8", "0")
    trials = json.loads((tmp_path / "results.json").read_text())["trials"]
    assert {(t["config"]["init"], t["config"]["activation"]) for t in trials} == {
        ("glorot_uniform", "relu"), ("glorot_uniform", "tanh"), ("he_normal", "relu"),
        ("he_normal", "tanh")}
    page = (tmp_path / "index.html").read_text()
    assert "activation=tanh, init=he_normal" in page
    assert "Your grid (glassnet compare)" in page and "Each lesson of Chapter 7" not in page
    assert "--quick" not in page


@pytest.mark.parametrize("argv, message", [
    (["--init", "he_normall"], "he_normal"),
    (["--activation", "relu", "sigmoyd"], "sigmoyd"),
    (["--dataset", "mnist"], "Unknown data set 'mnist'"),
    (["--depth", "0"], "--depth must be at least 1"),
    (["--learning-rate", "-1"], "--learning-rate must be a positive number"),
])
def test_compare_rejects_bad_settings_before_any_work(capsys, tmp_path, argv, message):
    code, _, err = run(capsys, "compare", *argv, "--out", str(tmp_path))
    assert code == 2 and message in err
    assert not (tmp_path / "trials").exists()


@pytest.mark.parametrize("address", ["bogus", "tcp://127.0.0.1:1"])
def test_a_scheduler_that_cannot_be_reached_is_one_clear_error(capsys, tmp_path, address):
    dask = pytest.importorskip("dask")
    pytest.importorskip("distributed")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code, _, err = run(capsys, "lab", "softmax", "--scheduler", address, "--out",
                           str(tmp_path))
    assert code == 2
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"glassnet lab: --scheduler: cannot connect to the Dask scheduler "
                           f"at '{address}'") and "Traceback" not in err


def test_compare_gives_every_non_sparse_loss_one_hot_targets(capsys, tmp_path):
    code, out, err = run(capsys, "compare", "--loss", "mae", "kl_divergence", "categorical_hinge",
                         "--epochs", "1", "--width", "8", "--seeds", "1", "--jobs", "1",
                         "--out", str(tmp_path))
    assert code == 0, err
    trials = json.loads((tmp_path / "results.json").read_text())["trials"]
    assert sorted(t["config"]["loss"] for t in trials) == ["categorical_hinge", "kl_divergence",
                                                           "mae"]
    assert all(t["metrics"]["test_loss"] is not None for t in trials)


# -- issue 12: careless hands ------------------------------------------------------------------
def test_out_refuses_a_folder_glassnet_did_not_write(capsys, tmp_path):
    mine = tmp_path / "my-site"
    mine.mkdir()
    (mine / "index.html").write_text("my own page")
    (mine / "results.json").write_text('{"mine": true}')
    code, _, err = run(capsys, "lab", "softmax", "--jobs", "1", "--out", str(mine))
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "did not write" in err and "--force" in err and "index.html" in err
    assert (mine / "index.html").read_text() == "my own page"
    assert not (mine / "trials").exists()
    code, out, err = run(capsys, "lab", "softmax", "--jobs", "1", "--out", str(mine), "--force")
    assert code == 0, err
    assert (mine / ".glassnet-report").is_file()             # now it is a glassnet folder
    code, out, _ = run(capsys, "lab", "softmax", "--jobs", "1", "--out", str(mine))
    assert code == 0 and SUMMARY.match(out.strip().splitlines()[-1]).groups()[:3] == (
        "1", "0", "1")


def test_out_accepts_a_report_folder_from_before_the_marker(capsys, tmp_path):
    old = tmp_path / "old-report"
    old.mkdir()
    (old / "index.html").write_text("<html>")
    (old / "results.json").write_text('{"glassnet": "0.1.0", "trials": []}')
    code, _, err = run(capsys, "lab", "softmax", "--jobs", "1", "--out", str(old))
    assert code == 0, err


@pytest.mark.parametrize("target, message", [
    ("", "--out is empty"), ("a-file.txt", "is a file, not a folder")])
def test_out_empty_or_a_file_is_one_clear_line(capsys, tmp_path, monkeypatch, target, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file.txt").write_text("keep me")
    (tmp_path / "index.html").write_text("my page")
    code, _, err = run(capsys, "lab", "softmax", "--jobs", "1", "--out", target)
    assert code == 2 and message in err and err.count("\n") == 1
    assert (tmp_path / "a-file.txt").read_text() == "keep me"
    assert (tmp_path / "index.html").read_text() == "my page"
    assert not (tmp_path / "trials").exists()


@pytest.mark.parametrize("argv", [
    ["lab", "--seeds", "1000000000"],
    ["compare", "--seeds", "1000000000"],
    ["compare", "--activation", "relu", "tanh", "sigmoid", "--width", *map(str, range(1, 101)),
     "--seeds", "100"],
])
def test_a_plan_too_large_is_refused_at_once_without_yes(capsys, tmp_path, argv):
    import time
    start = time.perf_counter()
    code, _, err = run(capsys, *argv, "--out", str(tmp_path / "r"))
    assert time.perf_counter() - start < 5
    assert code == 2 and "--yes" in err and "trials" in err and err.count("\n") == 1
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("argv, message", [
    (["--depth", "1000000"], "--depth 1000000 is more than 1000 hidden layers"),
    (["--width", "10000000"], "--width 10000000 is more than"),
    (["--depth", "100", "--width", "5000"], "parameters, more than"),
])
def test_compare_refuses_absurd_networks_at_once(capsys, tmp_path, argv, message):
    code, _, err = run(capsys, "compare", *argv, "--out", str(tmp_path / "r"))
    assert code == 2 and message in err and err.count("\n") == 1


def test_repeated_values_and_ids_run_once(capsys, tmp_path):
    code, out, err = run(capsys, "lab", "softmax", "softmax", "--jobs", "1", "--out",
                         str(tmp_path / "lab"))
    assert code == 0 and SUMMARY.match(out.strip().splitlines()[-1]).groups()[:3] == (
        "1", "1", "0")
    code, out, err = run(capsys, "compare", "--activation", "relu", "relu", "--depth", "1",
                         "--width", "4", "--epochs", "1", "--seeds", "2", "--jobs", "1",
                         "--out", str(tmp_path / "grid"))
    assert code == 0, err
    assert SUMMARY.match(out.strip().splitlines()[-1]).groups()[:3] == ("2", "2", "0")


def test_jobs_above_the_cores_are_capped_and_said(capsys, tmp_path):
    from glassnet.lab.runner import default_jobs
    code, out, err = run(capsys, "lab", "softmax", "--jobs", "1000", "--out", str(tmp_path))
    assert code == 0
    cores = default_jobs()
    assert f"--jobs 1000 is more than the {cores} cores here; using {cores}." in err


# -- --learning-rate auto: each arm its own rate, chosen on the validation split (issue 9) -----
def test_compare_auto_gives_each_optimizer_its_own_rate_and_shows_it(capsys, tmp_path):
    from glassnet.lab.experiments import rate_grid
    code, out, err = run(capsys, "compare", "--optimizer", "adam", "sgd", "--learning-rate",
                         "auto", "--depth", "1", "--width", "8", "--epochs", "2", "--seeds",
                         "2", "--jobs", "1", "--out", str(tmp_path))
    assert code == 0, err
    data = json.loads((tmp_path / "results.json").read_text())
    chosen = {}
    for trial in data["trials"]:
        optimizer, search = trial["config"]["optimizer"], trial["rate_search"]
        assert trial["config"]["learning_rate"] == "auto"
        assert search["rates"] == trial["config"]["learning_rate_grid"] == rate_grid(optimizer)
        best = max(range(len(search["rates"])), key=lambda i: (
            search["val_accuracy"][i], -(search["val_loss"][i] or float("inf"))))
        assert search["chosen"] == search["rates"][best] == trial["metrics"]["learning_rate"]
        assert trial["metrics"]["test_accuracy"] == pytest.approx(search["test_accuracy"][best])
        chosen.setdefault(optimizer, []).append(search["chosen"])
    assert set(chosen["adam"]).isdisjoint(chosen["sgd"])          # each optimizer its own rate
    line = next(x for x in out.splitlines() if x.startswith("Learning rates chosen"))
    for optimizer, rates in chosen.items():
        assert f"optimizer={optimizer}" in line and f"{rates[0]:g}" in line
    import html
    page = html.unescape((tmp_path / "index.html").read_text())
    assert "<title>glassnet compare: optimizer adam / sgd</title>" in page
    assert f"chosen: {chosen['sgd'][0]:g}" in page and "learning_rate=auto (each arm" in page
    # The verdict compares each arm at its own chosen rate, paired by seed.
    [spec] = data["comparisons"]
    assert spec["arm"] == {"optimizer": "sgd"} and spec["reference"] == {"optimizer": "adam"}
    by = {(t["config"]["optimizer"], t["seed"]): t["rate_search"] for t in data["trials"]}
    differences = [by["sgd", s]["test_accuracy"][by["sgd", s]["rates"].index(
                       by["sgd", s]["chosen"])]
                   - by["adam", s]["test_accuracy"][by["adam", s]["rates"].index(
                       by["adam", s]["chosen"])] for s in (0, 1)]
    assert spec["seeds"] == 2
    assert spec["difference"] == pytest.approx(sum(differences) / 2, abs=1e-12)
    assert f"optimizer=sgd (own rate {chosen['sgd'][0]:g}" in page


def test_compare_an_explicit_rate_is_one_rate_shared_by_every_arm(capsys, tmp_path):
    code, out, err = run(capsys, "compare", "--optimizer", "adam", "sgd", "--learning-rate",
                         "0.05", "--depth", "1", "--width", "8", "--epochs", "1", "--seeds",
                         "1", "--jobs", "1", "--out", str(tmp_path))
    assert code == 0, err
    trials = json.loads((tmp_path / "results.json").read_text())["trials"]
    assert [t["metrics"]["learning_rate"] for t in trials] == pytest.approx([0.05, 0.05])
    assert all(t.get("rate_search") is None and "learning_rate_grid" not in t["config"]
               for t in trials)
    assert "Learning rates chosen" not in out
    page = (tmp_path / "index.html").read_text()
    assert "--learning-rate auto gives each arm its own" in page      # the shared rate is said


def test_compare_auto_counts_every_rate_tried_in_the_plan_guard():
    from glassnet.cli import build_parser, compare_configs
    from glassnet.lab.runner import PLAN_LIMIT
    seeds = PLAN_LIMIT // 2                # 1 setting x seeds trials: under the limit
    assert len(compare_configs(build_parser().parse_args(
        ["compare", "--optimizer", "sgd", "--seeds", str(seeds)]))) == 1
    with pytest.raises(ValueError, match=f"plans {4 * seeds:,} trials.*--yes"):
        compare_configs(build_parser().parse_args(
            ["compare", "--optimizer", "sgd", "--learning-rate", "auto", "--seeds", str(seeds)]))
    assert compare_configs(build_parser().parse_args(
        ["compare", "--optimizer", "sgd", "--learning-rate", "auto", "--seeds", str(seeds),
         "--yes"]))[0]["learning_rate_grid"] == [0.03, 0.1, 0.3, 1.0]


def test_compare_learning_rate_is_a_number_or_auto(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["compare", "--learning-rate", "fast"])
    assert exit_.value.code == 2
    assert "'fast' is neither a number nor auto" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["compare", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "adam 0.0003 0.001 0.003" in help_text and "sgd 0.03 0.1 0.3 1" in help_text
    assert "--yes counts each" in help_text and "optimizer's default" in help_text


def test_rate_grids_are_the_labs_and_a_factor_three_around_other_defaults():
    from glassnet.lab.experiments import ADAM_RATES, SGD_RATES, TOY_ADAM_RATES, rate_grid
    assert rate_grid("adam") == ADAM_RATES and rate_grid("adam", "moons") == TOY_ADAM_RATES
    assert rate_grid("sgd", "spirals") == SGD_RATES
    assert rate_grid("rmsprop") == [0.00033, 0.001, 0.003]
