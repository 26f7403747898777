"""The verdict table of `ringlab answer` (DIR/verdicts.json, results/SCHEMA.md): read it
and render one line per question and metric, first in the report."""
import json
import math
import os

from . import doc as D
from . import plots

VERDICT_FILE = "verdicts.json"


def find(run_path):
    """verdicts.json in the run directory or its answer/ subdirectory, or None."""
    for p in (os.path.join(run_path, VERDICT_FILE), os.path.join(run_path, "answer", VERDICT_FILE)):
        if os.path.isfile(p):
            return p
    return None


def load(path):
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    if d.get("schema") != "ringlab-verdicts":
        raise ValueError(f"{path}: not a ringlab verdicts file (schema {d.get('schema')!r})")
    return d


def _ratio(v):
    lo, hi = (v.get("ci") or [None, None])[:2]
    r = v.get("ratio")
    if r is None or hi is None or lo is None or not math.isfinite(hi):
        return "-"
    # Three decimals are as far as a ratio measured to +-1% deserves.
    return f"{r:.3f} [{lo:.3f}, {hi:.3f}]"


def _mde(v):
    m = v.get("mde_pct")
    return "-" if m is None else f"{m:.1f}%"


def blocks(d, source=""):
    """Heading, machine line, the table, and the flags, as doc blocks."""
    m = d.get("machine", {})
    load_avg = m.get("load_average_1min")
    load_s = "" if load_avg is None else f", load average {load_avg:.2f} at the start"
    cpus = ",".join(str(c) for c in m.get("cpus", []))
    machine = f"{m.get('cpu_model', 'unknown CPU')} CPUs {cpus}"
    o = d.get("options", {})
    out = [D.Heading(2, "Verdicts"),
           D.Para(f"Paired, interleaved A/B slices in one process on {machine}{load_s}; budget "
                  f"{o.get('budget_s')} s per question, stop at +-{o.get('target_pct')}%, equivalence margin "
                  f"+-{o.get('threshold_pct')}%. Ratio = B/A of a cost (above 1: B costs more), 95% interval; "
                  f"mde = the smallest effect the measurement finds 80% of the time."
                  + (f" Source: {source}." if source else ""), "note")]
    rows, bad, good = [], set(), set()
    for i, v in enumerate(d.get("verdicts", [])):
        flagged = " [FLAGGED]" if v.get("flags") else ""
        rows.append([v.get("id", ""), f"{v.get('b', '')} vs {v.get('a', '')}", v.get("verdict", "") + flagged,
                     v.get("words", ""), _ratio(v), v.get("pairs", 0), _mde(v), machine])
        if v.get("flags"):
            bad.add(i)
        elif v.get("verdict") in ("slower", "faster", "equivalent"):
            good.add(i)
    out.append(D.Table(["question/metric", "B vs A", "verdict", "in words", "B/A [95% CI]", "pairs", "mde",
                        "machine"], rows, bad_rows=bad, good_rows=good))
    flags = [f"{v['id']}: {f}" for v in d.get("verdicts", []) for f in v.get("flags", [])]
    if flags:
        out.append(D.Details(f"{len(flags)} plausibility flags", [D.Para(f, "warn") for f in flags]))
    cal = d.get("calibration")
    if cal:
        lines = []
        for g in cal.get("groups", []):
            if g["planted_pct"] == 0:
                lines.append(f"A/A: {g['false_verdicts']} false verdicts in {g['trials']} trials")
            else:
                lines.append(f"planted {g['planted_pct']:g}%: found in {g['detected']} of {g['trials']} trials, "
                             f"wrong direction {g['false_verdicts']}")
        res = cal.get("resolved_pct")
        lines.append("smallest planted effect found in every trial: " + ("none" if res is None else f"{res:g}%"))
        out.append(D.Para("Calibration: " + "; ".join(lines) + ".", "note"))
    return out


def figure(d, figdir):
    """Ratio bars (log axis centred on 1) of every verdict with an interval, coloured by verdict."""
    rows, words = [], []
    for v in d.get("verdicts", []):
        lo, hi = (v.get("ci") or [None, None])[:2]
        if v.get("ratio") is None or lo is None or hi is None or lo <= 0:
            continue
        rows.append((v["id"], v["ratio"], lo, hi))
        words.append(v.get("verdict", "inconclusive"))
    if not rows:
        return None
    os.makedirs(figdir, exist_ok=True)
    return plots.ratio_bars(rows, "ringlab answer: B/A per question with its 95% interval", figdir, "verdicts",
                            verdicts=words)
