"""A Dask cluster cannot run code in the glassnet client through the results it returns
(issue 12, item 7), and glassnet talks tls:// with certificates.

The hostile worker is real: a worker preload replaces glassnet's trial function on the
worker with one that returns pickle frames whose ``__reduce__`` writes a marker file with the
pid of the process that unpickles it. A plain ``distributed.Client`` runs that payload (the
control below shows it: the test could fail); glassnet's client refuses the frames and says so
in one line.
"""
import json
import os
import shutil
import subprocess

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("threadpoolctl")
distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

from glassnet import cli  # noqa: E402
from glassnet.lab import runner  # noqa: E402

PRELOAD = '''
import json, pickle
from distributed.protocol.serialize import Serialized
import glassnet.lab.runner as runner


class Payload:
    def __reduce__(self):
        return (exec, ("import os; open(@MARKER@, 'a').write(str(os.getpid()) + ' ')",))


def hostile(spec):
    experiment, config, seed = spec
    if experiment == "softmax":            # pickle frames, sent as they are
        return Serialized({"serializer": "pickle", "writeable": ()}, [pickle.dumps(Payload())])
    return json.dumps({"experiment": experiment, "config": config, "seed": seed,
                       "glassnet": "0", "key": "x", "metrics": {"test_accuracy": "99%"}})


runner._run_spec_json = hostile
'''


@pytest.fixture(scope="module")
def hostile_cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    marker = folder / "payload-ran-in"
    preload = folder / "glassnet_hostile_preload.py"
    preload.write_text(PRELOAD.replace("@MARKER@", repr(str(marker))))
    with dask.config.set({"distributed.worker.preload": [str(preload)]}):   # these workers only
        cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                           dashboard_address=None)
    with cluster:
        yield cluster.scheduler_address, marker


def ran_in(marker):
    return set(marker.read_text().split()) if marker.exists() else set()


def test_a_plain_client_would_run_the_payload(hostile_cluster):
    """The control: Dask's default client unpickles what the worker sends, payload and all."""
    address, marker = hostile_cluster
    with distributed.Client(address) as client:
        client.submit(runner._run_spec_json, ("softmax", {}, 0), pure=False).result(timeout=60)
    assert str(os.getpid()) in ran_in(marker)
    marker.unlink()


def test_glassnet_refuses_pickled_results_in_one_line(hostile_cluster, tmp_path, capsys):
    address, marker = hostile_cluster
    code = cli.main(["lab", "softmax", "--scheduler", address, "--out", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 1
    assert str(os.getpid()) not in ran_in(marker)          # nothing ran in this process
    lines = [line for line in err.splitlines() if line.startswith("glassnet lab:")]
    assert len(lines) == 1 and "Traceback" not in err, err   # (above it: progress lines)
    assert err.strip().splitlines()[-1] == lines[0]
    assert lines[0].startswith("glassnet lab: Trial softmax [part=worked") and "refused" in lines[0]
    assert "pickle" in lines[0] and "JSON text" in lines[0]
    assert not list((tmp_path / "trials").rglob("*.json"))


def test_glassnet_validates_the_json_a_worker_returns(hostile_cluster, tmp_path, capsys):
    address, _ = hostile_cluster
    code = cli.main(["lab", "losses", "--quick", "--seeds", "1", "--scheduler", address,
                     "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "the Dask worker's result is not a valid record" in err
    assert not list((tmp_path / "trials").rglob("*.json"))


def _certificates(folder):
    """A throwaway CA and one certificate it signed for 127.0.0.1 (scheduler, worker and
    client share it here)."""
    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=folder)
    curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *curve, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
            "-subj", "/CN=glassnet test CA")
    openssl("req", *curve, "-keyout", "node.key", "-out", "node.csr", "-subj", "/CN=127.0.0.1")
    (folder / "san.txt").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", "node.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "node.pem", "-days", "1", "-extfile", "san.txt")
    return [str(folder / name) for name in ("ca.pem", "node.pem", "node.key")]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_a_tls_cluster_with_certificates(tmp_path, capsys):
    from distributed.security import Security
    ca, cert, key = _certificates(tmp_path)
    security = Security(tls_ca_file=ca, tls_scheduler_cert=cert, tls_scheduler_key=key,
                        tls_worker_cert=cert, tls_worker_key=key, tls_client_cert=cert,
                        tls_client_key=key, require_encryption=True)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  protocol="tls://", security=security,
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tls://")
        code = cli.main(["lab", "softmax", "--scheduler", address, "--out",
                         str(tmp_path / "report"), "--tls-ca", ca, "--tls-cert", cert,
                         "--tls-key", key])
        out, err = capsys.readouterr()
        assert code == 0, err
        assert out.strip().splitlines()[-1].startswith("1 trials: 1 run, 0 reused")
        results = json.loads((tmp_path / "report" / "results.json").read_text())
        assert results["trials"][0]["metrics"]["worst_sample"] == 3
        code = cli.main(["lab", "softmax", "--scheduler", address, "--out",
                         str(tmp_path / "other")])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1
        assert "needs --tls-ca, --tls-cert and --tls-key" in err


@pytest.mark.parametrize("argv, message", [
    (["--scheduler", "tcp://127.0.0.1:8786", "--tls-ca", "ca.pem"], "need a tls:// scheduler"),
    (["--tls-ca", "a", "--tls-cert", "b", "--tls-key", "c"], "are for a tls:// --scheduler"),
    (["--scheduler", "tls://127.0.0.1:8786", "--tls-ca", "nope.pem", "--tls-cert", "b",
      "--tls-key", "c"], "--tls-ca: 'nope.pem' is not a readable file"),
])
def test_tls_options_are_checked_before_any_work(argv, message, tmp_path, capsys):
    code = cli.main(["lab", "softmax", "--out", str(tmp_path / "r"), *argv])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "r").exists()


def test_a_plain_tcp_address_off_this_machine_is_warned_about():
    lines = []
    assert runner.dask_security("tcp://10.1.2.3:8786", None, lines.append) is None
    assert "not encrypted" in lines[0] and "tls://" in lines[0]
    assert runner.dask_security("tcp://127.0.0.1:8786", None, lines.append) is None
    assert len(lines) == 1
