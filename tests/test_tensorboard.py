"""TensorBoard: event files glassnet writes itself, read back by TensorBoard's own reader
(scalars, histograms, text), served by ``tensorboard --logdir`` on 127.0.0.1 and rendered by
headless Chromium. Skipped with the reason where TensorBoard is not installed; required in CI
(GLASSNET_REQUIRE_ORACLES=1)."""
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

import glassnet
from glassnet import callbacks, layers
from glassnet.callbacks import event_file


def require_tensorboard():
    try:
        from tensorboard.backend.event_processing import event_accumulator
    except ImportError:
        if os.environ.get("GLASSNET_REQUIRE_ORACLES") == "1":
            pytest.fail("TensorBoard is required here: pip install tensorboard")
        pytest.skip("TensorBoard is not installed (pip install tensorboard): its reader and "
                    "server are the oracle of these files")
    return event_accumulator


def test_crc32c_and_record_framing_by_hand():
    assert event_file.crc32c(b"123456789") == 0xE3069283          # the standard check value
    record = event_file.tf_record(b"abc")
    length, = struct.unpack("<Q", record[:8])
    assert length == 3 and record[12:15] == b"abc"
    assert struct.unpack("<I", record[8:12])[0] == event_file.masked_crc32c(record[:8])
    with pytest.raises(ValueError, match="write_graph"):
        callbacks.TensorBoard(write_graph=True)
    with pytest.raises(ValueError, match="update_freq"):
        callbacks.TensorBoard(update_freq=0)


def _train(log_dir, probe=True, epochs=3, init="glorot_uniform"):
    glassnet.utils.set_random_seed(0)
    x = np.random.default_rng(0).standard_normal((64, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    model = glassnet.Sequential([layers.Input(shape=(4,)),
                                 layers.Dense(8, activation="relu", kernel_initializer=init),
                                 layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    board = callbacks.TensorBoard(log_dir, histogram_freq=1, update_freq=2)
    used = [board] + ([callbacks.Probe(verbose=0)] if probe else [])
    history = model.fit(x, y, epochs=epochs, batch_size=16, validation_split=0.25, verbose=0,
                        callbacks=used)
    return model, history


def _accumulator(event_accumulator, run_dir):
    loaded = event_accumulator.EventAccumulator(
        str(run_dir), size_guidance={event_accumulator.SCALARS: 0,
                                     event_accumulator.HISTOGRAMS: 0,
                                     event_accumulator.TENSORS: 0})
    loaded.Reload()
    return loaded


def test_tensorboards_reader_reads_scalars_histograms_and_text(tmp_path):
    event_accumulator = require_tensorboard()
    model, history = _train(tmp_path)
    train = _accumulator(event_accumulator, tmp_path / "train")
    validation = _accumulator(event_accumulator, tmp_path / "validation")
    tags = train.Tags()
    for name in ("loss", "accuracy"):
        got = [e.value for e in train.Scalars(f"epoch_{name}")]
        np.testing.assert_allclose(got, history.history[name], rtol=1e-6)
        got = [e.value for e in validation.Scalars(f"epoch_{name}")]
        np.testing.assert_allclose(got, history.history[f"val_{name}"], rtol=1e-6)
    assert [e.step for e in train.Scalars("epoch_loss")] == [0, 1, 2]
    assert [e.step for e in train.Scalars("batch_loss")] == [2, 4, 6, 8]   # 9 batches, every 2nd
    assert train.Scalars("epoch_learning_rate")[0].value == pytest.approx(0.001)
    kernel = train.Histograms("dense/kernel/histogram")[-1].histogram_value
    weights = model.layers[0].kernel
    assert kernel.num == weights.size and kernel.sum == pytest.approx(float(weights.sum()),
                                                                      rel=1e-5)
    assert kernel.min == pytest.approx(float(weights.min()))
    assert sum(kernel.bucket) == weights.size
    for tag in ("activations/dense", "gradients/dense/kernel", "gradients/dense_1/bias"):
        assert tag in tags["histograms"], tags["histograms"]
        assert len(train.Histograms(tag)) == 3
    assert "probe/dense/grad_norm" in tags["scalars"]
    text = train.Tensors("diagnosis")[-1].tensor_proto.string_val[0].decode()
    assert text.startswith("No finding") and not glassnet.diagnose(history)


def test_the_diagnosis_text_lists_each_finding(tmp_path):
    event_accumulator = require_tensorboard()
    _, history = _train(tmp_path, init="zeros")             # every hidden unit the same
    findings = glassnet.diagnose(history)
    assert findings
    texts = _accumulator(event_accumulator, tmp_path / "train").Tensors("diagnosis")
    assert [t.step for t in texts] == [0, 1, 2]
    text = texts[-1].tensor_proto.string_val[0].decode()
    assert [line.split("`")[1] for line in text.splitlines()] == [f.code for f in findings]
    assert all(f.message("en") in text for f in findings)


def test_without_a_probe_only_weights_are_histograms(tmp_path):
    event_accumulator = require_tensorboard()
    _train(tmp_path, probe=False, epochs=1)
    tags = _accumulator(event_accumulator, tmp_path / "train").Tags()
    assert sorted(tags["histograms"]) == ["dense/bias/histogram", "dense/kernel/histogram",
                                          "dense_1/bias/histogram", "dense_1/kernel/histogram"]
    assert "diagnosis" not in tags["tensors"]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


@pytest.fixture
def served(tmp_path):
    require_tensorboard()
    _train(tmp_path / "logs")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tensorboard.main", "--logdir", str(tmp_path / "logs"),
         "--host", "127.0.0.1", "--port", str(port), "--reload_interval", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                runs = json.loads(_get(f"{base}/data/runs"))
                if sorted(runs) == ["train", "validation"]:
                    break
            except OSError:
                pass
            if time.time() > deadline or server.poll() is not None:
                pytest.fail(f"tensorboard did not serve the runs: {server.stdout.read1()!r}")
            time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_tensorboard_serves_the_logs(served):
    scalars = json.loads(_get(f"{served}/data/plugin/scalars/tags"))
    assert {"epoch_loss", "epoch_accuracy", "batch_loss"} <= set(scalars["train"])
    points = json.loads(_get(f"{served}/data/plugin/scalars/scalars?run=train&tag=epoch_loss"))
    assert [p[1] for p in points] == [0, 1, 2]
    histograms = json.loads(_get(f"{served}/data/plugin/histograms/tags"))
    assert "gradients/dense/kernel" in histograms["train"]
    text = json.loads(_get(f"{served}/data/plugin/text/tags"))
    assert text["train"] == ["diagnosis"]


@pytest.mark.parametrize("page", ["scalars", "histograms", "text"])
def test_headless_chromium_renders_the_dashboards(served, tmp_path, page):
    """Each dashboard drawn from glassnet's files (the plugins draw inside shadow DOM, so the
    check is the picture: not blank, and not the "no data" page an empty log folder gives)."""
    from tests.test_report_browser import browse, chromium
    chromium()
    shot = tmp_path / f"{page}.png"
    result = browse(f"{served}/#{page}", tmp_path / "profile", "--window-size=1280,900",
                    f"--screenshot={shot}")
    assert shot.exists(), result.stderr[-2000:]
    from PIL import Image
    image = np.asarray(Image.open(shot).convert("L"), dtype=np.float64)
    assert image.std() > 10                     # not blank: the dashboard drew something
    body = image[120:, 330:]                    # below the header, right of the sidebar
    assert (body < 200).mean() > 0.01           # lines, text or bars, not an empty page
