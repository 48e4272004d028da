"""Tables of a harness result (bench/results/*.json): aligned text and Markdown.

    python bench/report.py [RESULTS.json]     # default: bench/results/latest.json

Prints the Markdown that bench/README.md pastes.
"""

from __future__ import annotations

import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

HEADER = ["workload", "xlac ms", "XLA ms", "ORT ms", "numpy ms", "best peer",
          "xlac / best", "xlac GB/s or GFLOP/s", "% of limit", "xlac compile ms",
          "XLA compile ms", "max abs diff vs numpy"]
PEER_NAMES = {"xla": "XLA", "ort": "ORT", "numpy": "numpy"}


def _f(v, nd=3) -> str:
    return "-" if v is None else f"{v:.{nd}f}"


def _diff(v) -> str:
    """max |xlac - numpy| of a verify record; "(!)" marks a value above the tolerance."""
    if not v:
        return "-"
    if "max_abs_diff_vs_numpy" not in v:
        return "n/a: " + v.get("reason", "?")
    return f"{v['max_abs_diff_vs_numpy']:.1e}" + ("" if v.get("ok") else " (!)")


def versions(out: dict) -> dict:
    """Package versions reported by the peer workers."""
    v = {}
    for w in out["workloads"].values():
        for s in w["systems"].values():
            v.update(s.get("versions") or {})
    return v


def geomean_speedup(out: dict):
    """Geometric mean over workloads of best-peer time / xlac time (> 1: xlac faster)."""
    r = [w["best_peer_ms"] / w["systems"]["xlac"]["median_ms"] for w in out["workloads"].values()
         if "xlac_over_best_peer" in w]
    return math.exp(sum(map(math.log, r)) / len(r)) if r else None


class Notes:
    """Numbered footnotes for n/a cells (one number per distinct reason)."""

    def __init__(self):
        self.reasons = {}  # reason -> list of cells it explains

    def cell(self, what: str, s: dict) -> str:
        if s.get("status") == "ok":
            return _f(s["median_ms"])
        reason = s.get("reason", "?")
        if reason.startswith("n/a"):
            return reason
        self.reasons.setdefault(reason, []).append(what)
        return f"n/a [{list(self.reasons).index(reason) + 1}]"

    @property
    def items(self) -> list:
        return [f"{', '.join(whats)}: {reason}" for reason, whats in self.reasons.items()]


def main_rows(out: dict, notes: Notes) -> list:
    rows = []
    for name, w in out["workloads"].items():
        s = w["systems"]
        best = w.get("best_peer")
        rows.append([
            name,
            *(notes.cell(f"{sys_} / {name}", s[sys_]) for sys_ in ("xlac", "xla", "ort", "numpy")),
            PEER_NAMES.get(best, "-"),
            _f(w.get("xlac_over_best_peer"), 2) + ("x" if "xlac_over_best_peer" in w else ""),
            f"{w['xlac_value']:.1f} {w['metric']}" if "xlac_value" in w else "-",
            f"{w['xlac_pct_of_limit']:.0f}%" if "xlac_pct_of_limit" in w else "-",
            _f(w.get("xlac_compile_ms"), 1), _f(w.get("xla_compile_ms"), 1),
            _diff(w.get("verify", {}).get("xlac")),
        ])
    return rows


def onnx_rows(out: dict, notes: Notes) -> list:
    rows = []
    for name, w in out["workloads"].items():
        on = w.get("onnx", {})
        files = sorted({k.split(":", 1)[1] for k in on})
        for fname in files:
            x = on.get(f"xlac:{fname}", {"status": "n/a", "reason": "not run"})
            ort = on.get(f"ort:{fname}") or w["systems"]["ort"]
            ratio = (x["median_ms"] / ort["median_ms"]
                     if x.get("status") == "ok" and ort.get("status") == "ok" else None)
            rows.append([fname, notes.cell(f"xlac / {fname}", x),
                         notes.cell(f"xlac / {name}.ir", w["systems"]["xlac"]),
                         notes.cell(f"ORT / {fname}", ort),
                         "-" if ratio is None else f"{ratio:.2f}x",
                         _diff(w.get("verify", {}).get(f"xlac:{fname}"))])
    return rows


ONNX_HEADER = ["ONNX model", "xlac (ONNX import) ms", "xlac (.ir) ms", "ORT ms", "xlac / ORT",
               "max abs diff vs numpy"]


def _aligned(header: list, rows: list) -> str:
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    fmt = lambda r: "  ".join(str(c).rjust(wd) if i else str(c).ljust(wd)  # noqa: E731
                               for i, (c, wd) in enumerate(zip(r, widths)))
    return "\n".join([fmt(header), fmt(["-" * wd for wd in widths])] + [fmt(r) for r in rows])


def _md(header: list, rows: list) -> str:
    lines = ["| " + " | ".join(header) + " |",
             "|---|" + "---:|" * (len(header) - 1)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _summary_lines(out: dict) -> list:
    g = out.get("geomean_best_peer_over_xlac")
    m = out["machine"]
    lim = out["limits"]
    vers = ", ".join(f"{k} {v}" for k, v in sorted(out.get("versions", {}).items()))
    foreign = max((s.get("foreign_cores_max", 0) for w in out["workloads"].values()
                   for s in list(w["systems"].values()) + list(w["onnx"].values())), default=0)
    return [
        f"Geometric mean of best-peer time / xlac time: "
        + ("-" if g is None else f"**{g:.2f}x**") + " (> 1: xlac faster than the best peer).",
        f"Date: {out['date_utc']}; machine: {m.get('Model name', '?')}, "
        f"{m.get('CPU(s)', m.get('nproc'))} CPUs ({m.get('Socket(s)', '?')} socket x "
        f"{m.get('Core(s) per socket', '?')} cores x {m.get('Thread(s) per core', '?')} threads), "
        f"{m.get('Hypervisor vendor', 'no') + ' VM' if m.get('Hypervisor vendor') else 'bare metal'}; "
        f"xlac {out['xlac'].get('commit', '?')}{' (dirty tree)' if out['xlac'].get('dirty') else ''}; "
        f"{vers}.",
        f"Command: `{out['command']}` (rounds: {out['settings']['rounds']}, timed calls per "
        f"system and round: {out['settings']['reps']}; time = median of the round medians; "
        f"took {out['duration_s']:.0f} s). Max CPU used by other processes during a timed "
        f"subprocess: {foreign:.2f} cores.",
        f"Limits ({lim['source']}): memory-bound rows vs STREAM triad "
        f"{lim['stream_triad_GBps']} GB/s (reduce: read {lim['read_GBps']} GB/s), compute rows vs "
        f"f32 FMA peak {lim['fma_f32_GFLOPs']} GFLOP/s; GB/s = compulsory bytes (inputs + output "
        f"once) / time, GFLOP/s = nominal flops / time. XLA compile = `jit(f).lower(...).compile()`; "
        f"xlac compile = `compile_ms` of `xlac bench` (parse to machine code, median of 10 "
        f"compiles in one process; creating the executable is its `load_ms`). max abs diff: xlac's output vs numpy "
        f"float32; (!) = more than max(10x numpy's own error, 1e-5 x max|y|) from a float64 "
        f"reference.",
    ]


def text_table(out: dict) -> str:
    notes = Notes()
    blocks = [_aligned(HEADER, main_rows(out, notes))]
    orows = onnx_rows(out, notes)
    if orows:
        blocks.append(_aligned(ONNX_HEADER, orows))
    tail = _summary_lines(out)[:1] + [f"[{i + 1}] {n}" for i, n in enumerate(notes.items)]
    return "\n\n".join(blocks) + "\n\n" + "\n".join(tail)


def markdown(out: dict) -> str:
    notes = Notes()
    smoke = " (smoke run: not representative)" if out["settings"].get("smoke") else ""
    lines = [f"### xlac vs peers, {out['date_utc']}{smoke}", "", _md(HEADER, main_rows(out, notes)), ""]
    orows = onnx_rows(out, notes)
    if orows:
        lines += [_md(ONNX_HEADER, orows), ""]
    lines += [l + "\n" for l in _summary_lines(out)]
    if notes.items:
        lines += [f"[{i + 1}] {n}  " for i, n in enumerate(notes.items)]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "results", "latest.json")
    with open(path) as f:
        print(markdown(json.load(f)))


if __name__ == "__main__":
    main()
