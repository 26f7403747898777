#!/usr/bin/python3
"""Ansible module: disable deep C-states for a ringlab run and restore them."""

DOCUMENTATION = r"""
module: ringlab_cpuidle
short_description: Disable cpuidle states deeper than a latency for a ringlab run, and restore them
description:
  - C(state=tuned) saves the C(disable) flag of every cpuidle state of every CPU to
    O(saved_state) (unless a saved state is already there: an earlier run never restored,
    and that older state is the true original), then disables every state whose exit
    latency is above O(max_latency_us). This is what C(cpupower idle-set -D N) writes; it
    needs no process held open for the run (unlike /dev/cpu_dma_latency) and comes back
    exactly from the saved flags.
  - C(state=restored) writes the saved flags back and removes O(saved_state).
  - Reads and writes sysfs under O(root), so a test can point it at a copy.
options:
  state: {type: str, required: true, choices: [tuned, restored]}
  saved_state: {type: path, required: true}
  root: {type: path, default: /sys}
  max_latency_us: {type: int, default: 0}
"""

import glob
import json
import os

from ansible.module_utils.basic import AnsibleModule


def read(path):
    with open(path) as f:
        return f.read().strip()


def state_dirs(root):
    return sorted(glob.glob(os.path.join(root, "devices/system/cpu/cpu[0-9]*/cpuidle/state[0-9]*")))


def current(root):
    return {os.path.join(d, "disable"): read(os.path.join(d, "disable"))
            for d in state_dirs(root) if os.path.exists(os.path.join(d, "disable"))}


def wanted(module, before):
    out = {}
    for path in before:
        d = os.path.dirname(path)
        lat = os.path.join(d, "latency")
        if os.path.exists(lat) and int(read(lat)) > module.params["max_latency_us"]:
            out[path] = "1"
    return out


def apply(module, values):
    changed = []
    for path, value in values.items():
        if read(path) != value:
            changed.append(path)
            if not module.check_mode:
                with open(path, "w") as f:
                    f.write(value)
    return changed


def main():
    module = AnsibleModule(
        argument_spec={
            "state": {"type": "str", "required": True, "choices": ["tuned", "restored"]},
            "saved_state": {"type": "path", "required": True},
            "root": {"type": "path", "default": "/sys"},
            "max_latency_us": {"type": "int", "default": 0},
        },
        supports_check_mode=True,
    )
    root, saved = module.params["root"], module.params["saved_state"]
    before = current(root)
    result = {"changed": False, "written": [], "states": len(before)}
    try:
        if module.params["state"] == "tuned":
            if not before:
                result["msg"] = "no cpuidle states on this host: nothing to disable"
                module.exit_json(**result)
            if not os.path.exists(saved):
                result["changed"] = True
                if not module.check_mode:
                    os.makedirs(os.path.dirname(saved), exist_ok=True)
                    with open(saved, "w") as f:
                        json.dump({"disable": before}, f, indent=1)
            result["written"] = apply(module, wanted(module, before))
        else:
            if not os.path.exists(saved):
                result["msg"] = "nothing saved: nothing to restore"
                module.exit_json(**result)
            with open(saved) as f:
                original = json.load(f).get("disable", {})
            result["written"] = apply(module, {p: v for p, v in original.items() if os.path.exists(p)})
            result["changed"] = True
            if not module.check_mode:
                os.unlink(saved)
    except (OSError, ValueError) as err:
        module.fail_json(msg=f"cpuidle {module.params['state']}: {err}", **result)
    result["changed"] = result["changed"] or bool(result["written"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
