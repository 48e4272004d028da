#!/usr/bin/env bash
# The whole test suite: fetches what the ONNX tests need (the ONNX backend node tests,
# generated from the `onnx` pip package into target/onnx-node-tests; magika's model and
# onnxruntime for its reference outputs), then runs `cargo test --workspace`.
# Extra arguments go to `cargo test` (e.g. `scripts/test.sh -p xlac-ir`).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python3 -c 'import magika, onnxruntime' >/dev/null 2>&1; then
    echo "== installing magika and onnxruntime (pip, user site)"
    python3 -m pip install --quiet --disable-pip-version-check magika onnxruntime
fi
if [ ! -d target/onnx-node-tests ] || [ -z "$(ls -A target/onnx-node-tests 2>/dev/null)" ]; then
    echo "== generating the ONNX node conformance tests (../shared/conformance)"
    bash ../shared/conformance/gen_onnx_node_tests.sh target/onnx-node-tests >/dev/null
fi
cargo test --workspace "$@"
