"""What differs between the machines of a report: the environment fields first.

When two machines disagree, a hypervisor engineer checks mitigations, microcode and cpuidle
before anything else, so those fields lead the table, then SMT and isolation, frequency
policy, kernel and CPU, then everything else that differs.  One row per field whose value
differs between machines (one representative run each: the latest), nothing when all agree.
"""
from __future__ import annotations

import json

from . import doc as D

# Field-name prefixes in the order a reader checks them; other differing fields follow.
PRIORITY = ("vulnerabilities.", "microcode", "cpuidle.driver", "cpuidle.governor", "cpuidle.deepest_enabled",
            "smt_control", "smt_active", "smt", "isolcpus", "isolated_cpus", "nohz_full", "governor", "boost",
            "kernel", "kernel_cmdline", "cpu_model", "microarch", "hypervisor", "virtualized")
# Facts that always differ or are no property of the machine.
IGNORED = ("machine_id", "git_revision", "ringlab_version", "virtualization_evidence", "cpuidle.cpu",
           "cpuidle.states", "timer.freq_hz", "caches")


def flatten(env: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in (env or {}).items():
        key = prefix + k
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        elif isinstance(v, list):
            out[key] = json.dumps(v, sort_keys=True)
        else:
            out[key] = v
    return out


def _rank(field: str) -> tuple:
    for i, p in enumerate(PRIORITY):
        if field == p or (p.endswith(".") and field.startswith(p)) or field.startswith(p + "."):
            return (i, field)
    return (len(PRIORITY), field)


def differences(runs) -> tuple:
    """(machine ids, [[field, value per machine...]]) for the fields that differ."""
    latest = {}
    for r in runs:
        cur = latest.get(r.machine_id)
        if cur is None or (r.date and (cur.date is None or r.date > cur.date)):
            latest[r.machine_id] = r
    machines = sorted(latest)
    if len(machines) < 2:
        return machines, []
    flat = {m: flatten(latest[m].env) for m in machines}
    fields = set().union(*flat.values())
    rows = []
    for f in sorted(fields, key=_rank):
        if any(f == i or f.startswith(i + ".") for i in IGNORED):
            continue
        vals = [flat[m].get(f) for m in machines]
        if len({json.dumps(v, sort_keys=True) for v in vals}) > 1:
            rows.append([f] + ["-" if v is None else str(v) for v in vals])
    return machines, rows


def blocks(runs) -> list:
    machines, rows = differences(runs)
    if len(machines) < 2:
        return []
    out = [D.Heading(2, "How the machines differ")]
    if not rows:
        out.append(D.Para(f"The environment records of the {len(machines)} machines agree in every field compared."))
        return out
    out.append(D.Para("Environment fields whose values differ between the machines (latest run of each); "
                      "mitigations, microcode and cpuidle first.", "note"))
    out.append(D.Table(["field"] + machines, rows))
    return out
