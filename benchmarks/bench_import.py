"""How long ``python -c "import glassnet"`` takes, and what it pulls in.

Each measurement is a fresh interpreter (``sys.executable``), best of ``--repeats`` runs:
- the whole command, wall clock, as a user types it (goal: < 0.3 s);
- the interpreter alone (``python -c pass``) and with NumPy only (``import numpy``), to see
  what glassnet itself adds (on a busy machine NumPy's own import can take 0.2 s);
- the import alone, timed inside the process (``time.perf_counter`` around the import);
- ``sys.modules`` after the import: none of matplotlib, sklearn, scipy, pandas, torch may be
  there (issue 2: the engine's only runtime dependency is NumPy);
- the slowest top-level imports (``-X importtime``, cumulative), to show where the time goes.
"""
import subprocess
import sys
import time

import common

GOAL_SECONDS = 0.3
FORBIDDEN = ("matplotlib", "sklearn", "scipy", "pandas", "torch")
_PROBE = ("import sys, time, json; start = time.perf_counter(); import glassnet; "
          "elapsed = time.perf_counter() - start; "
          "print(json.dumps({'seconds': elapsed, 'modules': sorted(sys.modules)}))")


def _wall(code):
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - start


def _probe():
    import json
    done = subprocess.run([sys.executable, "-c", _PROBE], check=True, capture_output=True,
                          text=True)
    return json.loads(done.stdout)


def slowest_imports(count=5):
    """(cumulative seconds, module) of the slowest modules imported by ``import glassnet``:
    numpy, and glassnet's own submodules (each including what it imports first)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import glassnet"],
                          check=True, capture_output=True, text=True)
    entries = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line[len("import time:"):].split("|")
        name = name.strip()
        if name == "numpy" or name.startswith("glassnet."):
            entries.append((int(cumulative) / 1e6, name))
    return sorted(entries, reverse=True)[:count]


def run(quick=False, repeats=7):
    repeats = 1 if quick else repeats
    command = min(_wall("import glassnet") for _ in range(repeats))
    bare = min(_wall("pass") for _ in range(repeats))
    numpy_only = min(_wall("import numpy") for _ in range(repeats))
    probes = [_probe() for _ in range(repeats)]
    inside = min(p["seconds"] for p in probes)
    heavy = sorted({m.split(".")[0] for m in probes[0]["modules"]} & set(FORBIDDEN))
    return {"command": command, "interpreter": bare, "numpy": numpy_only, "import": inside,
            "forbidden": heavy,
            "met": command < GOAL_SECONDS and not heavy, "slowest": slowest_imports()}


def report(result, quick=False):
    return "\n".join([
        f'python -c "import glassnet": {result["command"]:.3f} s wall (best of '
        f'{1 if quick else 7} fresh processes; goal < {GOAL_SECONDS} s)',
        f'  python -c "pass":           {result["interpreter"]:.3f} s',
        f'  python -c "import numpy":   {result["numpy"]:.3f} s (glassnet adds '
        f'{result["command"] - result["numpy"]:.3f} s to it)',
        f'  the import alone:           {result["import"]:.3f} s',
        f'  heavy modules loaded:       {", ".join(result["forbidden"]) or "none"} '
        f'(checked: {", ".join(FORBIDDEN)})',
        "  slowest imports (cumulative): "
        + ", ".join(f"{name} {seconds * 1e3:.0f} ms" for seconds, name in result["slowest"]),
        f'  met: {result["met"]}'])


def summary(result):
    return [{"benchmark": "import glassnet (s, fresh process)", "peer": "goal", "glassnet":
             result["command"], "theirs": GOAL_SECONDS, "ratio": result["command"] / GOAL_SECONDS,
             "goal": "< 0.3 s, no " + "/".join(FORBIDDEN), "met": result["met"]}]


def main(argv=None):
    quick = common.quick_flag(argv)
    print(report(run(quick), quick))


if __name__ == "__main__":
    sys.exit(main())
