"""Times one peer system on one workload; run by harness.py in a subprocess.

    python worker.py --system {xla,ort,numpy} --workload W --manifest M \
        --inputs-dir D [--onnx FILE] --reps N

Inputs are read from D/<name>.npy (written by the harness, identical for
every system).  Prints one JSON line on stdout: median_ms, min_ms, max_ms,
samples_ms, cores (process CPU time / wall time of the timed loop),
versions, and per system: XLA `first_call_ms`, `compile_est_ms` (first call
minus the steady-state median), `lower_ms` / `compile_ms` (AOT
`jit(f).lower(*args)` / `.compile()` on a fresh wrapper); ORT
`session_create_ms`, `onnx_inputs`.  Errors go to stderr with exit code 1.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import impls  # noqa: E402

WARMUP_CALLS = 3
WARMUP_S = 0.05


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def time_calls(fn, reps: int) -> dict:
    """Warm up (>= 3 calls and >= 50 ms, as `xlac bench` does), then time `reps` calls."""
    t_warm = time.perf_counter()
    n = 0
    while n < WARMUP_CALLS or time.perf_counter() - t_warm < WARMUP_S:
        fn()
        n += 1
    samples = []
    cpu0, wall0 = _cpu_s(), time.perf_counter()
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    wall = time.perf_counter() - wall0
    return {"median_ms": statistics.median(samples), "min_ms": min(samples),
            "max_ms": max(samples), "samples_ms": samples, "reps": reps,
            "warmup_calls": n, "cores": (_cpu_s() - cpu0) / wall}


def load_inputs(spec: dict, inputs_dir: str) -> dict:
    return {i["name"]: np.load(os.path.join(inputs_dir, i["name"] + ".npy"))
            for i in spec["inputs"]}


def run_xla(name: str, inputs: dict, reps: int) -> dict:
    import jax
    import jaxlib

    fn = impls.jax_functions()[name]
    # Start the runtime first, so that its start-up is not charged to the compile.
    jax.jit(lambda x: x + 1)(np.ones(4, np.float32)).block_until_ready()
    args = [jax.device_put(a) for a in inputs.values()]
    for a in args:
        a.block_until_ready()
    f = jax.jit(fn)
    t0 = time.perf_counter()
    f(*args).block_until_ready()
    first_ms = (time.perf_counter() - t0) * 1e3
    r = time_calls(lambda: f(*args).block_until_ready(), reps)
    g = jax.jit(lambda *a: fn(*a))  # fresh wrapper: nothing cached
    t0 = time.perf_counter()
    lowered = g.lower(*args)
    t1 = time.perf_counter()
    lowered.compile()
    t2 = time.perf_counter()
    r.update(first_call_ms=first_ms, compile_est_ms=first_ms - r["median_ms"],
             lower_ms=(t1 - t0) * 1e3, compile_ms=(t2 - t1) * 1e3,
             devices=[str(d) for d in jax.devices()],
             versions={"jax": jax.__version__, "jaxlib": jaxlib.__version__})
    return r


def run_ort(onnx_path: str, inputs: dict, reps: int) -> dict:
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    t0 = time.perf_counter()
    sess = ort.InferenceSession(onnx_path, so, providers=["CPUExecutionProvider"])
    create_ms = (time.perf_counter() - t0) * 1e3
    onnx_inputs = {i.name: list(i.shape) for i in sess.get_inputs()}
    expected = {n: list(a.shape) for n, a in inputs.items()}
    if onnx_inputs != expected:
        raise SystemExit(f"ONNX inputs {onnx_inputs} do not match the manifest {expected}")
    r = time_calls(lambda: sess.run(None, inputs), reps)
    r.update(session_create_ms=create_ms, onnx_inputs=onnx_inputs,
             versions={"onnxruntime": ort.__version__})
    return r


def _blas_info() -> dict | None:
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return {k: blas.get(k) for k in ("name", "version", "openblas configuration")}
    except Exception:  # noqa: BLE001 - informational only
        return None


def run_numpy(name: str, inputs: dict, reps: int) -> dict:
    fn = impls.NUMPY[name]
    args = list(inputs.values())
    r = time_calls(lambda: fn(*args), reps)
    r.update(versions={"numpy": np.__version__}, blas=_blas_info())
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--system", required=True, choices=["xla", "ort", "numpy"])
    ap.add_argument("--workload", required=True)
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--inputs-dir", required=True)
    ap.add_argument("--onnx", help="ONNX model (for --system ort)")
    ap.add_argument("--reps", type=int, default=20)
    a = ap.parse_args()
    with open(a.manifest) as f:
        spec = json.load(f)["workloads"][a.workload]
    inputs = load_inputs(spec, a.inputs_dir)
    if a.system == "xla":
        r = run_xla(a.workload, inputs, a.reps)
    elif a.system == "ort":
        r = run_ort(a.onnx, inputs, a.reps)
    else:
        r = run_numpy(a.workload, inputs, a.reps)
    r["env"] = {k: os.environ.get(k) for k in
                ("XLA_FLAGS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS")}
    print(json.dumps(r))


if __name__ == "__main__":
    main()
