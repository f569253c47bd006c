#!/usr/bin/env bash
# One run on a GPU machine: the GPU tests, then the GPU benchmark, all output under $OUT.
#
#   bash benchmarks/gpu_check.sh                 # from the repository root; OUT defaults to ./gpu-out
#   GPU_CHECK_BACKEND=standin bash benchmarks/gpu_check.sh   # dry run on the CPU stand-in
#
# Installs nothing (the machine is offline): glassnet runs from src/ via PYTHONPATH; pytest,
# pytest-xdist, h5py, scikit-learn and torch are used when present and skipped when not. Each
# phase has its own time limit inside one overall budget (BUDGET seconds, default 230), so the
# whole script ends in under 4 minutes; a failing or timed-out phase is recorded and the next
# one runs. $OUT/summary.txt lists every phase with its exit status (124: timed out).
set -u
cd "$(dirname "$0")/.."
OUT="${OUT:-./gpu-out}"
mkdir -p "$OUT"
BUDGET="${BUDGET:-230}"
BACKEND="${GPU_CHECK_BACKEND:-cupy}"
PY="${PYTHON:-python}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
export GLASSNET_TEST_GPU_BACKEND="$BACKEND"
export KERAS_BACKEND="${KERAS_BACKEND:-torch}"
export PYTHONDONTWRITEBYTECODE=1
SUMMARY="$OUT/summary.txt"
: > "$SUMMARY"
START=$SECONDS

has() { "$PY" -c "import $1" >/dev/null 2>&1; }

# phase NAME CAP_SECONDS COMMAND...: run with a time limit of min(CAP, what is left of BUDGET)
phase() {
    local name="$1" cap="$2"; shift 2
    local left=$(( BUDGET - (SECONDS - START) ))
    local limit=$(( cap < left ? cap : left ))
    if (( limit < 5 )); then
        echo "== $name: skipped, the budget is spent" | tee -a "$SUMMARY"
        return
    fi
    echo "== [$(( SECONDS - START ))s] phase $name (limit ${limit}s): $*"
    local began=$SECONDS
    timeout --kill-after=5 "$limit" "$@" > "$OUT/$name.log" 2>&1
    local rc=$?
    tail -n 40 "$OUT/$name.log"
    echo "== $name: exit $rc in $(( SECONDS - began ))s" | tee -a "$SUMMARY"
}

echo "== versions" | tee "$OUT/versions.txt"
{
    date -u
    command -v nvidia-smi >/dev/null && nvidia-smi && nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used --format=csv
    "$PY" - <<'EOF'
import importlib, platform, sys
print("python", sys.version.split()[0], platform.platform())
for name in ("numpy", "cupy", "torch", "pytest", "xdist", "h5py", "sklearn", "onnxruntime"):
    try:
        module = importlib.import_module(name)
        print(name, getattr(module, "__version__", "?"))
    except Exception as error:
        print(name, "absent:", type(error).__name__, error)
try:
    import cupy
    print("cuda runtime", cupy.cuda.runtime.runtimeGetVersion(), "driver",
          cupy.cuda.runtime.driverGetVersion(), "devices", cupy.cuda.runtime.getDeviceCount())
except Exception as error:
    print("cupy/cuda:", type(error).__name__, error)
import glassnet
print("glassnet", glassnet.__version__, "from", glassnet.__file__)
EOF
} 2>&1 | tee -a "$OUT/versions.txt"

if [[ "$BACKEND" == cupy ]] && ! "$PY" -c "from glassnet import backend; backend.load('cupy')" 2>"$OUT/no-gpu.txt"; then
    echo "== no GPU backend here:" | tee -a "$SUMMARY"
    cat "$OUT/no-gpu.txt" | tee -a "$SUMMARY"
    echo "== so the GPU tests and the benchmark skip; the CPU stand-in tests still run" | tee -a "$SUMMARY"
fi

PYTEST=()
PARALLEL=()
if has pytest; then
    # -v: each test's result is in the log as it finishes, even if the phase's time runs out
    PYTEST=("$PY" -m pytest -v -rfEs --tb=short -p no:cacheprovider)
    has xdist && PARALLEL=(-n 4) || PARALLEL=()
else
    echo "== pytest absent: test phases skipped" | tee -a "$SUMMARY"
fi

if (( ${#PYTEST[@]} )); then
    phase gpu-tests 45 "${PYTEST[@]}" tests/test_gpu.py -k "not every_layer" \
        --junitxml="$OUT/gpu-tests.xml"
fi
phase bench 100 "$PY" benchmarks/bench_gpu.py --repeats 3 --numpy-batches 8 \
    --gpu-backend "$BACKEND" --out "$OUT/results"
if (( ${#PYTEST[@]} )); then
    phase gpu-matrix 70 "${PYTEST[@]}" "${PARALLEL[@]}" --maxfail=30 tests/test_gpu.py \
        -k "every_layer" --junitxml="$OUT/gpu-matrix.xml"
    phase cpu-standin 25 "${PYTEST[@]}" "${PARALLEL[@]}" tests/test_standin.py \
        tests/test_backend.py --junitxml="$OUT/cpu-standin.xml"
fi

echo "== done in $(( SECONDS - START ))s; summary:"
cat "$SUMMARY"
exit 0
