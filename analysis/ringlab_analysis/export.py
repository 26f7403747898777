"""`ringlab-report export`: results as flat rows for pandas, spreadsheets and databases.

One row per repetition (results/SCHEMA.md, "Exports"): identity columns, then every
configuration axis of entry.ringlab.config as its own column, then placement and floor, then
every counter any entry has.  A second file holds the latency percentiles of each repetition
that measured latency.  Columns are the same for CSV and JSON Lines; a value that was not
measured is an empty CSV cell / a JSON null, never an invented number.
"""
from __future__ import annotations

import csv
import json
import os

from .load import BadInput, histogram_summaries

FORMATS = ("csv", "jsonl")

# Identity of a row, in this order, before the axes.
ID_COLUMNS = ("run_id", "machine_id", "git_revision", "date", "preset", "arch", "cpu_model",
              "configuration", "repetition", "valid", "error", "problems")
# After the axes: where it ran and the floor it was measured against.
PLACE_COLUMNS = ("driver_cpu", "device_cpu", "relation", "row",
                 "floor_before_ns", "floor_after_ns", "floor_moved")
LATENCY_COLUMNS = ("run_id", "machine_id", "git_revision", "configuration", "repetition",
                   "count", "min_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns")
# Axis columns are prefixed so that an axis never collides with a counter or an id column.
AXIS_PREFIX = "axis_"


def latency_path(out: str) -> str:
    """rows.csv -> rows-latency.csv (the second file; same format)."""
    stem, ext = os.path.splitext(out)
    return f"{stem}-latency{ext}"


def _axis_names(runs) -> list:
    """Config fields in the order the first entry that has them lists them, then any others."""
    seen = []
    for r in runs:
        for e in r.entries:
            for k in (e.ringlab.get("config") or {}):
                if k not in seen:
                    seen.append(k)
    return seen


def _counter_names(runs) -> list:
    return sorted({k for r in runs for e in r.entries for k in e.counters})


def rows(runs):
    """(columns, [dict per repetition])."""
    axes = _axis_names(runs)
    counters = _counter_names(runs)
    columns = list(ID_COLUMNS) + [AXIS_PREFIX + a for a in axes] + list(PLACE_COLUMNS) + \
        ["ns_per_buffer"] + [c for c in counters if c != "ns_per_buffer"]
    out = []
    for r in runs:
        for e in r.entries:
            rl = e.ringlab
            cfg = rl.get("config") or {}
            cpus = rl.get("cpus") if isinstance(rl.get("cpus"), list) else [None, None]
            floor = rl.get("floor") if isinstance(rl.get("floor"), dict) else {}
            problems = rl.get("problems") if isinstance(rl.get("problems"), list) else []
            row = {"run_id": r.run_id, "machine_id": r.machine_id, "git_revision": r.git_revision,
                   "date": r.context.get("date"), "preset": r.preset, "arch": r.env.get("arch"),
                   "cpu_model": r.env.get("cpu_model"), "configuration": e.key, "repetition": e.repetition,
                   "valid": e.valid and not e.has_correctness_failure, "error": e.error,
                   "problems": "; ".join(str(p) for p in problems)}
            for a in axes:
                row[AXIS_PREFIX + a] = cfg.get(a)
            row.update({"driver_cpu": cpus[0] if len(cpus) > 0 else None,
                        "device_cpu": cpus[1] if len(cpus) > 1 else None,
                        "relation": rl.get("relation"), "row": rl.get("row"),
                        "floor_before_ns": floor.get("before_ns"), "floor_after_ns": floor.get("after_ns"),
                        "floor_moved": floor.get("moved")})
            row["ns_per_buffer"] = e.ns_per_buffer
            for c in counters:
                if c != "ns_per_buffer":
                    row[c] = e.counters.get(c)
            out.append(row)
    return columns, out


def latency_rows(runs):
    out = []
    for r in runs:
        for (name, rep), lat in sorted(histogram_summaries(r.path).items()):
            out.append({"run_id": r.run_id, "machine_id": r.machine_id, "git_revision": r.git_revision,
                        "configuration": name, "repetition": rep, "count": lat.get("count"),
                        "min_ns": lat.get("min"), "p50_ns": lat.get("p50"), "p90_ns": lat.get("p90"),
                        "p99_ns": lat.get("p99"), "p999_ns": lat.get("p999"), "max_ns": lat.get("max")})
    return list(LATENCY_COLUMNS), out


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def _write(path, fmt, columns, items):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        if fmt == "csv":
            w = csv.writer(f)
            w.writerow(columns)
            for it in items:
                w.writerow([_cell(it.get(c)) for c in columns])
        else:
            for it in items:
                f.write(json.dumps({c: it.get(c) for c in columns}, allow_nan=False) + "\n")
    os.replace(tmp, path)   # a reader never sees half a file


def export(runs, fmt: str, out: str) -> dict:
    if fmt not in FORMATS:
        raise BadInput(f"--format {fmt!r} is not valid (valid: {', '.join(FORMATS)})")
    parent = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(parent):
        raise BadInput(f"--out {out}: directory {parent} does not exist")
    cols, items = rows(runs)
    lcols, litems = latency_rows(runs)
    _write(out, fmt, cols, items)
    lpath = latency_path(out)
    _write(lpath, fmt, lcols, litems)
    return {"rows": out, "n_rows": len(items), "latency": lpath, "n_latency": len(litems)}
