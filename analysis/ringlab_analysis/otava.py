"""`ringlab-report history --format otava`: each machine's series for Apache Otava's CSV importer.

Otava's CSV importer (its docs/CSV.md and otava/importer.py) reads a header row, a time
column parsed by `dateparser`, attribute columns copied as text, and one metric per column,
each cell converted with float(): an empty cell is an import error.  So, per machine:

  <machine>.csv   time,commit,run_id,<configuration>,<configuration>,...
                  one row per run in time order; a cell is that run's median ns per buffer
  otava.yaml      one Otava test per machine (type csv, time_column, attributes, metrics)

A configuration that a run of the machine did not measure cannot be a column (the importer
has no "missing"): such configurations are left out of that machine's file and named in
otava.yaml and on the console.  Times are UTC, written as Otava's own example data writes
them: `YYYY-MM-DD HH:MM:SS +0000`.
"""
from __future__ import annotations

import csv
import os
import re
from datetime import timezone

import numpy as np

from .load import samples_by_key

TIME_COLUMN = "time"
ATTRIBUTES = ("commit", "run_id")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S %z"


def _slug(machine_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", machine_id) or "machine"


def machine_series(runs) -> dict:
    """{machine_id: (dated runs in time order, [configurations measured in every one of them],
    [configurations left out], [runs without a date])}."""
    by_machine = {}
    for r in runs:
        by_machine.setdefault(r.machine_id, []).append(r)
    out = {}
    for m, rs in sorted(by_machine.items()):
        dated = sorted((r for r in rs if r.date is not None), key=lambda r: (r.date, r.run_id))
        undated = [r for r in rs if r.date is None]
        per_run = [samples_by_key(r.entries) for r in dated]
        every = set.intersection(*(set(s) for s in per_run)) if per_run else set()
        anywhere = set().union(*(set(s) for s in per_run)) if per_run else set()
        out[m] = (dated, sorted(every), sorted(anywhere - every), undated)
    return out


def write(runs, outdir) -> dict:
    os.makedirs(outdir, exist_ok=True)
    series = machine_series(runs)
    tests, notes, files = [], [], []
    for m, (dated, keys, left_out, undated) in series.items():
        name = _slug(m)
        path = os.path.join(outdir, f"{name}.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow([TIME_COLUMN, *ATTRIBUTES, *keys])
            for r in dated:
                s = samples_by_key(r.entries)
                when = r.date.astimezone(timezone.utc).strftime(TIME_FORMAT)
                w.writerow([when, r.git_revision, r.run_id, *(repr(float(np.median(s[k]))) for k in keys)])
        files.append(path)
        tests.append((name, os.path.basename(path), keys))
        if left_out:
            notes.append(f"{m}: {len(left_out)} configuration(s) not measured in every run left out: "
                         + ", ".join(left_out))
        if undated:
            notes.append(f"{m}: {len(undated)} run(s) without context.date left out: "
                         + ", ".join(r.run_id for r in undated))
    ypath = os.path.join(outdir, "otava.yaml")
    with open(ypath, "w", encoding="utf-8") as f:
        f.write("# Apache Otava configuration for the CSV files beside it (ringlab-report history"
                " --format otava).\n# Metrics: median ns per buffer of each run (lower is better).\n")
        for n in notes:
            f.write(f"# {n}\n")
        f.write("tests:\n")
        for name, fname, keys in tests:
            f.write(f"  {name}:\n    type: csv\n    file: {fname}\n    time_column: {TIME_COLUMN}\n"
                    f"    attributes: [{', '.join(ATTRIBUTES)}]\n    metrics:\n")
            for k in keys:
                # direction -1: a rise of ns per buffer is a regression.
                f.write(f'      "{k}":\n        column: "{k}"\n        direction: -1\n')
            f.write("    csv_options:\n      delimiter: \",\"\n      quote_char: \"'\"\n")
    return {"files": files, "config": ypath, "notes": notes}
