#!/usr/bin/env bash
# xlac vs peers benchmark, one command (see bench/README.md):
#
#   bench/run.sh [--smoke] [--no-build] [WORKLOAD ...] [harness options]
#
# 1. creates or reuses a virtualenv ($XLAC_BENCH_VENV, default
#    ~/.cache/xlac-bench-venv) with numpy, jax, jaxlib, onnx, onnxruntime at the
#    versions of shared/bench/BASELINES.md (unpinned fallback per package);
# 2. builds xlac (cargo build --release -p xlac; skipped with --no-build);
# 3. runs bench/harness.py with the remaining arguments (--help lists them).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
VENV=${XLAC_BENCH_VENV:-$HOME/.cache/xlac-bench-venv}
BASE_PYTHON=${XLAC_BENCH_PYTHON:-python3}
PINS=(numpy==2.4.6 jax==0.10.2 jaxlib==0.10.2 onnx==1.23.2 onnxruntime==1.32.0)
MARKER="$VENV/.xlac-bench-installed"

build=1
args=()
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    *) args+=("$a") ;;
  esac
done

setup_venv() {
  if [ -f "$MARKER" ] && "$VENV/bin/python" -c "import numpy" 2>/dev/null; then
    return
  fi
  echo "run.sh: setting up $VENV (about 1 minute, ~750 MB)" >&2
  "$BASE_PYTHON" -m venv "$VENV"
  local pip=("$VENV/bin/pip" install -q --disable-pip-version-check)
  if ! "${pip[@]}" "${PINS[@]}"; then
    echo "run.sh: pinned install failed; installing package by package" >&2
    for p in "${PINS[@]}"; do
      "${pip[@]}" "$p" || "${pip[@]}" "${p%%==*}" \
        || echo "run.sh: warning: could not install ${p%%==*} (its rows will be n/a)" >&2
    done
  fi
  if ! "$VENV/bin/python" -c "import numpy" 2>/dev/null; then
    echo "run.sh: numpy is not installed in $VENV; cannot run the harness" >&2
    exit 1
  fi
  "$VENV/bin/pip" freeze --disable-pip-version-check > "$MARKER"
  echo "run.sh: installed: $(grep -E -i '^(numpy|jax|jaxlib|onnx|onnxruntime)==' "$MARKER" | tr '\n' ' ')" >&2
}

setup_venv
if [ "$build" = 1 ]; then
  echo "run.sh: cargo build --release -p xlac" >&2
  if ! (cd "$REPO" && cargo build --release -p xlac); then
    echo "run.sh: the xlac build failed (use --no-build to bench an existing target/release/xlac)" >&2
    exit 1
  fi
fi
export XLAC_BENCH_COMMAND="bench/run.sh $*"
exec "$VENV/bin/python" "$HERE/harness.py" ${args[@]+"${args[@]}"}
