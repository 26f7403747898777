"""`history`: the runs of one machine in time order, with change points per configuration."""
from __future__ import annotations

import os
from datetime import datetime, timezone

import numpy as np

from . import changepoint
from . import doc as D
from . import html, plots
from .load import samples_by_key
from .outfiles import write_text

MAX_QUIET_PLOTS = 20   # series without change points plotted (all series with one are plotted)


def order_runs(runs):
    """By context.date; runs without a date go last, then by git revision and run id."""
    far = datetime.max.replace(tzinfo=timezone.utc)
    return sorted(runs, key=lambda r: (r.date or far, r.git_revision, r.run_id))


def series_of(runs):
    """{config key: [(run index, median, q25, q75)]} over the ordered runs."""
    out = {}
    for i, r in enumerate(runs):
        for k, v in samples_by_key(r.entries).items():
            out.setdefault(k, []).append((i, float(np.median(v)), float(np.percentile(v, 25)),
                                          float(np.percentile(v, 75))))
    return out


def analyse(runs):
    runs = order_runs(runs)
    found = []   # (key, points, change points)
    for key, pts in sorted(series_of(runs).items()):
        vals = [p[1] for p in pts]
        cps = changepoint.e_divisive(vals, rng=np.random.default_rng(len(vals)))
        found.append((key, pts, cps))
    return runs, found


def build(runs, outdir) -> dict:
    os.makedirs(outdir, exist_ok=True)
    figdir = os.path.join(outdir, "figures")
    runs, found = analyse(runs)
    blocks = [D.Heading(1, "ringlab history"),
              D.Para(f"{len(runs)} runs ordered by date, first {runs[0].context.get('date', '?')}, "
                     f"last {runs[-1].context.get('date', '?')}. Change points: {changepoint.METHOD_NAME}, "
                     f"significance level {changepoint.SIG_LEVEL}, {changepoint.N_PERMUTATIONS} permutations, "
                     f"minimum segment {changepoint.MIN_SEGMENT} runs, on the median ns per buffer of each run.")]
    machines = sorted({r.machine_id for r in runs})
    if len(machines) > 1:
        blocks.append(D.Para(f"several machines mixed in one history: {', '.join(machines)}", "warn"))
    if any(r.emulated for r in runs):
        blocks.append(D.Para("EMULATED runs included: their timings are meaningless.", "warn"))
    rows, bad = [], set()
    for key, pts, cps in found:
        vals = [p[1] for p in pts]
        for cp in cps:
            before, after = runs[pts[cp.index - 1][0]], runs[pts[cp.index][0]]
            m0, m1 = np.median(vals[:cp.index]), np.median(vals[cp.index:])
            if m1 > m0:
                bad.add(len(rows))
            rows.append([key, after.context.get("date", "?"), f"{before.git_revision}..{after.git_revision}",
                         f"{m0:.4g}", f"{m1:.4g}", f"{(m1 / m0 - 1) * 100:+.1f}%", f"{cp.p_value:.3g}"])
    blocks.append(D.Heading(2, "Change points"))
    if rows:
        blocks.append(D.Table(["configuration", "first run after", "commit range", "median before",
                               "median after", "change", "p (permutation)"], rows, bad_rows=bad))
    else:
        blocks.append(D.Para("No significant change point in any configuration."))
    blocks.append(D.Heading(2, "Series"))
    quiet = 0
    for key, pts, cps in found:
        if not cps:
            if quiet >= MAX_QUIET_PLOTS or len(pts) < 2:
                continue
            quiet += 1
        labels = [f"{runs[p[0]].context.get('date', '?')[:10]} {runs[p[0]].git_revision[:8]}" for p in pts]
        png = plots.series(labels, [p[1] for p in pts], [c.index for c in cps],
                           f"{key} ({len(cps)} change point(s))", figdir, "hist_" + key,
                           spread=([p[2] for p in pts], [p[3] for p in pts]))
        blocks.append(D.Image(png, f"{key}: median ns per buffer per run, IQR band, change points dashed",
                              os.path.relpath(png, outdir)))
    md, ht = os.path.join(outdir, "history.md"), os.path.join(outdir, "history.html")
    write_text(md, D.to_markdown(blocks))
    write_text(ht, html.to_html("ringlab history", blocks))
    return {"markdown": md, "html": ht, "change_points": rows}
