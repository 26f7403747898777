"""Reading results directories (results/SCHEMA.md, version 1) into plain Python objects.

This is the only module that knows the file layout.  Everything downstream works on
`Run` and `Entry` objects, so a schema change touches one file.  Optional fields may be
missing or null (SCHEMA.md: null + reason in entry.ringlab.nulls); we never invent values.
"""
from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np

SUPPORTED_SCHEMA_VERSIONS = (1,)

# Name segments Google Benchmark appends that are not configuration axes.
_GB_SUFFIXES = ("manual_time", "real_time", "process_time")
_GB_PREFIXES = ("repeats:", "iterations:", "min_time:", "threads:", "min_warmup_time:")
TIME_UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


class BadInput(Exception):
    """A path that is not a readable results directory; the CLI exits 2 on it."""


def norm_value(v) -> str:
    """Axis values as they appear in benchmark names ('event_idx' and 'event-idx' are one)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).replace("_", "-")


def config_key_of(run_name: str) -> str:
    """The configuration a repetition belongs to: the benchmark name without GB's suffixes."""
    parts = [p for p in run_name.split("/")
             if p and p not in _GB_SUFFIXES and not p.startswith(_GB_PREFIXES)]
    return "/".join(parts)


# ---------------------------------------------------------------------------
# The vocabulary: what the fields of entry.ringlab.config are (their defaults, values and
# which are sweep axes).  ringlab writes it into context.ringlab.vocabulary from its one
# table (bench/config/axes.cpp).  Results written before that (schema v1 files such as the
# committed baseline) lack it: FALLBACK_VOCABULARY, the fields as ringlab 0.1 wrote them,
# stands in for those files and is used nowhere else.  A field missing from an entry's
# config (v1 files predate sg, indirect, completion) takes its vocabulary default.
# ---------------------------------------------------------------------------
def _f(name, default, values=(), axis=True):
    return {"name": name, "default": default, "values": list(values), "axis": name if axis else None}


FALLBACK_VOCABULARY = {"version": 0, "fields": [
    _f("layout", "split", ["split", "split-inorder", "packed", "index", "packed-inorder"]),
    _f("barrier", "smp", ["compiler", "smp", "virt", "dma", "mandatory", "acqrel", "acqrel-seqcst", "branch", "ops"]),
    _f("notify", "poll", ["poll", "flags", "event-idx"]),
    _f("batch", "1"), _f("ring_size", "256"),
    _f("placement", "auto", ["auto", "all", "smt", "same-l2", "same-l3", "cross-l3", "cross-socket", "cross-numa"]),
    _f("wait", "spin", ["spin", "sleep", "hybrid"]), _f("outstanding", "0"), _f("kick_cost_ns", "0"),
    _f("submitters", "1"), _f("kick_mode", "under-lock", ["under-lock", "unlocked"]),
    _f("device_access", "relaxed", ["relaxed", "barrier"]), _f("payload_bytes", "64"), _f("cache_line", "64"),
    _f("runtime_barrier", "smp", ["smp", "mandatory"]), _f("sg", "1"), _f("indirect", "off", ["off", "on", "auto"]),
    _f("completion", "in-order", ["in-order", "reverse", "random"]),
    _f("guest", "thread", ["thread", "kvm"]), _f("kick", "ioeventfd", ["ioeventfd", "exit"]),
    _f("call", "poll", ["poll", "irqfd"]), _f("doorbell", "pio", ["pio", "mmio"]),
    _f("verify", "full", ["full", "ring"], axis=False), _f("inject", "", axis=False),
]}


class Vocabulary:
    """The configuration fields of one run (from its context, or the fallback)."""

    def __init__(self, doc: dict | None):
        ok = isinstance(doc, dict) and isinstance(doc.get("fields"), list) and all(
            isinstance(f, dict) and isinstance(f.get("name"), str) for f in doc["fields"])
        self.doc = doc if ok else FALLBACK_VOCABULARY
        self.from_results = ok
        self._by_name = {f["name"]: f for f in self.doc["fields"]}

    def axes(self) -> list:
        """The sweep's axes (field names), in the order benchmark names carry them."""
        return [f["name"] for f in self.doc["fields"] if f.get("axis")]

    def fields(self) -> list:
        return [f["name"] for f in self.doc["fields"] if f.get("in_config", True)]

    def default(self, name: str):
        f = self._by_name.get(name)
        return None if f is None else norm_value(f.get("default"))

    def values(self, name: str) -> list:
        f = self._by_name.get(name) or {}
        return list(f.get("values") or [])

    def order(self, name: str, values) -> list:
        """Distinct values in the vocabulary's order (unknown ones after, naturally sorted)."""
        pref = self.values(name)
        return sorted(set(values), key=lambda v: (pref.index(v) if v in pref else len(pref), _natkey(v)))


def _natkey(v):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(v))]


FALLBACK = Vocabulary(None)


def vocabulary_of(entries) -> Vocabulary:
    """The vocabulary of the first entry's run that has one written, else the fallback."""
    for e in entries:
        if e.run is not None and e.run.vocabulary.from_results:
            return e.run.vocabulary
    return FALLBACK


def _number(v):
    """A finite float, or None (null, strings, and the NaN SCHEMA forbids all read as missing)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    v = float(v)
    return v if math.isfinite(v) else None


@dataclass
class Entry:
    """One repetition of one configuration."""
    key: str                      # configuration (benchmark name without GB suffixes): an identity only
    repetition: int
    ns_per_buffer: float | None
    counters: dict                # counter name -> float | None
    ringlab: dict                 # entry.ringlab as written (may be {})
    run: "Run" = field(repr=False, default=None)
    error: str | None = None      # error_message of an entry Google Benchmark reported as an error
    corrupt: list = field(default_factory=list)   # data problems: excluded from statistics

    def value(self, metric: str):
        if metric == "ns_per_buffer":
            return self.ns_per_buffer
        return self.counters.get(metric)

    @property
    def vocabulary(self) -> Vocabulary:
        return self.run.vocabulary if self.run is not None else FALLBACK

    def axis(self, name: str, default: str | None = None) -> str | None:
        """A field of the configuration (entry.ringlab.config, field names as in the
        vocabulary), else its vocabulary default, else `default`."""
        cfg = self.ringlab.get("config") if isinstance(self.ringlab.get("config"), dict) else {}
        if cfg.get(name) is not None:
            return norm_value(cfg[name])
        d = self.vocabulary.default(name)
        return d if d is not None else default

    def at_default(self, name: str) -> bool:
        """Whether a field has its default value.  outstanding 0 means "the ring size", and
        results record the resolved value, so outstanding == ring_size is the default too."""
        v = self.axis(name)
        if name == "outstanding" and v == self.axis("ring_size"):
            return True
        return v == self.vocabulary.default(name)

    @property
    def axes(self) -> dict:
        """{field: value} over the sweep's axes."""
        return {a: self.axis(a) for a in self.vocabulary.axes()}

    @property
    def errors(self) -> dict:
        return self.ringlab.get("errors") or {}

    @property
    def verify_errors(self) -> int:
        v = _number(self.counters.get("verify_errors"))
        if v is None:
            v = sum(int(x) for k, x in self.errors.items()
                    if k != "lost_notifications" and isinstance(x, (int, float)))
        return int(v)

    @property
    def lost_notifications(self) -> int:
        v = _number(self.counters.get("lost_notifications"))
        if v is None:
            v = _number(self.errors.get("lost_notifications")) or 0
        return int(v)

    @property
    def valid(self) -> bool:
        return self.ringlab.get("valid", True) is True

    @property
    def has_correctness_failure(self) -> bool:
        # A repetition whose numbers cannot be read cannot be called verified either.
        return bool(self.corrupt) or (not self.valid) or self.verify_errors > 0 or self.lost_notifications > 0


@dataclass
class Run:
    path: str
    context: dict
    entries: list
    histograms: dict              # (key, repetition) -> list of (lower, upper, count)
    micro: list                   # Google Benchmark entries of ringlab-micro (may be [])
    problems: list = field(default_factory=list)   # data problems found while reading, in words

    @property
    def rl(self) -> dict:
        return self.context.get("ringlab") or {}

    @property
    def env(self) -> dict:
        return self.rl.get("environment") or {}

    @property
    def vocabulary(self) -> Vocabulary:
        """context.ringlab.vocabulary, or the fallback for files written before it."""
        if getattr(self, "_vocabulary", None) is None:
            self._vocabulary = Vocabulary(self.rl.get("vocabulary"))
        return self._vocabulary

    @property
    def emulated(self) -> bool:
        return bool(self.rl.get("emulated", False))

    @property
    def arch(self) -> str:
        return self.env.get("arch") or "unknown-arch"

    @property
    def machine_id(self) -> str:
        return self.rl.get("machine_id") or self.context.get("host_name") or "unknown-machine"

    @property
    def run_id(self) -> str:
        return self.rl.get("run_id") or os.path.basename(os.path.normpath(self.path))

    @property
    def preset(self):
        return self.rl.get("preset")

    @property
    def git_revision(self) -> str:
        return self.env.get("git_revision") or "unknown"

    @property
    def date(self) -> datetime | None:
        return parse_date(self.context.get("date"))

    @property
    def label(self) -> str:
        """How the run is named in figures: architecture, machine, and an emulation mark."""
        tag = f"{self.arch} {self.machine_id}"
        return tag + (" [EMULATED]" if self.emulated else "")


def parse_date(s):
    if not isinstance(s, str):
        return None
    try:
        d = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


def _read_json(path: str):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file")
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BadInput(f"{path}: not valid JSON ({e})")


def _value_problems(b: dict, skip: set) -> list:
    """Numbers a results file must not hold: NaN, Infinity, negative counts, strings or
    booleans where a number belongs, a non-boolean 'valid', a missing ringlab object."""
    probs = []
    for k, v in b.items():
        if k in skip and k not in ("real_time", "cpu_time"):
            continue
        if isinstance(v, bool) or isinstance(v, str):
            if isinstance(v, str) or k in ("real_time", "cpu_time"):
                probs.append(f"{k} is {v!r}, not a number")
            continue
        if isinstance(v, (int, float)):
            if not math.isfinite(float(v)):
                probs.append(f"{k} is {v!r}, not a finite number")
            elif v < 0:
                probs.append(f"{k} is negative ({v!r})")
    rl = b.get("ringlab")
    if not isinstance(rl, dict):
        probs.append("no ringlab object (not written by ringlab, or edited)")
    elif "valid" in rl and not isinstance(rl["valid"], bool):
        probs.append(f"ringlab.valid is {rl['valid']!r}, not true or false")
    return probs


_NUMERIC_STRINGS_OK = {"name", "run_name", "run_type", "time_unit", "aggregate_name", "aggregate_unit", "label",
                       "error_message"}


def _entry_from_json(b: dict) -> Entry | None:
    if b.get("run_type", "iteration") != "iteration":
        return None  # aggregates are recomputed from the repetitions, never trusted
    name = b.get("run_name") or b.get("name")
    if not isinstance(name, str):
        return None
    key = config_key_of(name)
    rl = b.get("ringlab") if isinstance(b.get("ringlab"), dict) else {}
    skip = {"name", "run_name", "run_type", "repetitions", "repetition_index", "threads",
            "iterations", "real_time", "cpu_time", "time_unit", "ringlab", "family_index",
            "per_family_instance_index", "aggregate_name", "aggregate_unit", "label",
            "error_occurred", "error_message"}
    counters = {k: _number(v) for k, v in b.items() if k not in skip and not isinstance(v, (dict, list, str))}
    ns = counters.get("ns_per_buffer")
    if ns is None:
        rt = _number(b.get("real_time"))
        unit = TIME_UNIT_NS.get(b.get("time_unit", "ns"), 1.0)
        ns = rt * unit if rt is not None else None
    if b.get("error_occurred"):
        ns = None
    error = (str(b.get("error_message") or "error") if b.get("error_occurred") else None)
    rep = b.get("repetition_index")
    corrupt = _value_problems(b, skip | _NUMERIC_STRINGS_OK)
    if rep is not None and (isinstance(rep, bool) or not isinstance(rep, int) or rep < 0):
        corrupt.append(f"repetition_index is {rep!r}, not a non-negative integer")
        rep = 0
    if corrupt:   # left out of every statistic; still counted, as a correctness failure
        ns, counters = None, {}
    return Entry(key=key, repetition=int(rep or 0),
                 ns_per_buffer=ns, counters=counters, ringlab=rl, corrupt=corrupt, error=error)


def _parse_histograms(doc) -> dict:
    """Histograms per (config key, repetition).

    ringlab sweep writes {"entries": [{"name", "repetition_index", "latency": {"buckets":
    [[lower, upper, count], ...]}}]}; SCHEMA.md itself fixes only "keyed by entry name +
    repetition_index", so a plain list or a map keyed "name#rep" and {lower, upper, count}
    bucket objects are read too."""
    items = []
    if isinstance(doc, dict):
        for k in ("entries", "histograms"):
            if isinstance(doc.get(k), (list, dict)):
                doc = doc[k]
                break
    if isinstance(doc, list):
        items = [(None, h) for h in doc if isinstance(h, dict)]
    elif isinstance(doc, dict):
        items = [(k, h) for k, h in doc.items() if isinstance(h, dict)]
    out = {}
    for k, h in items:
        name = h.get("name") or h.get("run_name")
        rep = h.get("repetition_index")
        if name is None and isinstance(k, str):
            m = re.match(r"^(.*?)(?:[#@](\d+))?$", k)
            name, rep = m.group(1), m.group(2)
        if not isinstance(name, str):
            continue
        body = h.get("latency") if isinstance(h.get("latency"), dict) else h   # ringlab sweep nests it
        buckets = []
        for bk in body.get("buckets") or []:
            if isinstance(bk, (list, tuple)) and len(bk) >= 3:
                lo, hi, n = bk[0], bk[1], bk[2]
            elif isinstance(bk, dict):
                lo, hi, n = bk.get("lower"), bk.get("upper"), bk.get("count")
            else:
                continue
            if all(_number(x) is not None for x in (lo, hi, n)):
                buckets.append((float(lo), float(hi), float(n)))
        if buckets:
            out[(config_key_of(name), int(rep or 0))] = sorted(buckets)
    return out


def histogram_summaries(path: str) -> dict:
    """{(config key, repetition): {count, min, max, p50, p90, p99, p999}} from a run dir's
    histograms.json (the percentiles ringlab wrote; {} when there is no such file)."""
    hpath = os.path.join(path, "histograms.json")
    if not os.path.isfile(hpath):
        return {}
    doc = _read_json(hpath)
    out = {}
    for h in (doc.get("entries") if isinstance(doc, dict) else None) or []:
        if not isinstance(h, dict) or not isinstance(h.get("name"), str):
            continue
        lat = h.get("latency") if isinstance(h.get("latency"), dict) else {}
        out[(config_key_of(h["name"]), int(h.get("repetition_index") or 0))] = {
            k: _number(lat.get(k)) for k in ("count", "min", "max", "p50", "p90", "p99", "p999")}
    return out


def is_run_dir(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "results.json"))


def load_run(path: str) -> Run:
    if not os.path.isdir(path):
        raise BadInput(f"{path}: no such directory")
    rpath = os.path.join(path, "results.json")
    if not os.path.isfile(rpath):
        raise BadInput(f"{path}: not a results directory (no results.json; see results/SCHEMA.md)")
    doc = _read_json(rpath)
    if not isinstance(doc, dict) or not isinstance(doc.get("context"), dict) \
            or not isinstance(doc.get("benchmarks"), list):
        raise BadInput(f"{rpath}: not a results file (needs 'context' and 'benchmarks[]')")
    rl = doc["context"].get("ringlab")
    if not isinstance(rl, dict) or "schema_version" not in rl:
        raise BadInput(f"{rpath}: no context.ringlab.schema_version: not a ringlab results file")
    if rl["schema_version"] not in SUPPORTED_SCHEMA_VERSIONS:
        raise BadInput(f"{rpath}: unknown schema_version {rl['schema_version']!r} "
                       f"(this analysis reads {', '.join(map(str, SUPPORTED_SCHEMA_VERSIONS))})")
    hist = {}
    hpath = os.path.join(path, "histograms.json")
    if os.path.isfile(hpath):
        hist = _parse_histograms(_read_json(hpath))
    micro = []
    mpath = os.path.join(path, "micro.json")
    if os.path.isfile(mpath):
        m = _read_json(mpath)
        if isinstance(m, dict) and isinstance(m.get("benchmarks"), list):
            micro = [b for b in m["benchmarks"] if isinstance(b, dict)]
    run = Run(path=path, context=doc["context"], entries=[], histograms=hist, micro=micro)
    seen = set()
    for i, b in enumerate(doc["benchmarks"]):
        if not isinstance(b, dict):
            run.problems.append(f"benchmarks[{i}] is {type(b).__name__}, not an object: ignored")
            continue
        e = _entry_from_json(b)
        if e is None:
            continue
        e.run = run
        if (e.key, e.repetition) in seen:
            run.problems.append(f"{e.key} repetition {e.repetition} appears twice: the second is ignored")
            continue
        seen.add((e.key, e.repetition))
        for p in e.corrupt:
            run.problems.append(f"{e.key} repetition {e.repetition}: {p}")
        run.entries.append(e)
    return run


def find_run_dirs(path: str, max_depth: int = 3) -> list:
    """A run dir itself, or every run dir below a directory (BASE/CANDIDATE pools, history)."""
    if not os.path.isdir(path):
        raise BadInput(f"{path}: no such directory")
    if is_run_dir(path):
        return [path]
    found = []
    base_depth = path.rstrip(os.sep).count(os.sep)
    for root, dirs, files in os.walk(path):
        dirs.sort()
        if "results.json" in files:
            found.append(root)
            dirs[:] = []
        elif root.count(os.sep) - base_depth >= max_depth:
            dirs[:] = []
    if not found:
        raise BadInput(f"{path}: no results directory in it (no results.json up to {max_depth} levels down)")
    return found


def load_runs(paths) -> list:
    runs = []
    for p in paths:
        runs.extend(load_run(d) for d in find_run_dirs(p))
    return runs


def samples_by_key(entries, metric: str = "ns_per_buffer") -> dict:
    """{configuration key: [value of metric per repetition]}, nulls left out."""
    out = {}
    for e in entries:
        v = e.value(metric)
        if v is not None:
            out.setdefault(e.key, []).append(v)
    return out


def median_of(entries, metric: str):
    """Median of metric over entries (nulls left out), or None when none has a value."""
    vals = [v for v in (e.value(metric) for e in entries) if v is not None]
    return float(np.median(vals)) if vals else None
