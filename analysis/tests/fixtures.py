"""Writes synthetic results directories in the SCHEMA v1 layout (results/SCHEMA.md).

The true values are known, so tests can check that the statistics find what was planted.
Only the documented format is written: Google Benchmark's context + benchmarks[] with the
ringlab extensions, plus histograms.json and optionally micro.json.
"""
from __future__ import annotations

import itertools
import json
import os

import numpy as np

DEFAULT_AXES = {"layout": "split", "barrier": "smp", "notify": "poll", "batch": 1,
                "ring": 256, "placement": "cross-l3"}
# Axes that only appear in the name when not at their default (SCHEMA.md naming rule).
EXTRA_DEFAULTS = {"kick_ns": 0, "submitters": 1, "kick_mode": "under-lock", "device_access": "relaxed",
                  "runtime": "smp", "sg": 1, "indirect": "off", "completion": "in-order"}

# Relative costs used to make the synthetic data look like a ring benchmark.
LAYOUT_COST = {"split": 1.0, "split-inorder": 0.9, "packed": 0.8, "index": 0.6, "packed-inorder": 0.75}
BARRIER_COST = {"smp": 1.0, "virt": 1.0, "dma": 1.1, "mandatory": 1.5, "branch": 1.05, "ops": 1.1,
                "compiler": 0.9, "acqrel": 0.95, "acqrel-seqcst": 1.02}
NOTIFY_KICKS = {"poll": 0.0, "flags": 0.3, "event-idx": 0.05}


def bench_name(cfg: dict) -> str:
    parts = ["ring"] + [f"{k}:{cfg[k]}" for k in DEFAULT_AXES]
    for k, dflt in EXTRA_DEFAULTS.items():
        if k in cfg and cfg[k] != dflt:
            parts.append(f"{k}:{cfg[k]}")
    return "/".join(parts)


def true_ns(cfg: dict) -> float:
    """Deterministic 'true' cost of a configuration, ns per buffer."""
    ns = 120.0 * LAYOUT_COST.get(cfg["layout"], 1.0) * BARRIER_COST.get(cfg["barrier"], 1.0)
    if cfg.get("runtime") == "mandatory":
        ns *= BARRIER_COST["mandatory"]
    ns *= 1.0 / (1 + 0.15 * np.log2(int(cfg["batch"])))
    ns += 40 * NOTIFY_KICKS.get(cfg["notify"], 0)
    if cfg.get("kick_mode") == "under-lock" and int(cfg.get("submitters", 1)) > 1:
        ns *= 1.3
    if cfg.get("device_access") == "barrier":
        ns *= 1.2
    ns *= 1 + 0.1 * (int(cfg.get("sg", 1)) - 1)
    if cfg.get("indirect", "off") != "off":
        ns *= 1.1
    if cfg.get("completion", "in-order") != "in-order":
        ns *= 1.05
    return ns


def grid(**axes) -> list:
    """Cartesian product of axis values over DEFAULT_AXES."""
    base = dict(DEFAULT_AXES)
    keys = list(axes)
    out = []
    for values in itertools.product(*(axes[k] for k in keys)):
        c = dict(base)
        c.update(dict(zip(keys, values)))
        out.append(c)
    return out


def context(run_id="20261121T210000Z-aa0001", date="2026-11-21T21:00:00+00:00", emulated=False,
            arch="x86_64", machine_id="x86_64-test-machine-1a2b3c4d", git_revision="abc1234",
            governor="performance", preset="quick", kernel="6.1.0-test"):
    return {
        "date": date, "host_name": "testhost", "executable": "ringlab", "num_cpus": 2,
        "mhz_per_cpu": 2400, "cpu_scaling_enabled": False, "caches": [], "load_avg": [0.1, 0.1, 0.1],
        "library_build_type": "release",
        "ringlab": {
            "schema_version": 1, "run_id": run_id, "preset": preset, "spec_file": None,
            "complete": True, "interrupted": False, "emulated": emulated, "machine_id": machine_id,
            "environment": {
                "ringlab_version": "0.1.0", "git_revision": git_revision, "compiler": "g++ 12.2.0",
                "compiler_flags": "-O2", "build_type": "Release", "arch": arch,
                "cpu_vendor": "TestVendor", "cpu_model": "Test CPU @ 2.4GHz", "microarch": "test",
                "online_cpus": 2, "cores": 2, "smt": False, "caches": [], "kernel": kernel,
                "kernel_cmdline": "", "isolcpus": "", "nohz_full": "", "governor": governor,
                "boost": None, "thp": "madvise", "perf_event_paranoid": 2, "virtualized": True,
                "hypervisor": "KVM",
                "timer": {"name": "rdtsc", "freq_hz": 2.4e9, "core_cycles": False, "calibrated": True}},
            "pmu": {"hardware_available": False, "reason": "perf_event_open(cycles): ENOENT (no hardware PMU in this guest)",
                    "events": []},
            "warnings": ["virtualized: timings include hypervisor noise"],
        },
    }


def entry(cfg, rep, reps, ns, errors=None, lost_notifications=0, with_latency=True, lock=None):
    name = bench_name(cfg)
    kicks = NOTIFY_KICKS.get(cfg["notify"], 0.0) / max(1, int(cfg["batch"]))
    errors = dict({"lost": 0, "duplicated": 0, "out_of_range": 0, "stale": 0, "corrupt": 0},
                  **(errors or {}))
    errors["lost_notifications"] = lost_notifications
    verify = sum(v for k, v in errors.items() if k != "lost_notifications")
    nulls = {}
    counters = {
        "ns_per_buffer": ns, "cycles_per_buffer": ns * 2.4, "buffers_per_second": 1e9 / ns,
        "driver_cpu_ns_per_buffer": ns * 0.98, "device_cpu_ns_per_buffer": ns * 0.97,
        "cpu_ns_per_buffer": ns * 1.95, "kicks_per_buffer": kicks, "calls_per_buffer": kicks / 2,
        "suppressed_per_buffer": 0.0, "sleeps_per_buffer": 0.0, "spurious_wakeups_per_buffer": 0.0,
        "verify_errors": verify, "lost_notifications": lost_notifications, "floor_rtt_ns": 60.0,
    }
    if with_latency:
        counters.update({"latency_p50_ns": 2 * ns, "latency_p99_ns": 3 * ns, "latency_p999_ns": 4 * ns,
                         "latency_max_ns": 9 * ns, "efficiency": min(1.0, 60.0 / (2 * ns))})
    else:
        for k in ("latency_p50_ns", "latency_p99_ns", "latency_p999_ns", "latency_max_ns", "efficiency"):
            counters[k] = None
            nulls[k] = "latency mode off"
    rl = {
        "config": {"layout": cfg["layout"], "barrier": cfg["barrier"], "notify": cfg["notify"],
                   "wait": "spin", "batch": int(cfg["batch"]), "ring_size": int(cfg["ring"]),
                   "outstanding": int(cfg["ring"]), "kick_cost_ns": int(cfg.get("kick_ns", 0)),
                   "submitters": int(cfg.get("submitters", 1)), "kick_mode": cfg.get("kick_mode", "under-lock"),
                   "device_access": cfg.get("device_access", "relaxed"), "payload_bytes": 64,
                   "cache_line": 64, "placement": cfg["placement"],
                   # The rest of what ringlab writes (bench/config/axes.cpp): the analysis reads
                   # configurations from here, not from the name.
                   "runtime_barrier": cfg.get("runtime", "smp"), "sg": int(cfg.get("sg", 1)),
                   "indirect": cfg.get("indirect", "off"), "completion": cfg.get("completion", "in-order"),
                   "verify": "full", "inject": ""},
        "cpus": [0, 1], "relation": "same-l3", "valid": verify == 0 and lost_notifications == 0,
        "errors": errors, "window": {"buffers": 100000, "seconds": ns * 1e-4, "ticks": int(ns * 240)},
        "pmu": {"driver": [], "device": []},
        "software": {"driver": {"task_clock_ns": int(ns * 1e5), "context_switches": 1, "cpu_migrations": 0,
                                "page_faults": 0},
                     "device": {"task_clock_ns": int(ns * 1e5), "context_switches": 1, "cpu_migrations": 0,
                                "page_faults": 0}},
        "nulls": nulls,
    }
    if lock:
        rl["lock"] = lock
        counters["lock_hold_mean_ns"] = lock["hold"]["mean_ns"]
        counters["lock_wait_mean_ns"] = lock["wait"]["mean_ns"]
    e = {"name": name, "family_index": 0, "per_family_instance_index": 0, "run_name": name,
         "run_type": "iteration", "repetitions": reps, "repetition_index": rep, "threads": 1,
         "iterations": 100000, "real_time": ns, "cpu_time": ns * 1.95, "time_unit": "ns",
         "ringlab": rl}
    e.update(counters)
    return e


def aggregate(name, reps, values, which="mean"):
    v = float(np.mean(values)) if which == "mean" else float(np.median(values))
    return {"name": f"{name}_{which}", "run_name": name, "run_type": "aggregate", "aggregate_name": which,
            "repetitions": reps, "threads": 1, "iterations": reps, "real_time": v, "cpu_time": v,
            "time_unit": "ns"}


def histogram_of(ns, rng, n=2000):
    samples = rng.lognormal(np.log(2 * ns), 0.2, n)
    edges = np.unique(np.geomspace(max(1.0, samples.min()), samples.max() + 1, 40).astype(int))
    counts, _ = np.histogram(samples, bins=edges)
    return [[int(lo), int(hi) - 1, int(c)] for lo, hi, c in zip(edges[:-1], edges[1:], counts) if c]


def write_run(path, configs, reps=5, noise=0.02, seed=1, scale=None, errors=None, micro=False,
              histograms=True, with_latency=True, **ctx):
    """Write one run dir.  scale(cfg) -> factor plants a shift; errors: {name: {field: n}}."""
    rng = np.random.default_rng(seed)
    os.makedirs(path, exist_ok=True)
    benches, hists = [], []
    for cfg in configs:
        name = bench_name(cfg)
        truth = true_ns(cfg) * (scale(cfg) if scale else 1.0)
        values = truth * (1 + noise * rng.standard_normal(reps))
        err = (errors or {}).get(name, {})
        lost_n = err.get("lost_notifications", 0)
        verr = {k: v for k, v in err.items() if k != "lost_notifications"}
        lock = None
        if int(cfg.get("submitters", 1)) > 1:
            hold = 900.0 if cfg.get("kick_mode") == "under-lock" else 150.0
            lock = {"acquisitions": 1000, "contentions": 200,
                    "hold": {"count": 1000, "min_ns": 50, "mean_ns": hold, "max_ns": 5000, "total_ns": hold * 1000},
                    "wait": {"count": 200, "min_ns": 10, "mean_ns": hold / 2, "max_ns": 4000, "total_ns": hold * 100}}
        for r, v in enumerate(values):
            benches.append(entry(cfg, r, reps, float(v), verr, lost_n, with_latency, lock))
            if histograms and with_latency:
                b = histogram_of(float(v), rng)
                hists.append({"name": name, "repetition_index": r,
                              "latency": {"unit": "ns", "count": sum(x[2] for x in b), "buckets": b}})
        if reps > 1:
            benches.append(aggregate(name, reps, values, "mean"))
            benches.append(aggregate(name, reps, values, "median"))
    doc = {"context": context(**ctx), "benchmarks": benches}
    with open(os.path.join(path, "results.json"), "w") as f:
        json.dump(doc, f, indent=1)
    with open(os.path.join(path, "spec.json"), "w") as f:
        json.dump({"preset": ctx.get("preset", "quick"), "axes": {}}, f)
    if histograms and with_latency:
        with open(os.path.join(path, "histograms.json"), "w") as f:
            json.dump({"schema_version": 1, "unit": "ns", "entries": hists}, f)
    if micro:
        write_micro(os.path.join(path, "micro.json"), rng)
    return path


def write_micro(path, rng, reps=5):
    """ringlab-micro's Google Benchmark JSON: one benchmark per policy x site kind."""
    cost = {"publish": 1.0, "consume": 1.0, "notify-check": 8.0}
    bench = []
    for pol, f in (("smp", 1.0), ("mandatory", 3.0), ("branch:smp", 1.2), ("ops:smp", 1.6),
                   ("branch:mandatory", 3.2), ("ops:mandatory", 3.5)):
        for site, c in cost.items():
            name = f"site/{pol}/{site}"   # ringlab-micro's naming (bench/micro/micro_sites.cpp)
            for r in range(reps):
                v = c * f * (1 + 0.02 * rng.standard_normal())
                bench.append({"name": name, "run_name": name, "run_type": "iteration", "repetitions": reps,
                              "repetition_index": r, "threads": 1, "iterations": 1000000,
                              "real_time": v, "cpu_time": v, "time_unit": "ns"})
    with open(path, "w") as f:
        json.dump({"context": {"date": "2026-11-21T21:00:00+00:00"}, "benchmarks": bench}, f)


def seeds_configs():
    """A small stand-in for the `seeds` preset: enough to answer every seed question."""
    cfgs = grid(layout=["split", "packed"], barrier=["smp", "mandatory", "branch", "ops"], notify=["poll"],
                batch=[1, 8])
    for c in grid(layout=["split", "packed"], barrier=["branch", "ops"], notify=["poll"], batch=[1, 8]):
        c.update(runtime="mandatory")
        cfgs.append(c)
    cfgs += grid(layout=["split", "packed"], barrier=["smp"], notify=["flags", "event-idx"], batch=[1, 8])
    for km in ("under-lock", "unlocked"):
        for c in grid(layout=["split"], barrier=["smp"], notify=["event-idx"], batch=[1]):
            c.update(kick_mode=km, submitters=2, kick_ns=2000)
            cfgs.append(c)
    for da in ("barrier",):
        for c in grid(layout=["split", "packed"], barrier=["smp"], notify=["poll"], batch=[1, 8]):
            c.update(device_access=da)
            cfgs.append(c)
    # Real virtio buffers: chains direct vs indirect, completion order, packed-inorder.
    for sg, ind in ((1, "on"), (2, "off"), (2, "on"), (4, "off"), (4, "on")):
        for c in grid(layout=["split", "packed"], barrier=["smp"], notify=["poll"], batch=[1, 8]):
            c.update(sg=sg, indirect=ind)
            cfgs.append(c)
    for c in grid(layout=["split", "packed"], barrier=["smp"], notify=["poll"], batch=[8]):
        c.update(completion="random")
        cfgs.append(c)
    cfgs += grid(layout=["packed-inorder"], barrier=["smp"], notify=["poll"], batch=[1, 8])
    return cfgs
