"""Figures (matplotlib, Agg backend: reports are built on headless CI machines).

Every function takes *groups*: a list of (label, entries) where one group is one
architecture + machine + placement (+ an EMULATED mark), so the same figure shows several
machines side by side.  Each returns a list of (png_path, caption).  Values are medians over
repetitions; nothing here computes statistics beyond that.
"""
from __future__ import annotations

import os
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.colors import LogNorm  # noqa: E402
import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402

from . import fmt
from .load import median_of, vocabulary_of  # noqa: E402
from .outfiles import save_figure  # noqa: E402

DPI = 90
MAX_SERIES = 12


def _order(entries, field):
    """The values of a configuration field among entries, in the vocabulary's order."""
    return vocabulary_of(entries).order(field, [e.axis(field, "?") for e in entries])


def _natkey(v):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(v))]


def _slug(s):
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(s)).strip("_")[:80]


def _save(fig, outdir, name):
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, _slug(name) + ".png")
    try:
        save_figure(fig, path, dpi=DPI, bbox_inches="tight")   # temp + rename: never a truncated PNG
    finally:
        plt.close(fig)
    return path


def _text_colour(rgba):
    """Black on light cells, white on dark ones (relative luminance)."""
    r, g, b = rgba[:3]
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5 else "white"


# The fields a heatmap or a batch curve spreads out; every other axis stays at its default.
STANDARD_AXES = {"layout", "barrier", "notify", "batch", "ring_size", "placement"}


def _plain(entries):
    """Entries at the default of every extra axis (kick_mode, device_access, ...) and the most
    common ring size, so a heatmap cell or a line never mixes configurations."""
    es = [e for e in entries if all(e.at_default(a) for a in e.vocabulary.axes() if a not in STANDARD_AXES)]
    es = es or list(entries)
    rings = [e.axis("ring_size", "?") for e in es]
    common = max(set(rings), key=rings.count) if rings else None
    return [e for e in es if e.axis("ring_size", "?") == common]


def _by(entries, *axes):
    out = {}
    for e in entries:
        out.setdefault(tuple(e.axis(a, "?") for a in axes), []).append(e)
    return out


def _reference(values, preferred):
    """The reference cell's key: the preferred one where it was measured, else the first."""
    return preferred if preferred in values else (sorted(values)[0] if values else None)


def heatmaps(groups, outdir):
    """ns per buffer over barrier x layout, one figure per notify mode and batch.

    Colour is the ratio to a stated reference cell (barrier smp, layout split, where
    measured) on a log scale centred on 1 and shared by every panel, so equal colours mean
    equal ratios; each cell prints its ns and its ratio."""
    figs = []
    combos = sorted({(e.axis("notify", "?"), e.axis("batch", "?")) for _, es in groups for e in es},
                    key=lambda t: (t[0], _natkey(t[1])))
    for notify, batch in combos:
        sub = [(lbl, [e for e in _plain(es) if e.axis("notify", "?") == notify and e.axis("batch", "?") == batch])
               for lbl, es in groups]
        sub = [(lbl, es) for lbl, es in sub if es]
        if not sub:   # the pair exists only with non-default extra axes: nothing comparable to draw
            figs.append((None, f"heatmap notify {notify}, batch {batch} left out: no configuration at the "
                               f"default extra axes and common ring size"))
            continue
        panels = []
        for lbl, es in sub:
            layouts, barriers = _order(es, "layout"), _order(es, "barrier")
            cells = _by(es, "barrier", "layout")
            ns = {k: median_of(v, "ns_per_buffer") for k, v in cells.items()}
            ns = {k: v for k, v in ns.items() if v is not None and v > 0}
            ref = _reference(ns, ("smp", "split"))
            panels.append((lbl, layouts, barriers, ns, ref))
        ratios = [v / p[3][p[4]] for p in panels if p[4] for v in p[3].values()]
        if not ratios:
            figs.append((None, f"heatmap notify {notify}, batch {batch} left out: no ns per buffer measured"))
            continue
        span = max(1.05, max(max(ratios), 1 / min(ratios)))
        norm = LogNorm(vmin=1 / span, vmax=span)
        fig, axs = plt.subplots(1, len(panels), figsize=(5.2 * len(panels) + 1, 4.8), squeeze=False)
        for col, (lbl, layouts, barriers, ns, ref) in enumerate(panels):
            ax = axs[0][col]
            m = np.full((len(barriers), len(layouts)), np.nan)
            for i, b in enumerate(barriers):
                for j, lay in enumerate(layouts):
                    if (b, lay) in ns:
                        m[i, j] = ns[(b, lay)] / ns[ref]
            im = ax.imshow(m, cmap="RdBu_r", norm=norm, aspect="auto")
            cb = fig.colorbar(im, ax=ax, shrink=0.8, label=f"ratio to {ref[0]}/{ref[1]} (log scale)")
            ticks = [1 / span, span ** -0.5, 1.0, span ** 0.5, span]
            cb.ax.minorticks_off()
            cb.set_ticks(ticks)
            cb.set_ticklabels([f"{t:.2f}x" for t in ticks])
            for i, b in enumerate(barriers):
                for j, lay in enumerate(layouts):
                    if not np.isnan(m[i, j]):
                        ax.text(j, i, f"{ns[(b, lay)]:.3g} ns\n{m[i, j]:.2f}x", ha="center", va="center", fontsize=7,
                                color=_text_colour(im.cmap(im.norm(m[i, j]))))
            ax.set_xticks(range(len(layouts)), layouts, rotation=30)
            ax.set_yticks(range(len(barriers)), barriers)
            ax.set_title(f"{lbl}\nns per buffer; colour: ratio to barrier {ref[0]}, layout {ref[1]}", fontsize=8,
                         color="red" if "EMULATED" in lbl else "black")
        fig.tight_layout(rect=(0, 0, 1, 0.93))
        fig.suptitle(f"notify:{notify} batch:{batch} (median over repetitions; one colour scale for all panels)")
        figs.append((_save(fig, outdir, f"heatmap_{notify}_batch{batch}"),
                     f"ns per buffer over barrier x layout, notify {notify}, batch {batch}, coloured by the ratio "
                     f"to the reference cell"))
    return figs


def cost_vs_batch(groups, outdir):
    """ns/buffer against batch size, one line per layout (barrier smp where present)."""
    figs = []
    notifies = sorted({e.axis("notify", "?") for _, es in groups for e in es})
    for notify in notifies:
        fig, axs = plt.subplots(1, len(groups), figsize=(5.5 * len(groups), 4), squeeze=False)
        any_line = False
        for col, (lbl, es) in enumerate(groups):
            ax = axs[0][col]
            es = [e for e in _plain(es) if e.axis("notify", "?") == notify]
            barriers = {e.axis("barrier", "?") for e in es}
            bar = "smp" if "smp" in barriers else (sorted(barriers)[0] if barriers else "?")
            es = [e for e in es if e.axis("barrier", "?") == bar]
            layouts = _order(es, "layout")
            for (lay,), les in sorted(_by(es, "layout").items(), key=lambda kv: layouts.index(kv[0][0])):
                pts = []
                for (b,), bes in _by(les, "batch").items():
                    vals = [e.ns_per_buffer for e in bes if e.ns_per_buffer is not None]
                    if vals and b.isdigit():
                        pts.append((int(b), np.median(vals), np.percentile(vals, 25), np.percentile(vals, 75)))
                if len(pts) < 1:
                    continue
                pts.sort()
                x, y, lo, hi = map(np.array, zip(*pts))
                line = ax.errorbar(x, y, yerr=[y - lo, hi - y], marker="o", capsize=3, label=lay)
                # Every repetition as a faint point: the median line alone hides the spread.
                every = [(int(b), e.ns_per_buffer) for (b,), bes in _by(les, "batch").items() if b.isdigit()
                         for e in bes if e.ns_per_buffer is not None]
                ax.scatter([p[0] for p in every], [p[1] for p in every], s=8, alpha=0.35,
                           color=line[0].get_color(), zorder=1)
                any_line = True
            ax.set_xscale("log", base=2)
            ax.set_xlabel("batch")
            ax.set_ylabel("ns per buffer (median, IQR bars, dots: repetitions)")
            ax.set_title(f"{lbl}\nbarrier {bar}, notify {notify}", fontsize=8)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=8)
        if any_line:
            figs.append((_save(fig, outdir, f"batch_{notify}"), f"cost against batch size per layout, notify {notify}"))
        else:
            plt.close(fig)
    return figs


def _merged_histograms(runs_entries):
    """{config key: merged buckets} over repetitions (histograms.json side files)."""
    out = {}
    for e in runs_entries:
        h = e.run.histograms.get((e.key, e.repetition)) if e.run else None
        if h:
            acc = out.setdefault(e.key, {})
            for lo, hi, n in h:
                acc[(lo, hi)] = acc.get((lo, hi), 0) + n
    return out


def latency(groups, outdir):
    """Latency CDFs from histograms.json, or percentile bars from the counters if none."""
    figs = []
    for lbl, es in groups:
        hists = _merged_histograms(es)
        fig, ax = plt.subplots(figsize=(7.5, 4.5))
        if hists:
            keys = sorted(hists)[:MAX_SERIES]
            for k in keys:
                b = sorted(hists[k].items())
                upper = np.array([hi for (lo, hi), n in b])
                n = np.cumsum([n for _, n in b])
                ax.step(upper, n / n[-1], where="post", label=_short(k), lw=1)
            ax.set_xscale("log")
            ax.set_xlabel("round-trip latency, ns")
            ax.set_ylabel("fraction of buffers")
            ax.set_title(f"{lbl}: latency CDF" + (f" (first {MAX_SERIES} of {len(hists)})" if len(hists) > MAX_SERIES else ""),
                         fontsize=9)
            ax.legend(fontsize=6, loc="lower right")
        else:
            by = {}
            for e in es:
                by.setdefault((_short(e.key),), []).append(e)
            rows = []
            for k, ces in sorted(by.items()):
                ps = [median_of(ces, m) for m in ("latency_p50_ns", "latency_p99_ns", "latency_p999_ns")]
                if ps[0] is not None:
                    rows.append(("/".join(k), ps))
            if not rows:
                plt.close(fig)
                continue
            rows = rows[:MAX_SERIES]
            x = np.arange(len(rows))
            for i, name in enumerate(("p50", "p99", "p99.9")):
                ax.bar(x + (i - 1) * 0.27, [r[1][i] or 0 for r in rows], 0.27, label=name)
            ax.set_xticks(x, [r[0] for r in rows], rotation=60, ha="right", fontsize=7)
            ax.set_ylabel("latency, ns")
            ax.set_title(f"{lbl}: latency percentiles", fontsize=9)
            ax.legend(fontsize=8)
        figs.append((_save(fig, outdir, f"latency_{lbl}"), f"latency distribution, {lbl}"))
    return figs


def _short(key):
    parts = [p.split(":", 1)[1] if ":" in p else p for p in key.split("/")[1:]]
    return "/".join(parts)


def role_bars(groups, outdir, per_figure=30):
    """Per-role CPU time and PMU counters per buffer (driver vs device), every configuration:
    in figures of `per_figure`, labels naming only the axes that differ."""
    figs = []
    for lbl, es in groups:
        by = {}
        for e in es:
            by.setdefault(e.key, []).append(e)
        items = sorted(by.items())
        if not items:
            continue
        common, names = fmt.trim_labels([k for k, _ in items])
        pmu = sorted({k for e in es for k, v in e.counters.items()
                      if k.startswith("pmu_driver_") and v is not None})
        panels = [("driver_cpu_ns_per_buffer", "device_cpu_ns_per_buffer", "CPU ns per buffer")]
        panels += [(k, k.replace("pmu_driver_", "pmu_device_"), k[len("pmu_driver_"):] + " per buffer") for k in pmu[:5]]
        pages = range(0, len(items), per_figure)
        for page, start in enumerate(pages):
            chunk = items[start:start + per_figure]
            fig, axs = plt.subplots(len(panels), 1, figsize=(max(7, 0.35 * len(chunk) + 3), 3.2 * len(panels)),
                                    squeeze=False)
            x = np.arange(len(chunk))
            for ax, (dm, vm, title) in zip(axs[:, 0], panels):
                ax.bar(x - 0.2, [median_of(c, dm) or 0 for _, c in chunk], 0.4, label="driver")
                ax.bar(x + 0.2, [median_of(c, vm) or 0 for _, c in chunk], 0.4, label="device")
                ax.set_ylabel(title, fontsize=8)
                ax.set_xticks(x, names[start:start + per_figure], rotation=70, ha="right", fontsize=6)
                ax.legend(fontsize=7)
            part = f" ({start + 1}-{start + len(chunk)} of {len(items)})" if len(items) > per_figure else ""
            axs[0][0].set_title(f"{lbl}: per-role cost per buffer{part}" + (f"; all share {common}" if common else "")
                                + ("" if pmu else "; no PMU counters counted"), fontsize=8)
            suffix = f"_{page + 1}" if len(items) > per_figure else ""
            figs.append((_save(fig, outdir, f"roles_{lbl}{suffix}"),
                         f"per-role CPU time and PMU counters per buffer, {lbl}{part}"))
    return figs


VERDICT_COLOURS = {"slower": "#c44", "faster": "#4a4", "unchanged": "#999", "inconclusive": "#e9a23b",
                   "equivalent": "#5b8bd0"}


def ratio_bars(rows, title, outdir, name, verdicts=None):
    """Horizontal bars of ratios with CI whiskers; rows = [(label, ratio, lo, hi)].

    With verdicts (one per row), bars are coloured by verdict, not by the sign of the change,
    so a noisy 2% "slower" bar that is not significant does not look like a regression."""
    keep = [i for i, r in enumerate(rows) if r[1] is not None][:40]
    verdicts = [verdicts[i] for i in keep] if verdicts else None
    rows = [rows[i] for i in keep]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(rows) + 1.5))
    y = np.arange(len(rows))
    r = np.array([x[1] for x in rows])
    lo = np.array([x[2] for x in rows])
    hi = np.array([x[3] for x in rows])
    # Colour only where the interval excludes 1; grey where it crosses 1 (no evidence of a change).
    colours = ([VERDICT_COLOURS.get(v, "#999") for v in verdicts] if verdicts
               else ["#999" if l <= 1 <= h else ("#c44" if v > 1 else "#4a4") for v, l, h in zip(r, lo, hi)])
    ax.barh(y, r - 1, left=1, color=colours, alpha=0.6)
    if verdicts:
        from matplotlib.patches import Patch
        ax.legend(handles=[Patch(color=c, alpha=0.6, label=v) for v, c in VERDICT_COLOURS.items()],
                  fontsize=7, loc="best")
    ax.errorbar(r, y, xerr=[r - lo, hi - r], fmt="o", color="k", capsize=3, ms=3)
    ax.axvline(1, color="k", lw=0.8)
    # Ratios on a log axis centred on 1: x1.25 and x0.8 lie equally far from the middle.
    finite = np.concatenate([lo[np.isfinite(lo) & (lo > 0)], hi[np.isfinite(hi) & (hi > 0)], r[r > 0]])
    span = max(float(np.max(np.abs(np.log(finite)))) if finite.size else 0.0, np.log(1.02)) * 1.15
    ax.set_xscale("log")
    ax.set_xlim(np.exp(-span), np.exp(span))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.3g}"))
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_yticks(y, [x[0] for x in rows], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("ratio B/A, log scale (1 = equal; grey: the 95% interval includes 1)")
    ax.set_title(title, fontsize=9)
    return _save(fig, outdir, name)


def series(xlabels, values, change_points, title, outdir, name, spread=None):
    """One history series (median per run) with its change points as vertical lines."""
    fig, ax = plt.subplots(figsize=(9, 3.2))
    x = np.arange(len(values))
    ax.plot(x, values, "o-", ms=3, lw=1)
    if spread is not None:
        lo, hi = spread
        ax.fill_between(x, lo, hi, alpha=0.2)
    for cp in change_points:
        ax.axvline(cp - 0.5, color="r", ls="--")
    step = max(1, len(xlabels) // 15)
    ax.set_xticks(x[::step], [xlabels[i] for i in x[::step]], rotation=45, ha="right", fontsize=6)
    ax.set_ylabel("ns per buffer (median)")
    ax.set_title(title, fontsize=8)
    return _save(fig, outdir, name)
