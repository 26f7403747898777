#!/usr/bin/python3
"""Ansible module: put CPU frequency scaling in a benchmark state and back."""

DOCUMENTATION = r"""
module: ringlab_cpufreq
short_description: Set the cpufreq governor and boost for a ringlab run, and restore them
description:
  - C(state=tuned) saves the current governor of every CPU and the boost
    setting to O(saved_state) (unless a saved state is already there, which
    means an earlier run never restored: that older state is the true
    original), then sets the governor and turns boost off.
  - C(state=restored) writes the saved values back and removes O(saved_state).
  - Reads and writes sysfs under O(root), so a test can point it at a copy.
options:
  state: {type: str, required: true, choices: [tuned, restored]}
  saved_state: {type: path, required: true}
  root: {type: path, default: /sys}
  governor: {type: str, default: performance}
  boost_off: {type: bool, default: true}
"""

import glob
import json
import os

from ansible.module_utils.basic import AnsibleModule

# Two kernel spellings of "boost": acpi-cpufreq and most ARM drivers expose
# cpufreq/boost (1 = on); intel_pstate exposes no_turbo (1 = off).
BOOST_FILES = {
    "devices/system/cpu/cpufreq/boost": {"off": "0"},
    "devices/system/cpu/intel_pstate/no_turbo": {"off": "1"},
}


def read(path):
    with open(path) as f:
        return f.read().strip()


def governor_files(root):
    return sorted(glob.glob(os.path.join(root, "devices/system/cpu/cpu[0-9]*/cpufreq/scaling_governor")))


def current_state(root):
    state = {"governors": {p: read(p) for p in governor_files(root)}, "boost": {}}
    for rel in BOOST_FILES:
        path = os.path.join(root, rel)
        if os.path.exists(path):
            state["boost"][path] = read(path)
    return state


def wanted_state(module, state):
    want = {}
    for path, value in state["governors"].items():
        avail = os.path.join(os.path.dirname(path), "scaling_available_governors")
        if os.path.exists(avail) and module.params["governor"] not in read(avail).split():
            module.warn(f"{path}: governor {module.params['governor']} not offered; left {value}")
            continue
        want[path] = module.params["governor"]
    if module.params["boost_off"]:
        for path in state["boost"]:
            rel = os.path.relpath(path, module.params["root"])
            want[path] = BOOST_FILES[rel]["off"]
    return want


def apply(module, values):
    """Write each value that differs; return the paths that changed."""
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
            "governor": {"type": "str", "default": "performance"},
            "boost_off": {"type": "bool", "default": True},
        },
        supports_check_mode=True,
    )
    root, saved = module.params["root"], module.params["saved_state"]
    isolated_path = os.path.join(root, "devices/system/cpu/isolated")
    isolated = read(isolated_path) if os.path.exists(isolated_path) else ""
    before = current_state(root)
    result = {"changed": False, "isolated": isolated, "before": before, "written": []}
    try:
        if module.params["state"] == "tuned":
            if not before["governors"] and not before["boost"]:
                result["msg"] = "no cpufreq control on this host (virtual machine?): nothing to tune"
                module.exit_json(**result)
            if not os.path.exists(saved):
                result["changed"] = True
                if not module.check_mode:
                    os.makedirs(os.path.dirname(saved), exist_ok=True)
                    with open(saved, "w") as f:
                        json.dump(before, f, indent=1)
            result["written"] = apply(module, wanted_state(module, before))
        else:
            if not os.path.exists(saved):
                result["msg"] = "nothing saved: nothing to restore"
                module.exit_json(**result)
            with open(saved) as f:
                original = json.load(f)
            values = dict(original.get("governors", {}), **original.get("boost", {}))
            result["written"] = apply(module, {p: v for p, v in values.items() if os.path.exists(p)})
            result["changed"] = True
            if not module.check_mode:
                os.unlink(saved)
    except OSError as err:
        module.fail_json(msg=f"cpufreq {module.params['state']}: {err}", **result)
    result["changed"] = result["changed"] or bool(result["written"])
    result["after"] = current_state(root)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
