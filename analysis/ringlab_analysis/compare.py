"""A/B comparison of two sets of runs: per configuration faster / slower / unchanged / inconclusive.

BASE and CANDIDATE are each one run dir or a folder of run dirs whose repetitions are pooled
(an interleaved CI run A,B,A,B... lands as base/r1, cand/r1, base/r2, ...).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np

from . import doc as D
from . import stats
from .load import samples_by_key

# The ONE default for "how much slower counts as a regression", in percent of the median
# ns per buffer.  The CLI's --threshold and runners/ci-regression.sh both read it from here.
DEFAULT_REGRESSION_THRESHOLD_PCT = 5.0

PRIMARY_METRIC = "ns_per_buffer"
# Secondary figures compared the same way (all "higher is worse"); reported, never failing CI.
SECONDARY_METRICS = ("latency_p50_ns", "latency_p99_ns", "latency_p999_ns", "cpu_ns_per_buffer",
                     "driver_cpu_ns_per_buffer", "device_cpu_ns_per_buffer", "kicks_per_buffer",
                     "calls_per_buffer", "sleeps_per_buffer", "lock_hold_mean_ns", "lock_wait_mean_ns")
# Environment fields whose difference makes an A/B comparison suspect.
ENV_FIELDS = ("arch", "cpu_model", "kernel", "governor", "boost", "compiler", "compiler_flags",
              "build_type", "virtualized")


@dataclass
class ConfigResult:
    key: str
    primary: stats.Comparison
    secondary: dict = field(default_factory=dict)   # metric -> Comparison


@dataclass
class CompareResult:
    threshold_pct: float
    results: list
    only_base: list
    only_cand: list
    failures_base: list          # (run_id, key, repetition, description)
    failures_cand: list
    env_warnings: list
    emulated: bool
    n_runs: tuple
    floor_base: float | None = None     # median floor (cache-line round trip, ns) of each side
    floor_cand: float | None = None
    floor_note: str = ""                # said at the top when the floors differ
    data_problems: list = field(default_factory=list)   # (side, run_id, problem)
    method_warnings: list = field(default_factory=list)  # how the runs were measured (method_warnings())
    set_aside: tuple = (0, 0)           # repetitions set aside per side: a spinning role off its CPU

    @property
    def regressions(self) -> list:
        return [r for r in self.results if r.primary.regression]

    def counts(self) -> dict:
        c = {v: 0 for v in stats.VERDICTS}
        for r in self.results:
            c[r.primary.verdict] += 1
        return c


def _describe_failure(e) -> str:
    if e.corrupt:
        return "data problem: " + "; ".join(e.corrupt)
    errs = {k: v for k, v in e.errors.items() if isinstance(v, (int, float)) and v}
    parts = [f"{k}={int(v)}" for k, v in sorted(errs.items())]
    if not parts and not e.valid:
        parts = ["valid=false"]
    return ", ".join(parts) or f"verify_errors={e.verify_errors}, lost_notifications={e.lost_notifications}"


def correctness_failures(runs) -> list:
    return [(e.run.run_id, e.key, e.repetition, _describe_failure(e))
            for r in runs for e in r.entries if e.has_correctness_failure]


def failures_table(fails) -> D.Table:
    """The correctness failures of correctness_failures() as a table, every row highlighted."""
    return D.Table(["run", "configuration", "repetition", "errors"], [list(f) for f in fails],
                   bad_rows=set(range(len(fails))))


def _placements(runs) -> set:
    return {f"{e.axis('placement', '?')}:{e.ringlab.get('relation', '?')}:{e.ringlab.get('cpus')}"
            for r in runs for e in r.entries}


def method_warnings(base, cand) -> list:
    """How the runs were measured, where that makes a verdict between them untrustworthy."""
    warns = []
    for side, runs in (("base", base), ("candidate", cand)):
        for r in runs:
            flags = r.rl.get("gb_flags")
            if flags is None:   # not recorded (v1 files): unknown, not said
                continue
            if not any(f in ("--benchmark_enable_random_interleaving", "--benchmark_enable_random_interleaving=true")
                       for f in flags):
                warns.append(f"{side} run {r.run_id} measured each configuration's repetitions back to back "
                             "(--benchmark_enable_random_interleaving=false): they share one minute of the machine, "
                             "their spread understates the run-to-run noise, and verdicts against another run are "
                             "not to be trusted (A/A pairs of such quick sweeps on a KVM guest: 2 to 7 false "
                             "verdicts each, 0 in 10 pairs interleaved)")
    return warns


def environment_warnings(base, cand) -> list:
    warns = []
    getters = [(f, lambda r, f=f: str(r.env.get(f))) for f in ENV_FIELDS]
    getters += [("machine", lambda r: r.machine_id), ("emulated", lambda r: str(r.emulated))]
    for name, get in getters:
        a, b = sorted({get(r) for r in base}), sorted({get(r) for r in cand})
        if a != b:
            warns.append(f"{name} differs: base {', '.join(a)} / candidate {', '.join(b)}")
    pa, pb = _placements(base), _placements(cand)
    if pa != pb:
        warns.append("placement (CPU pair / relation) differs: "
                     f"base {', '.join(sorted(pa - pb)) or '-'} / candidate {', '.join(sorted(pb - pa)) or '-'}")
    return warns


# A repetition of a configuration whose every role spins (wait spin, one submitter, host
# threads) in which a role was on its CPU for less than this share of the window: the guest
# kernel or the hypervisor gave its CPU to something else, and the time measured that.  The
# same rule as `ringlab answer`'s pairs (kMinOnCpu in bench/answer/paired.cpp).  Seen in A/A
# trials of two quick sweeps (AMD EPYC KVM guest): split/mandatory batch 1 at 126 ns in one run,
# 59 ns in the other, with the same floor (62-65 ns); in the slow run the driver was on its CPU
# 62 ns per buffer of 126, the guest's accounting of time the hypervisor took (steal).
MIN_ON_CPU = 0.9


def _spins(e) -> bool:
    return e.axis("wait", "spin") == "spin" and str(e.axis("submitters", "1")) == "1" and \
        e.axis("guest", "thread") == "thread"


def off_cpu(e) -> bool:
    """True for a repetition of a spinning configuration in which a role lost its CPU."""
    if not _spins(e):
        return False
    ns = e.value("ns_per_buffer")
    cpu = [e.value("driver_cpu_ns_per_buffer"), e.value("device_cpu_ns_per_buffer")]
    if ns is None or ns <= 0 or any(c is None for c in cpu):
        return False
    return min(cpu) < MIN_ON_CPU * ns


def compare_runs(base: list, cand: list, threshold_pct=DEFAULT_REGRESSION_THRESHOLD_PCT) -> CompareResult:
    be_all = [e for r in base for e in r.entries]
    ce_all = [e for r in cand for e in r.entries]
    be = [e for e in be_all if not off_cpu(e)]
    ce = [e for e in ce_all if not off_cpu(e)]
    aside_keys = {}   # {key: [set aside in base, in candidate]}
    for side, entries in enumerate((be_all, ce_all)):
        for e in entries:
            if off_cpu(e):
                aside_keys.setdefault(e.key, [0, 0])[side] += 1
    sa, sb = samples_by_key(be), samples_by_key(ce)
    # A configuration whose repetitions were all set aside on one side is still in both runs.
    all_a, all_b = samples_by_key(be_all), samples_by_key(ce_all)
    for k in all_a:
        sa.setdefault(k, [])
    for k in all_b:
        sb.setdefault(k, [])
    keys = sorted(set(all_a) & set(all_b))
    results = [ConfigResult(k, stats.compare_samples(sa[k], sb[k], stats.rng_for(k, PRIMARY_METRIC)))
               for k in keys]
    stats.judge_all([r.primary for r in results], threshold_pct)
    for m in SECONDARY_METRICS:
        ma, mb = samples_by_key(be, m), samples_by_key(ce, m)
        comps = []
        for r in results:
            if r.key in ma and r.key in mb:
                c = stats.compare_samples(ma[r.key], mb[r.key], stats.rng_for(r.key, m))
                r.secondary[m] = c
                comps.append(c)
        stats.judge_all(comps, threshold_pct)
    res = CompareResult(
        threshold_pct=threshold_pct, results=results,
        only_base=sorted(set(all_a) - set(all_b)), only_cand=sorted(set(all_b) - set(all_a)),
        failures_base=correctness_failures(base), failures_cand=correctness_failures(cand),
        env_warnings=environment_warnings(base, cand), method_warnings=method_warnings(base, cand),
        emulated=any(r.emulated for r in base + cand), n_runs=(len(base), len(cand)),
        data_problems=[(side, r.run_id, p) for side, rs in (("base", base), ("candidate", cand))
                       for r in rs for p in r.problems])
    res.set_aside = (len(be_all) - len(be), len(ce_all) - len(ce))
    for r in res.results:
        if r.key in aside_keys:
            na, nb = aside_keys[r.key]
            r.primary.note = (r.primary.note + "; " if r.primary.note else "") + (
                f"{na}+{nb} repetitions set aside (a spinning role off its CPU)")
    apply_floor_rule(res, be, ce, threshold_pct, be_all, ce_all)
    return res


# Floors (medians) further apart than this: the machine ran at another speed in one of the runs.
FLOOR_DIFFERS_RATIO = 1.10
# Floors further apart than this: no verdict at all.  Floor-normalising corrects for speed to
# first order only (a ring's cost is not proportional to one line's round trip): in A/A trials
# of two quick sweeps on the development VM (AMD EPYC), floors 67 vs 311 ns gave 6 "slower"
# configurations that the normalised cost confirmed, and 69 vs 30 ns gave 2 "faster".
FLOOR_INCOMPARABLE_RATIO = 1.5
NORMALISED_METRIC = "ns_per_floor"


def _median_floor(entries):
    vals = [v for v in (e.value("floor_rtt_ns") for e in entries) if v is not None and v > 0]
    return float(np.median(vals)) if vals else None


def _floors_by_key(entries) -> dict:
    """{key: median floor of that configuration's repetitions}."""
    out = {}
    for e in entries:
        fl = e.value("floor_rtt_ns")
        if fl is not None and fl > 0:
            out.setdefault(e.key, []).append(fl)
    return {k: float(np.median(v)) for k, v in out.items()}


def _normalised(entries) -> dict:
    """{key: [ns per buffer / floor of that repetition]}: the cost in units of the machine's speed."""
    out = {}
    for e in entries:
        ns, fl = e.value("ns_per_buffer"), e.value("floor_rtt_ns")
        if ns is not None and fl is not None and fl > 0:
            out.setdefault(e.key, []).append(ns / fl)
    return out


def _demote(p: stats.Comparison, why: str):
    p.note = (p.note + "; " if p.note else "") + "not a verdict: " + why
    p.verdict, p.regression = "inconclusive", False


def apply_floor_rule(res: CompareResult, be, ce, threshold_pct, be_all=None, ce_all=None):
    """Every repetition records its CPU pair's floor.  Compare the floor-normalised cost next to
    the raw ns, and when the floors differ never call a configuration faster or slower unless the
    normalised cost says the same: the change may be the machine's speed alone.

    Judged per configuration as well as per run: a VM that slows down for a minute changes the
    floor of the configurations measured in that minute only, and leaves the run's median floor
    where it was.  Seen in A/A trials of two quick sweeps (AMD EPYC): run medians 64.9 vs 63.9 ns,
    but one configuration's floors 304-312 ns in one run and 62-65 ns in the other, its ns per
    buffer 175 vs 59 ("66% faster" without this rule)."""
    # The machine's speed from every repetition, the set-aside ones too (be_all, ce_all); the
    # costs from the repetitions compared (be, ce).
    res.floor_base = _median_floor(be if be_all is None else be_all)
    res.floor_cand = _median_floor(ce if ce_all is None else ce_all)
    na, nb = _normalised(be), _normalised(ce)
    comps = []
    for r in res.results:
        if r.key in na and r.key in nb:
            c = stats.compare_samples(na[r.key], nb[r.key], stats.rng_for(r.key, NORMALISED_METRIC))
            r.secondary[NORMALISED_METRIC] = c
            comps.append(c)
    stats.judge_all(comps, threshold_pct)
    fa, fb = res.floor_base, res.floor_cand
    run_moved = bool(fa and fb) and max(fa, fb) / min(fa, fb) > FLOOR_DIFFERS_RATIO
    run_incomparable = run_moved and max(fa, fb) / min(fa, fb) > FLOOR_INCOMPARABLE_RATIO
    ka, kb = _floors_by_key(be), _floors_by_key(ce)
    demoted = moved_configs = 0
    for r in res.results:
        p, n = r.primary, r.secondary.get(NORMALISED_METRIC)
        a, b = ka.get(r.key), kb.get(r.key)
        key_ratio = max(a, b) / min(a, b) if a and b else 1.0
        if key_ratio > FLOOR_DIFFERS_RATIO:
            moved_configs += 1
        if p.verdict not in ("slower", "faster"):
            continue
        if run_incomparable:
            _demote(p, f"the floor moved {fa:.0f} -> {fb:.0f} ns, beyond {FLOOR_INCOMPARABLE_RATIO:g}x, where even "
                       f"the floor-normalised cost does not separate the machine's speed from the change")
        elif key_ratio > FLOOR_INCOMPARABLE_RATIO:
            _demote(p, f"this configuration's floor moved {a:.0f} -> {b:.0f} ns, beyond "
                       f"{FLOOR_INCOMPARABLE_RATIO:g}x: the machine ran at another speed while it was measured")
        elif (run_moved or key_ratio > FLOOR_DIFFERS_RATIO) and (n is None or n.verdict != p.verdict):
            _demote(p, f"the floor moved ({a:.0f} -> {b:.0f} ns for this configuration) and floor-normalised the "
                       f"change is {n.verdict if n else 'not measured'}")
        else:
            continue
        demoted += 1
    if run_incomparable:
        res.floor_note = (f"The machine's floor (cache-line round trip of the CPU pair) differs between the runs: base "
                          f"{fa:.1f} ns, candidate {fb:.1f} ns ({(fb / fa - 1) * 100:+.0f}%). Runs taken at speeds this "
                          f"different (beyond {FLOOR_INCOMPARABLE_RATIO:g}x) give no verdict: {demoted} configuration(s) "
                          f"that differed are inconclusive. Compare interleaved in one process instead "
                          f"(`ringlab answer`), or rerun both on a quieter machine.")
    elif run_moved or moved_configs:
        where = (f"between the runs: base {fa:.1f} ns, candidate {fb:.1f} ns ({(fb / fa - 1) * 100:+.0f}%)" if run_moved
                 else f"for {moved_configs} of {len(res.results)} configurations (beyond {FLOOR_DIFFERS_RATIO:g}x), "
                      f"though the runs' medians agree ({fa:.1f} vs {fb:.1f} ns)")
        res.floor_note = (f"The machine's floor (cache-line round trip of the CPU pair) differs {where}: the machine ran "
                          f"at another speed. {demoted} configuration(s) whose raw change the floor-normalised cost "
                          f"({NORMALISED_METRIC}) does not confirm, or whose own floor moved beyond "
                          f"{FLOOR_INCOMPARABLE_RATIO:g}x, are inconclusive, not faster or slower.")


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------
def _fmt(x, spec=".1f", none="-"):
    return none if x is None else format(x, spec)


def _ratio_cell(c: stats.Comparison) -> str:
    if c.ratio is None:
        return "-"
    return f"{(c.ratio - 1) * 100:+.1f}% [{(c.ci_lo - 1) * 100:+.1f}, {(c.ci_hi - 1) * 100:+.1f}]"


def _row(key, c: stats.Comparison) -> list:
    verdict = c.verdict + (" (REGRESSION)" if c.regression else "")
    return [key, verdict, _fmt(c.median_a), _fmt(c.median_b), _ratio_cell(c), f"{c.p:.3g}", f"{c.q:.3g}",
            f"{c.n_a}/{c.n_b}", _fmt(c.noise * 100 if c.noise == c.noise else None), c.note]


HEADERS = ["configuration", "verdict", "base median", "cand median", "change [95% CI]", "p (MWU)",
           "q (BH)", "reps base/cand", "noise %", "note"]


def summary_blocks(res: CompareResult, figure=None) -> list:
    c = res.counts()
    b = [D.Heading(2, "ringlab A/B comparison")]
    if res.data_problems:
        n = len(res.data_problems)
        b.append(D.Heading(3, "Data problems"))
        b.append(D.Para(f"{n} problem(s) in the results files: those repetitions are left out of every statistic "
                        "and count as correctness failures; no verdict below can rule out a regression in them.",
                        "bad"))
        b.append(D.Table(["side", "run", "problem"], [list(p) for p in res.data_problems], bad_rows=set(range(n))))
    if res.floor_note:
        b.append(D.Para(res.floor_note, "warn"))
    status = (f"**{len(res.regressions)} regression(s)** above the {res.threshold_pct:g}% threshold"
              if res.regressions else f"no regression above the {res.threshold_pct:g}% threshold")
    b.append(D.Para(f"{status}; {c['slower']} slower, {c['faster']} faster, {c['unchanged']} unchanged, "
                    f"{c['inconclusive']} inconclusive of {len(res.results)} configurations "
                    f"(ns per buffer; {res.n_runs[0]} base and {res.n_runs[1]} candidate run dirs pooled)."))
    b.append(D.Para(f"Method: Mann-Whitney U over repetitions, bootstrap {int(stats.CONFIDENCE * 100)}% CI of "
                    f"the ratio of medians, Benjamini-Hochberg at q <= {stats.ALPHA}; a change inside the "
                    f"run-to-run noise (1.4826*MAD/median) is never a verdict; fewer than "
                    f"{stats.MIN_REPETITIONS} repetitions per side is inconclusive.", "note"))
    if res.results:
        n_a, n_b = min(r.primary.n_a for r in res.results), min(r.primary.n_b for r in res.results)
        floor = stats.min_attainable_p(n_a, n_b)
        if floor * len(res.results) > stats.ALPHA:
            b.append(D.Para(f"With {n_a} vs {n_b} repetitions the smallest attainable p is {floor:.2g}; over "
                            f"{len(res.results)} configurations a change confined to a few of them cannot pass "
                            "Benjamini-Hochberg. Use more rounds/repetitions for single-configuration power.",
                            "note"))
    if res.emulated:
        b.append(D.Para("EMULATED runs (qemu-user) are included: their timings are meaningless.", "warn"))
    for w in res.method_warnings:
        b.append(D.Para(w, "warn"))
    for w in res.env_warnings:
        b.append(D.Para("environments differ: " + w, "warn"))
    if res.failures_cand:
        b.append(D.Para(f"candidate has {len(res.failures_cand)} repetition(s) with correctness failures "
                        "(verification errors or lost notifications)", "bad"))
    changed = [r for r in res.results if r.primary.verdict in ("slower", "faster", "inconclusive")]
    changed.sort(key=lambda r: (not r.primary.regression, r.primary.verdict != "slower", -(r.primary.ratio or 0)))
    if changed:
        b.append(D.Heading(3, "Configurations that changed or could not be judged"))
        b.append(D.Table(HEADERS, [_row(r.key, r.primary) for r in changed],
                         bad_rows={i for i, r in enumerate(changed) if r.primary.regression},
                         good_rows={i for i, r in enumerate(changed) if r.primary.verdict == "faster"}))
    sec = [(r.key, m, c) for r in res.results for m, c in r.secondary.items() if c.verdict in ("slower", "faster")]
    if sec:
        b.append(D.Heading(3, "Other figures that changed (latency percentiles, CPU and counters per buffer)"))
        b.append(D.Table(["configuration", "metric", "verdict", "base", "cand", "change [95% CI]", "q (BH)"],
                         [[k, m, c.verdict, _fmt(c.median_a, ".3g"), _fmt(c.median_b, ".3g"), _ratio_cell(c),
                           f"{c.q:.3g}"] for k, m, c in sec]))
    for title, fails in (("Correctness failures in the candidate", res.failures_cand),
                         ("Correctness failures in the base", res.failures_base)):
        if fails:
            b.append(D.Heading(3, title))
            b.append(failures_table(fails))
    if res.only_base or res.only_cand:
        b.append(D.Para(f"Not compared: {len(res.only_base)} configuration(s) only in base, "
                        f"{len(res.only_cand)} only in candidate.", "note"))
    if figure:
        b.append(D.Image(figure, "change of the median ns per buffer with its 95% CI, per configuration",
                         os.path.basename(figure)))
    b.append(D.Details("All configurations", [D.Table(HEADERS, [_row(r.key, r.primary) for r in res.results])]))
    return b


def to_json(res: CompareResult) -> dict:
    """Machine-readable verdicts (compare.json), e.g. for CI scripts and dashboards."""
    def comp(c):
        return {"verdict": c.verdict, "regression": c.regression, "median_base": c.median_a,
                "median_candidate": c.median_b, "ratio": c.ratio, "ci": [c.ci_lo, c.ci_hi], "p": c.p, "q": c.q,
                "n": [c.n_a, c.n_b], "noise": c.noise if c.noise == c.noise else None, "note": c.note}
    return {"threshold_pct": res.threshold_pct, "counts": res.counts(),
            "regressions": [r.key for r in res.regressions],
            "candidate_correctness_failures": len(res.failures_cand),
            "data_problems": [{"side": s, "run": r, "problem": p} for s, r, p in res.data_problems],
            "base_correctness_failures": len(res.failures_base),
            "environment_warnings": res.env_warnings, "method_warnings": res.method_warnings, "emulated": res.emulated,
            "floor_ns": {"base": res.floor_base, "candidate": res.floor_cand}, "floor_note": res.floor_note,
            "configurations": {r.key: {"ns_per_buffer": comp(r.primary),
                                       **{m: comp(c) for m, c in r.secondary.items()}} for r in res.results}}


def write_json(res: CompareResult, path: str):
    from .outfiles import write_text
    write_text(path, json.dumps(to_json(res), indent=1))
