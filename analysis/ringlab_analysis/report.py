"""`report`: one Markdown + self-contained HTML report (and the PNGs) from one or more runs."""
from __future__ import annotations

import os

import numpy as np

from . import doc as D
from . import envdiff, fmt, html, plots, questions, verdicts
from .compare import correctness_failures, failures_table
from .load import median_of
from .outfiles import write_text


def groups_of(runs):
    """(label, entries) per architecture + machine + placement; emulated runs marked in the label."""
    out = {}
    for r in runs:
        for e in r.entries:
            lbl = f"{r.arch} {r.machine_id} placement:{e.axis('placement', '?')}"
            if r.emulated:
                lbl += " [EMULATED]"
            out.setdefault(lbl, []).append(e)
    return sorted(out.items())


def _runs_table(runs):
    rows = [[r.run_id, r.machine_id, r.arch, "YES (timings meaningless)" if r.emulated else "no",
             r.preset or (r.rl.get("spec_file") or "-"), r.context.get("date", "-"), r.git_revision,
             len(r.entries), "yes" if r.rl.get("complete", True) else "NO (interrupted)"] for r in runs]
    return D.Table(["run", "machine", "arch", "emulated", "preset/spec", "date", "git", "repetitions", "complete"],
                   rows, bad_rows={i for i, r in enumerate(runs) if r.emulated or not r.rl.get("complete", True)})


def _environment(runs):
    blocks = [D.Heading(2, "Environment")]
    for r in runs:
        env, pmu = r.env, r.rl.get("pmu") or {}
        timer = env.get("timer") or {}
        blocks.append(D.Heading(3, f"{r.run_id} ({r.label})"))
        rows = [["machine", r.machine_id], ["host", r.context.get("host_name", "-")],
                ["CPU", f"{env.get('cpu_vendor', '-')} {env.get('cpu_model', '-')} ({env.get('microarch', '-')})"],
                ["arch", r.arch],
                ["CPUs online / cores / SMT", " / ".join(fmt.value(env.get(k)) for k in ("online_cpus", "cores", "smt"))],
                ["kernel", fmt.value(env.get("kernel"))],
                ["governor / boost", f"{fmt.value(env.get('governor'))} / {fmt.value(env.get('boost'))}"],
                ["isolcpus / nohz_full", f"{env.get('isolcpus') or '-'} / {env.get('nohz_full') or '-'}"],
                ["virtualized", f"{fmt.value(env.get('virtualized'))} {env.get('hypervisor') or ''}".strip()],
                ["compiler", f"{env.get('compiler', '-')} {env.get('compiler_flags', '')} ({env.get('build_type', '-')})"],
                ["ringlab / git", f"{env.get('ringlab_version', '-')} / {r.git_revision}"],
                ["timer", f"{fmt.value(timer.get('name'))} at {fmt.hz(timer.get('freq_hz'))}, "
                          f"counts core cycles: {fmt.value(timer.get('core_cycles'))}"],
                ["PMU", "available" if pmu.get("hardware_available") else f"NOT available: {pmu.get('reason', 'no reason recorded')}"],
                ["emulated", "YES: qemu-user, timings meaningless" if r.emulated else "no"]]
        blocks.append(D.Table(["field", "value"], rows, bad_rows={len(rows) - 1} if r.emulated else set()))
        for w in r.rl.get("warnings") or []:
            blocks.append(D.Para(str(w), "warn"))
        moved = _floor_moves(r)
        if moved:
            blocks.append(D.Para(moved, "warn"))
    return blocks


def _floor_moves(run) -> str:
    """Each repetition brackets its window with the CPU pair's floor (entry.ringlab.floor);
    says how many saw the machine change speed under them, and the floors' spread."""
    floors = [e.ringlab["floor"] for e in run.entries if isinstance(e.ringlab.get("floor"), dict)]
    moved = sum(1 for f in floors if f.get("moved"))
    if not moved:
        return ""
    values = [v for f in floors for v in (f.get("before_ns"), f.get("after_ns")) if isinstance(v, (int, float))]
    return (f"Speed changes: in {moved} of {len(floors)} repetitions the CPU pair's cache-line round trip "
            f"(measured right before and right after the window) moved by more than 25%, so the machine "
            f"changed speed under them and their figures mix two speeds. Floors seen in this run: "
            f"{min(values):.0f} to {max(values):.0f} ns. Trust comparisons made within one interleaved run "
            f"(medians of repetitions), not single figures.")


def data_problems_blocks(runs) -> list:
    """What could not be trusted in the files, named at the top of a report (or comparison)."""
    probs = [(r.run_id, p) for r in runs for p in r.problems]
    if not probs:
        return []
    blocks = [D.Heading(2, "Data problems"),
              D.Para(f"{len(probs)} problem(s) in the results files: the repetitions named here are left out of "
                     "every statistic and count as correctness failures.", "bad")]
    blocks.append(D.Table(["run", "problem"], [list(p) for p in probs], bad_rows=set(range(len(probs)))))
    return blocks


def _contention(runs) -> list:
    """Repetitions whose driver or device lost a share of the window to other work."""
    es = [e for r in runs for e in r.entries]
    flagged = [e for e in es if e.ringlab.get("contended") is True]
    if not flagged:
        return []
    keys = sorted({e.key for e in flagged})
    return [D.Para(f"Contended: {len(flagged)} of {len(es)} repetitions had their driver or device lose more "
                   f"than the set share of the window to other work (involuntary context switches, run-queue "
                   f"wait, steal); their figures are not the ring's alone. Configurations: "
                   f"{', '.join(keys[:10])}{' ...' if len(keys) > 10 else ''}", "warn")]


def _correctness(runs):
    fails = correctness_failures(runs)
    blocks = [D.Heading(2, "Correctness")]
    if not fails:
        n = sum(len(r.entries) for r in runs)
        if any(r.problems for r in runs):   # a clean bill only for files that could be read whole
            blocks.append(D.Para(f"No verification errors or lost notifications in the {n} readable repetitions, "
                                 "but the files have data problems (above): not verified.", "bad"))
            return blocks
        blocks.append(D.Para(f"All {n} repetitions verified: no verification errors, no lost notifications."))
        return blocks
    blocks.append(D.Para(f"{len(fails)} repetition(s) with verification errors or lost notifications:", "bad"))
    blocks.append(failures_table(fails))
    return blocks


def _config_table(runs):
    by = {}
    for r in runs:
        for e in r.entries:
            by.setdefault((r.label, e.key), []).append(e)
    rows = []
    items = sorted(by.items())
    # Rows name only the axes that differ; what they share is said once, above the table.
    common, keys = fmt.trim_labels([key for (_, key), _ in items])
    for ((lbl, _), es), key in zip(items, keys):
        ns = [e.ns_per_buffer for e in es if e.ns_per_buffer is not None]
        def med(m):
            return fmt.sig(median_of(es, m))
        rows.append([lbl, key, len(es), fmt.sig(float(np.median(ns))) if ns else "-",
                     fmt.sig(float(np.percentile(ns, 75) - np.percentile(ns, 25))) if ns else "-",
                     med("cpu_ns_per_buffer"), med("kicks_per_buffer"), med("latency_p99_ns"), med("efficiency")])
    table = D.Table(["run", "configuration", "reps", "ns per buffer (median)", "IQR, ns", "CPU ns per buffer",
                     "kicks per buffer", "p99 latency, ns", "efficiency (floor round trip / ns per buffer; higher is better)"], rows)
    if not common:
        return [table]
    return [D.Para(f"Every configuration below shares {common.replace('/', ', ')}; the rows name the rest."), table]


def _verdict_blocks(runs, figdir):
    """The verdict table of `ringlab answer`, first: from verdicts.json beside each run."""
    out = []
    for r in runs:
        path = verdicts.find(r.path)
        if path:
            d = verdicts.load(path)
            out += verdicts.blocks(d, os.path.relpath(path, r.path))
            png = verdicts.figure(d, figdir)
            if png:
                out.append(D.Image(png, "B/A per question, log axis centred on 1, coloured by verdict"))
    return out


def build(runs, outdir) -> dict:
    """Writes report.md, report.html and figures/*.png under outdir; returns their paths."""
    os.makedirs(outdir, exist_ok=True)
    figdir = os.path.join(outdir, "figures")
    blocks = [D.Heading(1, "ringlab report")]
    blocks += data_problems_blocks(runs)
    blocks += _verdict_blocks(runs, os.path.join(outdir, "figures"))
    blocks.append(_runs_table(runs))
    blocks += envdiff.blocks(runs)   # several machines: how they differ comes before any figure
    blocks += _contention(runs)
    if any(r.emulated for r in runs):
        blocks.append(D.Para("Some runs are EMULATED (qemu-user): they prove behaviour, their timings are "
                             "meaningless; they are marked [EMULATED] in every figure and table.", "warn"))
    blocks += _correctness(runs)
    blocks.append(D.Heading(2, "Questions answered"))
    blocks.append(D.Para("Ratios are geometric means over configurations that differ only in the compared axis, "
                         "with 95% bootstrap confidence intervals over repetitions.", "note"))
    for q in questions.QUESTIONS:
        blocks += questions.answer(q, runs, figdir)
    groups = groups_of(runs)
    blocks.append(D.Heading(2, "Figures"))
    for title, fn in (("Barrier x layout heatmaps", plots.heatmaps), ("Cost against batch size", plots.cost_vs_batch),
                      ("Latency", plots.latency), ("Per-role CPU time and PMU counters", plots.role_bars)):
        blocks.append(D.Heading(3, title))
        try:
            figs = fn(groups, figdir)
        except (ValueError, TypeError, KeyError, IndexError) as e:
            # Any subset of axes, any partial run: a figure that cannot be drawn is a note, not a crash.
            figs = [(None, f"{title} left out: these runs do not give it enough data ({type(e).__name__}: {e})")]
        if not figs:
            blocks.append(D.Para("no data for this figure in these runs", "note"))
        for path, cap in figs:
            blocks.append(D.Image(path, cap) if path else D.Para(cap, "note"))
    blocks += _environment(runs)
    blocks.append(D.Heading(2, "All configurations"))
    blocks.append(D.Details("median per configuration", _config_table(runs)))
    for b in _walk(blocks):
        if isinstance(b, D.Image):
            b.rel = os.path.relpath(b.path, outdir)
    md = os.path.join(outdir, "report.md")
    ht = os.path.join(outdir, "report.html")
    write_text(md, D.to_markdown(blocks))
    write_text(ht, html.to_html("ringlab report", blocks))
    return {"markdown": md, "html": ht, "figures": figdir}


def _walk(blocks):
    for b in blocks:
        yield b
        if isinstance(b, D.Details):
            yield from _walk(b.blocks)
