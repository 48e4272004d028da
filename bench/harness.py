"""xlac vs peers (XLA CPU via jax.jit, ONNX Runtime, numpy) on the 8 workloads.

    python bench/harness.py [WORKLOAD ...] [--rounds 3] [--reps 20] [--smoke]

For each workload the harness
  1. generates the inputs with the peers' recipe (impls.make_inputs) and saves
     them as .npy files in a temporary directory;
  2. runs R rounds; in each round every system runs once in its own
     subprocess, in an order rotated per round: `xlac bench examples/W.ir -O2
     --input ... -n N --json`, and worker.py for XLA / ORT / numpy (warm-up,
     then N timed calls).  Every subprocess gets the environment without
     OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (and XLA_FLAGS=XLA's default
     multi-threading) and a timeout;
  3. also times the ONNX models of the workload (the decomposed variants with
     ORT, and every .onnx with xlac if `xlac check file.onnx` succeeds);
  4. runs `xlac run ... --output-dir` once and compares the output with the
     numpy implementation (float32) and a float64 reference.

A system's time is the median of its per-round medians.  Failures of any one
system are recorded as "n/a" with the reason.  Results go to
bench/results/<UTC timestamp>.json and bench/results/latest.json (smoke runs:
bench/results/smoke-<timestamp>.json); report.py prints the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import impls  # noqa: E402
import report  # noqa: E402

PEERS = ["xla", "ort", "numpy"]
SYSTEMS = ["xlac"] + PEERS
SMOKE_WORKLOADS = ["softmax", "matmul"]
XLA_FLAGS = "--xla_cpu_multi_thread_eigen=true"  # XLA's default, stated explicitly
CLK_TCK = os.sysconf("SC_CLK_TCK")

# 2-thread physical limits of this machine (shared/bench/BASELINES.md, limits.c medians).
LIMITS = {"stream_triad_GBps": 28.0, "read_GBps": 27.4, "fma_f32_GFLOPs": 197.9,
          "source": "2 threads, limits.c medians in shared/bench/BASELINES.md"}


# --------------------------------------------------------------------------
# subprocesses
# --------------------------------------------------------------------------


def clean_env() -> dict:
    """The environment for every timed subprocess."""
    env = dict(os.environ)
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(k, None)
    env["XLA_FLAGS"] = XLA_FLAGS
    return env


def _busy_cpu_s() -> float:
    """CPU seconds used by the whole machine so far (user+nice+system+irq+softirq)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (v[0] + v[1] + v[2] + v[5] + v[6]) / CLK_TCK


def _children_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_cmd(cmd: list, timeout: float) -> dict:
    """Runs `cmd`; returns ok, stdout, reason (on failure), wall_s and
    foreign_cores (CPU used by other processes meanwhile, in cores)."""
    busy0, child0, t0 = _busy_cpu_s(), _children_cpu_s(), time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=clean_env())
    except subprocess.TimeoutExpired:
        return {"ok": False, "reason": f"timeout after {timeout:g} s", "stdout": ""}
    except OSError as e:
        return {"ok": False, "reason": f"cannot start: {e}", "stdout": ""}
    wall = time.perf_counter() - t0
    own = _children_cpu_s() - child0
    foreign = max(0.0, _busy_cpu_s() - busy0 - own) / wall
    out = {"ok": p.returncode == 0, "stdout": p.stdout, "wall_s": round(wall, 3),
           "foreign_cores": round(foreign, 3)}
    if p.returncode != 0:
        lines = [l for l in (p.stderr or p.stdout).strip().splitlines() if l.strip()]
        out["reason"] = f"exit {p.returncode}: " + (" | ".join(lines[-3:]) if lines else "no output")
    return out


def run_json(cmd: list, timeout: float) -> dict:
    """run_cmd, then parse the last stdout line as JSON into the result."""
    r = run_cmd(cmd, timeout)
    if not r["ok"]:
        return {"status": "n/a", "reason": r["reason"]}
    try:
        data = json.loads(r["stdout"].strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"status": "n/a", "reason": "no JSON on stdout: " + r["stdout"][-200:]}
    data.update(status="ok", wall_s=r["wall_s"], foreign_cores=r["foreign_cores"])
    return data


# --------------------------------------------------------------------------
# xlac
# --------------------------------------------------------------------------


def input_args(spec: dict, inputs_dir: str) -> list:
    args = []
    for i in spec["inputs"]:
        args += ["--input", f"{i['name']}={os.path.join(inputs_dir, i['name'] + '.npy')}"]
    return args


def ir_signature_error(ir_path: str, spec: dict) -> str | None:
    """None if @main's parameters in the .ir file match the manifest's names and shapes."""
    with open(ir_path) as f:
        text = f.read()
    m = re.search(r"func\s+@main\s*\(([^)]*)\)", text)
    if not m:
        return "no `func @main(...)` in " + ir_path
    params = re.findall(r"%([\w.]+)\s*:\s*f32\[([\d,\s]*)\]", m.group(1))
    got = [(n, [int(d) for d in s.split(",") if d.strip()]) for n, s in params]
    want = [(i["name"], list(i["shape"])) for i in spec["inputs"]]
    return None if got == want else f"@main parameters {got} != manifest {want}"


def xlac_bench(xlac: str, model: str, spec: dict, inputs_dir: str, reps: int, timeout: float) -> dict:
    cmd = [xlac, "bench", model, "-O2", *input_args(spec, inputs_dir), "-n", str(reps), "--json"]
    return run_json(cmd, timeout)


def xlac_output(xlac: str, model: str, spec: dict, inputs_dir: str, timeout: float):
    """(output array, None) from `xlac run --output-dir`, or (None, reason)."""
    out_dir = tempfile.mkdtemp(prefix="xlac-out-", dir=inputs_dir)
    try:
        r = run_cmd([xlac, "run", model, "-O2", *input_args(spec, inputs_dir),
                     "--output-dir", out_dir], timeout)
        if not r["ok"]:
            return None, r["reason"]
        return np.load(os.path.join(out_dir, "0.npy")), None
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)


def onnx_import_error(xlac: str, onnx_path: str) -> str | None:
    """None if `xlac check` accepts the ONNX file."""
    r = run_cmd([xlac, "check", onnx_path], 60)
    return None if r["ok"] else "n/a (no ONNX import yet)"


# --------------------------------------------------------------------------
# numerical agreement
# --------------------------------------------------------------------------


def compare(out, np_out, ref) -> dict:
    """max |xlac - numpy| and max |xlac - f64 reference|, with numpy's own error for scale."""
    if out.shape != np_out.shape:
        return {"ok": False, "reason": f"shape {list(out.shape)} != {list(np_out.shape)}"}
    d_np = float(np.max(np.abs(out.astype(np.float64) - np_out)))
    d_ref = float(np.max(np.abs(out - ref)))
    np_err = float(np.max(np.abs(np_out - ref)))
    ref_max = float(np.max(np.abs(ref)))
    tol = max(10 * np_err, 1e-5 * ref_max)
    return {"max_abs_diff_vs_numpy": d_np, "max_abs_diff_vs_f64": d_ref,
            "numpy_max_abs_diff_vs_f64": np_err, "ref_max_abs": ref_max,
            "tolerance": tol, "ok": bool(np.isfinite(d_ref) and d_ref <= tol)}


# --------------------------------------------------------------------------
# one workload
# --------------------------------------------------------------------------


def make_jobs(w: str, spec: dict, ctx: dict, inputs_dir: str) -> list:
    """(label, kind, fn) for everything timed per round of workload w."""
    a = ctx["args"]
    ir = os.path.join(REPO, "examples", w + ".ir")
    sig_err = ir_signature_error(ir, spec) if os.path.exists(ir) else f"{ir} missing"
    worker = [sys.executable, os.path.join(HERE, "worker.py"), "--workload", w,
              "--manifest", ctx["manifest_path"], "--inputs-dir", inputs_dir,
              "--reps", str(a.reps)]

    def na(reason):
        return lambda: {"status": "n/a", "reason": reason}

    def xlac(model):
        if ctx["xlac_error"]:
            return na(ctx["xlac_error"])
        return lambda: xlac_bench(ctx["xlac"], model, spec, inputs_dir, a.reps, a.timeout)

    def peer(system, *extra):
        return lambda: run_json(worker + ["--system", system, *extra], a.timeout)

    main_onnx = os.path.join(ctx["peers_dir"], "onnx", w + ".onnx")
    jobs = [("xlac", "main", na(sig_err) if sig_err else xlac(ir)),
            ("xla", "main", peer("xla")),
            ("ort", "main", peer("ort", "--onnx", main_onnx)),
            ("numpy", "main", peer("numpy"))]
    if a.no_onnx:
        return jobs
    for fname in spec.get("onnx_files", []):
        path = os.path.join(ctx["peers_dir"], "onnx", fname)
        err = ctx["xlac_error"] or onnx_import_error(ctx["xlac"], path)
        jobs.append((f"xlac:{fname}", "onnx", na(err) if err else xlac(path)))
        if fname != w + ".onnx":
            jobs.append((f"ort:{fname}", "onnx", peer("ort", "--onnx", path)))
    return jobs


def summarize(rounds: list) -> dict:
    """Pools per-round results: median of round medians, min of mins."""
    ok = [r for r in rounds if r.get("status") == "ok"]
    if not ok:
        reasons = [r.get("reason", "?") for r in rounds]
        return {"status": "n/a", "reason": reasons[0] if reasons else "not run", "rounds": rounds}
    med = [r["median_ms"] for r in ok]
    s = {"status": "ok", "median_ms": statistics.median(med), "min_ms": min(r["min_ms"] for r in ok),
         "round_medians_ms": med, "foreign_cores_max": max(r.get("foreign_cores", 0) for r in ok),
         "rounds": rounds}
    if len(ok) < len(rounds):
        s["failed_rounds"] = len(rounds) - len(ok)
    for key in ("compile_ms", "lower_ms", "compile_est_ms", "session_create_ms", "cores"):
        vals = [r[key] for r in ok if isinstance(r.get(key), (int, float))]
        if vals:
            s[key] = statistics.median(vals)
    for key in ("versions", "threads", "steps", "devices", "blas", "onnx_inputs"):
        if key in ok[-1]:
            s[key] = ok[-1][key]
    return s


def metric(spec: dict, median_ms: float) -> tuple:
    """(unit, value, % of this machine's limit) for a time of workload spec."""
    if spec["kind"] == "compute" and spec.get("flops"):
        v = spec["flops"] / (median_ms * 1e-3) / 1e9
        return "GFLOP/s", v, 100 * v / LIMITS["fma_f32_GFLOPs"]
    v = spec["bytes_moved"] / (median_ms * 1e-3) / 1e9
    lim = LIMITS["read_GBps"] if spec.get("_read_only") else LIMITS["stream_triad_GBps"]
    return "GB/s", v, 100 * v / lim


def verify(w: str, spec: dict, inputs: dict, ctx: dict, inputs_dir: str, models: list) -> dict:
    """Numerical agreement of xlac's outputs (every model in `models`) with numpy."""
    args = list(inputs.values())
    np_out = impls.NUMPY[w](*args).astype(np.float64)
    ref = impls.NUMPY[w](*[x.astype(np.float64) for x in args])
    res = {}
    for label, model in models:
        out, err = xlac_output(ctx["xlac"], model, spec, inputs_dir, ctx["args"].timeout)
        res[label] = {"ok": False, "reason": err} if err else compare(out, np_out, ref)
    return res


def bench_workload(w: str, spec: dict, ctx: dict) -> dict:
    a = ctx["args"]
    spec = dict(spec, _read_only=(w == "reduce"))
    inputs_dir = tempfile.mkdtemp(prefix=f"xlac-bench-{w}-")
    try:
        inputs = impls.make_inputs(w, spec)
        for name, arr in inputs.items():
            np.save(os.path.join(inputs_dir, name + ".npy"), arr)
        jobs = make_jobs(w, spec, ctx, inputs_dir)
        raw = {label: [] for label, _, _ in jobs}
        for rnd in range(a.rounds):
            k = (rnd + ctx["index"]) % len(jobs)
            for label, _, fn in jobs[k:] + jobs[:k]:
                r = fn()
                raw[label].append(r)
                shown = f"{r['median_ms']:9.3f} ms" if r["status"] == "ok" else r["reason"][:100]
                log(f"  {w} round {rnd} {label:36s} {shown}")
        res = {lbl: summarize(rs) for lbl, rs in raw.items()}
        ok_models = [("xlac", os.path.join(REPO, "examples", w + ".ir"))] if res["xlac"]["status"] == "ok" else []
        ok_models += [(lbl, os.path.join(ctx["peers_dir"], "onnx", lbl.split(":", 1)[1]))
                      for lbl, kind, _ in jobs if kind == "onnx" and lbl.startswith("xlac:")
                      and res[lbl]["status"] == "ok"]
        ver = verify(w, spec, inputs, ctx, inputs_dir, ok_models) if ok_models else {}
    finally:
        shutil.rmtree(inputs_dir, ignore_errors=True)
    return assemble(w, spec, res, ver)


def assemble(w: str, spec: dict, res: dict, ver: dict) -> dict:
    """The per-workload result record (systems, best peer, ratio, metric, compile times)."""
    entry = {"description": spec.get("description"), "kind": spec["kind"],
             "bytes_moved": spec["bytes_moved"], "flops": spec.get("flops", 0),
             "systems": {s: res[s] for s in SYSTEMS},
             "onnx": {lbl: r for lbl, r in res.items() if ":" in lbl},
             "verify": ver}
    peers = {p: res[p]["median_ms"] for p in PEERS if res[p]["status"] == "ok"}
    if peers:
        best = min(peers, key=peers.get)
        entry.update(best_peer=best, best_peer_ms=peers[best])
    x = res["xlac"]
    if x["status"] == "ok":
        unit, value, pct = metric(spec, x["median_ms"])
        entry.update(metric=unit, xlac_value=value, xlac_pct_of_limit=pct,
                     xlac_compile_ms=x.get("compile_ms"))
        if peers:
            entry["xlac_over_best_peer"] = x["median_ms"] / entry["best_peer_ms"]
    if res["xla"]["status"] == "ok":
        entry.update(xla_compile_ms=res["xla"].get("compile_ms"),
                     xla_lower_ms=res["xla"].get("lower_ms"),
                     xla_first_call_minus_steady_ms=res["xla"].get("compile_est_ms"))
    return entry


# --------------------------------------------------------------------------
# run
# --------------------------------------------------------------------------


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def machine_info() -> dict:
    info = {"platform": platform.platform(), "python": platform.python_version(),
            "nproc": os.cpu_count()}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for line in out.splitlines():
            k, _, v = line.partition(":")
            if k.strip() in ("Model name", "CPU(s)", "Core(s) per socket", "Socket(s)",
                             "Thread(s) per core", "L2 cache", "L3 cache", "Hypervisor vendor"):
                info[k.strip()] = v.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        with open("/proc/meminfo") as f:
            info["MemTotal"] = f.readline().split(":")[1].strip()
    except OSError:
        pass
    return info


def git_info() -> dict:
    def git(*a):
        try:
            return subprocess.run(["git", "-C", REPO, *a], capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    return {"commit": git("rev-parse", "--short", "HEAD"),
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def binary_info(path: str) -> dict:
    """Path and modification time of the xlac binary (others may rebuild it)."""
    try:
        mtime = dt.datetime.fromtimestamp(os.stat(path).st_mtime, dt.timezone.utc)
        return {"binary": path, "binary_mtime_utc": mtime.strftime("%Y-%m-%d %H:%M:%S UTC")}
    except OSError:
        return {"binary": path}


def find_peers_dir(arg: str | None) -> str:
    for d in (arg, os.environ.get("XLAC_PEERS_DIR"), os.path.join(REPO, "..", "shared", "bench"),
              "/work/shared/bench"):
        if d and os.path.exists(os.path.join(d, "manifest.json")):
            return os.path.abspath(d)
    raise SystemExit("cannot find the peers' manifest.json: pass --peers-dir or set XLAC_PEERS_DIR")


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="xlac vs XLA CPU / ONNX Runtime / numpy.")
    ap.add_argument("workloads", nargs="*", help="subset of the 8 workloads (default: all)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds (systems alternate per round)")
    ap.add_argument("--reps", type=int, default=20, help="timed calls per system and round (>= 10)")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per subprocess")
    ap.add_argument("--xlac", default=os.path.join(REPO, "target", "release", "xlac"))
    ap.add_argument("--peers-dir", help="shared/bench (manifest.json, onnx/)")
    ap.add_argument("--no-onnx", action="store_true", help="skip the ONNX-variant rows")
    ap.add_argument("--smoke", action="store_true",
                    help=f"1 round, 3 reps, {' + '.join(SMOKE_WORKLOADS)}: checks the harness works")
    ap.add_argument("--out-dir", default=os.path.join(HERE, "results"))
    a = ap.parse_args(argv)
    if a.smoke:
        a.rounds, a.reps = 1, 3
        a.workloads = a.workloads or SMOKE_WORKLOADS
    elif a.reps < 10:
        log(f"warning: --reps {a.reps} < 10 timed repetitions")
    return a


def main(argv=None) -> None:
    a = parse_args(argv)
    peers_dir = find_peers_dir(a.peers_dir)
    manifest_path = os.path.join(peers_dir, "manifest.json")
    with open(manifest_path) as f:
        manifest = json.load(f)
    names = a.workloads or list(manifest["workloads"])
    unknown = [w for w in names if w not in manifest["workloads"]]
    if unknown:
        raise SystemExit(f"unknown workloads {unknown}; known: {list(manifest['workloads'])}")
    xlac_error = None if os.access(a.xlac, os.X_OK) else f"no xlac binary at {a.xlac}"
    ctx = {"args": a, "peers_dir": peers_dir, "manifest_path": manifest_path,
           "xlac": a.xlac, "xlac_error": xlac_error}
    started = dt.datetime.now(dt.timezone.utc)
    log(f"xlac bench harness: {len(names)} workloads, {a.rounds} rounds x {a.reps} reps")
    results = {}
    for i, w in enumerate(names):
        ctx["index"] = i
        results[w] = bench_workload(w, manifest["workloads"][w], ctx)
    out = {
        "date_utc": started.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "duration_s": round((dt.datetime.now(dt.timezone.utc) - started).total_seconds(), 1),
        "command": os.environ.get("XLAC_BENCH_COMMAND") or " ".join(["python"] + sys.argv),
        "settings": {"rounds": a.rounds, "reps": a.reps, "timeout_s": a.timeout, "smoke": a.smoke,
                     "xla_flags": XLA_FLAGS, "removed_env": ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]},
        "machine": machine_info(), "xlac": dict(git_info(), **binary_info(a.xlac)),
        "peers_dir": peers_dir, "limits": LIMITS, "workloads": results,
    }
    out["versions"] = report.versions(out)
    out["geomean_best_peer_over_xlac"] = report.geomean_speedup(out)
    path = save(out, a)
    print(report.text_table(out))
    print()
    print(report.markdown(out))
    log(f"results: {path}")


def save(out: dict, a) -> str:
    os.makedirs(a.out_dir, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = os.path.join(a.out_dir, ("smoke-" if a.smoke else "") + stamp + ".json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    if not a.smoke:
        shutil.copyfile(path, os.path.join(a.out_dir, "latest.json"))
    return path


if __name__ == "__main__":
    main()
