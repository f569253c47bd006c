"""The examples run as written (with few epochs, to stay fast)."""
import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_init_experiment_runs(capsys):
    pytest.importorskip("sklearn")
    module = runpy.run_path(str(EXAMPLES / "init_experiment.py"))
    results = module["main"](["--epochs", "2", "--seed", "1"])
    out = capsys.readouterr().out
    assert 'Model: "sequential"' in out and "Total params: 50,610" in out
    assert set(results) == {"glorot_uniform (Xavier)", "RandomNormal", "he_normal (He)"}
    assert all(0.5 < accuracy <= 1.0 for accuracy in results.values())
