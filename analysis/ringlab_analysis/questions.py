"""The "questions answered" section: one subsection per seed question (docs/questions.md).

Each answer is a *measured ratio* between configurations that differ in exactly one axis
(matched pairs), per architecture, as a geometric mean over the pairs with a bootstrap CI.
Conclusions state the figure; they never carry a verdict written in advance, because the
answer differs per machine and is what the user came to measure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from . import fmt, doc as D
from . import plots, stats
from .load import TIME_UNIT_NS

MICRO_HINT = ("`ringlab-micro --benchmark_repetitions=10 --benchmark_out=RUN_DIR/micro.json "
              "--benchmark_out_format=json` (primitive microbenchmarks; the report reads micro.json in a run dir)")
SITE_ALIASES = {"publish": "publish", "consume": "consume", "notify-check": "notify-check",
                "notify_check": "notify-check", "notifycheck": "notify-check", "notify": "notify-check"}


@dataclass
class Question:
    qid: str
    title: str
    seed: str
    presets: str             # which preset produces the data
    axis: str
    num: str                 # ratio numerator value of the axis
    den: str                 # denominator value
    default: str             # the axis value when it is absent from the name
    metrics: tuple = ("ns_per_buffer",)
    extra: tuple = ()        # further (num, den) pairs on the same axis
    where: tuple = ()        # (field, value, default) the entries asked must have, e.g. guest kvm


QUESTIONS = [
    Question("q1", "Mandatory vs SMP barriers, per site kind", "seed 000 (virtio RFC 2011), seed 004 (virt_mb)",
             "`seeds` (the `quick` preset covers the ring-level part)", "barrier", "mandatory", "smp", "smp"),
    # branch/ops carry their run-time choice (the `runtime` axis) in the compared value, so
    # "branch:mandatory" is set against compile-time "mandatory" and "branch:smp" against "smp".
    Question("q2", "Run-time barrier choice: branch vs ops table vs compile-time", "seed 000",
             "`seeds`", "barrier", "branch:smp", "smp", "smp",
             extra=(("ops:smp", "smp"), ("branch:mandatory", "mandatory"), ("ops:mandatory", "mandatory"),
                    ("ops:smp", "branch:smp"))),
    Question("q3", "Packed vs split ring", "seed 001 (packed-ring review 2018)",
             "`seeds` (also covered by `quick`)", "layout", "packed", "split", "split"),
    Question("q4", "event-idx vs flags vs polling: kicks and CPU per buffer", "seed 001, docs/protocol.md (Notifications)",
             "`seeds` (the `quick` preset covers some notify modes)", "notify", "event-idx", "flags", "poll",
             metrics=("kicks_per_buffer", "calls_per_buffer", "cpu_ns_per_buffer", "ns_per_buffer"),
             extra=(("event-idx", "poll"), ("flags", "poll"))),
    Question("q5", "Kick under the lock vs released", "seed 002 (virtio RFC 2010)",
             "`seeds` (kick cost 2000 ns, submitters > 1)", "kick_mode", "unlocked", "under-lock", "under-lock",
             metrics=("ns_per_buffer", "lock_hold_mean_ns", "lock_wait_mean_ns"),
             where=(("guest", "thread", "thread"),)),  # the guest's are q14's
    Question("q6", "Per-access device barriers vs relaxed accessors", "seed 003 (QEMU 2012)",
             "`seeds`", "device_access", "barrier", "relaxed", "relaxed",
             metrics=("ns_per_buffer", "cpu_ns_per_buffer")),
    # Real virtio buffers (--sg, --indirect, --completion, packed-inorder).  Each matched
    # configuration carries its sg, so the table reads per chain length N; ring capacity
    # used per buffer is N descriptors direct and 1 indirect by construction.
    Question("q7", "Direct chain vs indirect descriptors, per chain length", "seed 001 (indirect tables for the "
             "packed ring), Linux's \"FIXME: tune this threshold\"",
             "`seeds` (row seed001-chains-direct-vs-indirect)", "indirect", "on", "off", "off",
             metrics=("ns_per_buffer", "cpu_ns_per_buffer")),
    Question("q8", "In-order vs out-of-order completion, per layout", "seed 001 (Buffer ID bookkeeping)",
             "`seeds` (row completion-order)", "completion", "random", "in-order", "in-order",
             extra=(("reverse", "in-order"),)),
    Question("q9", "packed-inorder vs packed", "seed 001, VIRTIO_F_IN_ORDER",
             "`seeds` (row seed001-packed-inorder)", "layout", "packed-inorder", "packed", "split"),
]

# The VM boundary (the driver in a KVM guest; `ringlab answer` asks the same questions
# as paired verdicts: guest-kick-exit-vs-ioeventfd, guest-call-irqfd-vs-poll, ...).  Asked
# only of runs that have guest entries (`ringlab sweep --preset kvm`), see for_runs().
GUEST_QUESTIONS = [
    Question("q10", "The real kick: an exit to user space vs KVM_IOEVENTFD (driver in a KVM guest)",
             "seed 002 (\"should not exit with the lock held\"), issue 14", "`kvm` (row guest)",
             "kick", "exit", "ioeventfd", "ioeventfd", metrics=("ns_per_buffer", "kicks_per_buffer")),
    Question("q11", "The call path: KVM_IRQFD interrupt to a halted guest vs a polling guest",
             "seed 003 (devices running simultaneously with the guest), issue 14", "`kvm` (row guest)",
             "call", "irqfd", "poll", "poll", metrics=("ns_per_buffer", "cpu_ns_per_buffer", "calls_per_buffer")),
    Question("q12", "Driver in a KVM guest vs a host thread (the real boundary vs none)",
             "issue 14", "`kvm` (rows guest and thread)", "guest", "kvm", "thread", "thread",
             metrics=("ns_per_buffer", "kicks_per_buffer", "calls_per_buffer")),
    Question("q13", "smp vs virt barriers in a UP guest (guest_barriers up: smp_mb is a compiler barrier)",
             "seed 004 (virt_mb)", "`kvm` (row up-guest)", "barrier", "smp", "virt", "smp"),
    # Seed 002 inside the guest: 2 vCPUs, each a submitter, share one ring under the lock;
    # q5 asks the same of host threads with the spin model.
    Question("q14", "Kick under the lock vs released inside a 2-vCPU KVM guest",
             "seed 002 (\"the guest should not exit with the lock held\"), issue 14", "`kvm` (row seed002-guest)",
             "kick_mode", "unlocked", "under-lock", "under-lock",
             metrics=("lock_hold_mean_ns", "lock_wait_mean_ns", "ns_per_buffer"),
             where=(("guest", "kvm", "thread"),)),
]

# The lock questions, whose sections carry the lockstat table.
LOCK_QUESTIONS = ("q5", "q14")


def for_runs(runs):
    """The questions a report asks of these runs: the seed questions always, the guest
    questions when some entry ran in a KVM guest (config guest kvm)."""
    guest = any(e.axis("guest", "thread") == "kvm" for r in runs for e in r.entries)
    return QUESTIONS + (GUEST_QUESTIONS if guest else [])


def _arch_groups(entries):
    out = {}
    for e in entries:
        lbl = f"{e.run.arch} ({e.run.machine_id})" + (" [EMULATED: timings meaningless]" if e.run.emulated else "")
        out.setdefault(lbl, []).append(e)
    return out


RUNTIME_SELECTED = ("branch", "ops")


def _axis_value(e, axis, default):
    """The compared value; run-time-selected barriers are named with their run-time choice."""
    v = e.axis(axis, default)
    if axis == "barrier" and v in RUNTIME_SELECTED:
        v = f"{v}:{e.axis('runtime_barrier', 'smp')}"
    return v


def _rest_of(e, axis):
    """The configuration but `axis` (and the run-time barrier choice, part of its value), from
    entry.ringlab.config: the spread-out fields always, the others where not at their default,
    so that two configurations differing in any field never share it."""
    parts = []
    for k in e.vocabulary.axes():
        if k in (axis, "runtime_barrier"):
            continue
        if k in plots.STANDARD_AXES or not e.at_default(k):
            parts.append(f"{k}:{e.axis(k)}")
    return "/".join(parts)


def matched_pairs(entries, axis, num, den, default, metric):
    """[(rest-of-config, den values, num values)] for configs differing only in `axis`."""
    cells = {}
    for e in entries:
        v = e.value(metric)
        if v is None:
            continue
        rest = _rest_of(e, axis)
        cells.setdefault(rest, {}).setdefault(_axis_value(e, axis, default), []).append(v)
    return [(rest, c[den], c[num]) for rest, c in sorted(cells.items()) if den in c and num in c]


def _ratio_text(r, lo, hi):
    return f"{r:.3g}x [{lo:.3g}, {hi:.3g}]"


def _pairs_section(q, group, entries, num, den, metric, outdir):
    pairs = matched_pairs(entries, q.axis, num, den, q.default, metric)
    pairs = [p for p in pairs if np.median(p[1]) > 0 and np.median(p[2]) > 0]
    if not pairs:
        return [], None
    rng = stats.rng_for(q.qid, group, metric, num, den)
    g, lo, hi = stats.bootstrap_geomean_ratio([(a, b) for _, a, b in pairs], rng)
    rows, bars = [], []
    # Rows and bars name only the axes that differ between the matched configurations.
    common, labels = fmt.trim_labels([rest for rest, _, _ in pairs])
    for (rest, a, b), label in zip(pairs, labels):
        r, rlo, rhi = stats.bootstrap_ratio(a, b, rng, n_boot=1000)
        rows.append([label, fmt.sig(float(np.median(a))), fmt.sig(float(np.median(b))), _ratio_text(r, rlo, rhi),
                     f"{len(a)}/{len(b)}"])
        bars.append((label, r, rlo, rhi))
    blocks = [D.Para(f"All matched configurations share {common.replace('/', ', ')}.")] if common else []
    blocks.append(D.Table(["matched configuration", f"{den} median ({metric})", f"{num} median ({metric})",
                           f"{num}/{den} [95% CI]", "reps"], rows[:25]))
    if len(rows) > 25:
        blocks.append(D.Para(f"... and {len(rows) - 25} more matched configurations.", "note"))
    png = plots.ratio_bars(bars, f"{group}: {metric} {num}/{den}", outdir,
                           f"{q.qid}_{group}_{metric}_{num}_{den}")
    if png:
        blocks.append(D.Image(png, f"{q.title}: {metric} ratio {num}/{den}, {group}"))
    line = (f"**{group}: {metric} {num}/{den} = {_ratio_text(g, lo, hi)}** "
            f"(95% bootstrap CI, geometric mean over {len(pairs)} matched configuration(s)).")
    return blocks, line


def _micro_name(name, policies):
    """(policy label, site kind) of a microbenchmark name such as `site/branch:smp/publish`.

    Path segments first (ringlab-micro's naming: the policy, with the run-time choice for
    branch/ops); any name that mentions a policy and a site kind as tokens also works."""
    segs = name.split("/")
    site = next((SITE_ALIASES[s] for s in segs if s in SITE_ALIASES), None)
    pol = None
    for s in segs:
        head, _, tail = s.partition(":")
        if head in policies:
            pol = head if head not in RUNTIME_SELECTED else f"{head}:{tail or 'smp'}"
            break
    if pol is None or site is None:
        toks = re.split(r"[/:<>,()\s=.]+", name)
        toks += [t for tok in toks for t in tok.split("_")]
        pol = pol or next((t for t in toks if t in policies), None)
        if pol in RUNTIME_SELECTED:
            pol += ":smp"
        site = site or next((SITE_ALIASES[t] for t in toks if t in SITE_ALIASES), None)
    return pol, site


def _micro_values(runs):
    """{(policy, site): [ns]} from ringlab-micro JSON; names are matched by token, so the
    exact naming of the microbenchmarks does not matter as long as it names both."""
    out = {}
    for r in runs:
        policies = set(r.vocabulary.values("barrier"))   # the barrier policies, from the results
        for b in r.micro:
            if b.get("run_type", "iteration") != "iteration" or not isinstance(b.get("real_time"), (int, float)):
                continue
            pol, site = _micro_name(str(b.get("run_name") or b.get("name", "")).lower(), policies)
            if pol and site:
                unit = TIME_UNIT_NS.get(b.get("time_unit", "ns"), 1.0)
                out.setdefault((r.arch, pol, site), []).append(b["real_time"] * unit)
    return out


def _micro_section(q, runs, outdir, pairs_wanted):
    vals = _micro_values(runs)
    if not vals:
        return [D.Para(f"Per site kind: no primitive microbenchmarks (micro.json) in these runs; "
                       f"they come from {MICRO_HINT}.", "note")], []
    blocks, lines, bars = [], [], []
    rows = []
    for arch in sorted({k[0] for k in vals}):
        for num, den in pairs_wanted:
            for site in ("publish", "consume", "notify-check"):
                a, b = vals.get((arch, den, site)), vals.get((arch, num, site))
                if not a or not b:
                    continue
                r, lo, hi = stats.bootstrap_ratio(a, b, stats.rng_for(q.qid, arch, site, num, den))
                rows.append([arch, site, f"{np.median(a):.3g}", f"{np.median(b):.3g}", f"{num}/{den}",
                             _ratio_text(r, lo, hi)])
                bars.append((f"{arch} {site} {num}/{den}", r, lo, hi))
                lines.append(f"**{arch} {site}: {num}/{den} = {_ratio_text(r, lo, hi)}** (microbenchmark, "
                             f"{len(a)}/{len(b)} repetitions).")
    if not rows:
        return [D.Para("micro.json present but it names none of the compared policies per site kind.", "note")], []
    blocks.append(D.Para("Per site kind, from the primitive microbenchmarks (ns per barrier site):"))
    blocks.append(D.Table(["arch", "site kind", "den ns", "num ns", "ratio", "ratio [95% CI]"], rows))
    png = plots.ratio_bars(bars, f"{q.title} (microbenchmarks)", outdir, f"{q.qid}_micro")
    if png:
        blocks.append(D.Image(png, f"{q.title}: per-site-kind ratios from micro.json"))
    return blocks, lines


def _lock_table(entries):
    rows = []
    for e in entries:
        lk = e.ringlab.get("lock")
        if not isinstance(lk, dict):
            continue
        h, w = lk.get("hold") or {}, lk.get("wait") or {}
        rows.append([e.key, e.repetition, lk.get("acquisitions"), lk.get("contentions"),
                     h.get("mean_ns"), h.get("max_ns"), w.get("mean_ns"), w.get("max_ns")])
    return rows


def entries_asked(q: Question, runs) -> list:
    """The entries a question is asked of: every entry, or those its `where` names."""
    return [e for r in runs for e in r.entries if all(e.axis(k, default) == v for k, v, default in q.where)]


def answer(q: Question, runs, outdir) -> list:
    """The report blocks of one question."""
    entries = entries_asked(q, runs)
    blocks = [D.Heading(3, q.title), D.Para(f"From {q.seed}. Data: {q.presets}.", "note")]
    lines = []
    comparisons = [(q.num, q.den)] + list(q.extra)
    for group, ges in sorted(_arch_groups(entries).items()):
        for metric in q.metrics:
            for num, den in comparisons:
                b, line = _pairs_section(q, group, ges, num, den, metric, outdir)
                if line:
                    blocks.append(D.Heading(4, f"{group}: {metric}, {num} vs {den}"))
                    blocks.extend(b)
                    lines.append(line)
    if q.qid in ("q1", "q2"):
        mb, ml = _micro_section(q, runs, outdir, comparisons)
        blocks.extend(mb)
        lines.extend(ml)
    if q.qid in LOCK_QUESTIONS:
        rows = _lock_table([e for e in entries if e.axis("kick_mode", q.default) in (q.num, q.den)])
        if rows:
            blocks.append(D.Para("Lock statistics (lockstat style, ns):"))
            blocks.append(D.Table(["configuration", "rep", "acquisitions", "contentions", "hold mean",
                                   "hold max", "wait mean", "wait max"], rows[:30]))
    if not lines:
        blocks.append(D.Para(f"Missing data: no configurations in these runs differ only in {q.axis} "
                             f"({q.num} vs {q.den}). Run `ringlab sweep --preset seeds` "
                             f"({q.presets}).", "warn"))
    else:
        blocks.append(D.Para("Conclusion: " + " ".join(lines)))
    return blocks
