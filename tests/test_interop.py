"""glassnet.interop without the other frameworks: lazy imports, from_keras on a file, errors.

The frameworks themselves are the oracles in tests/oracles/test_onnx.py, test_torch_interop.py,
test_sklearn_interop.py and test_keras_files.py.
"""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import glassnet
from glassnet import interop, layers


def _run(code):
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_interop_imports_no_framework_until_asked(tmp_path):
    model = glassnet.Sequential([glassnet.Input((3,)), layers.Dense(2, activation="softmax")])
    model.save(tmp_path / "m.keras")
    out = _run(f"""
        import sys
        import glassnet.interop
        model = glassnet.interop.from_keras({str(tmp_path / "m.keras")!r})
        print(sorted(m for m in ("torch", "keras", "onnx", "onnxruntime", "sklearn")
                     if m in sys.modules))
    """)
    assert out.strip() == "[]"


def test_from_keras_reads_a_file_as_load_model_does_but_uncompiled(tmp_path):
    model = glassnet.Sequential([glassnet.Input((4,)), layers.Dense(3, activation="tanh"),
                                 layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.save(tmp_path / "m.keras")
    imported = interop.from_keras(tmp_path / "m.keras")
    assert not imported.compiled
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    assert np.array_equal(imported.predict(x, verbose=0), model.predict(x, verbose=0))
    with open(tmp_path / "m.keras", "rb") as file:
        assert interop.from_keras(file).layers[0].units == 3
    (tmp_path / "text.keras").write_text("hello")
    with pytest.raises(glassnet.saving.ModelFileError, match="not a .keras file"):
        interop.from_keras(tmp_path / "text.keras")


def test_wrong_kinds_of_objects_are_named():
    with pytest.raises(TypeError, match="from_keras takes a path to a .keras file or a "
                                        "keras model, got list"):
        interop.from_keras([1, 2])

    class GradientBoostingClassifier:
        pass

    with pytest.raises(interop.UnsupportedLayerError, match="got GradientBoostingClassifier"):
        interop.from_sklearn(GradientBoostingClassifier())
    assert issubclass(interop.UnsupportedLayerError, ValueError)
