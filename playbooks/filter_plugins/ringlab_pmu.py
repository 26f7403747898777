"""Ansible filter: which PMU events a ringlab run requested and which really counted.

The host manifest records this from the results themselves (results/SCHEMA.md:
context.ringlab.pmu.events[] and each entry's ringlab.pmu.<role>[]), not from inventory
variables, which only reach ringlab when ringlab_pmu_events_flag is set.
"""


def ringlab_pmu_events(doc):
    rl = ((doc or {}).get("context") or {}).get("ringlab") or {}
    pmu = rl.get("pmu") or {}
    events = [e for e in pmu.get("events") or [] if isinstance(e, dict)]
    counted = set()
    for b in (doc or {}).get("benchmarks") or []:
        roles = ((b.get("ringlab") or {}).get("pmu")) or {}
        if not isinstance(roles, dict):
            continue
        for readings in roles.values():
            for r in readings or []:
                if isinstance(r, dict) and r.get("value") is not None:
                    counted.add(r.get("alias"))
    return {
        "hardware_available": bool(pmu.get("hardware_available")),
        "reason": pmu.get("reason") or "",
        "requested": [e.get("alias") for e in events],
        "available": [e.get("alias") for e in events if e.get("available")],
        "counted": sorted(a for a in counted if a),
    }


class FilterModule:
    def filters(self):
        return {"ringlab_pmu_events": ringlab_pmu_events}
