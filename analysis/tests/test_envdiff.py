"""The report names what differs between machines, mitigations / microcode / cpuidle first."""
import copy
import json
import os

import fixtures as F
from ringlab_analysis import envdiff, report
from ringlab_analysis.load import load_runs

CFGS = F.grid(layout=["split"], barrier=["smp"], notify=["poll"], batch=[1, 8])


def _patch_env(run_dir, **fields):
    p = os.path.join(run_dir, "results.json")
    doc = json.load(open(p))
    doc["context"]["ringlab"]["environment"].update(copy.deepcopy(fields))
    json.dump(doc, open(p, "w"))


def test_differences_lead_the_report(tmp_path):
    common = {"cpuidle": {"driver": "intel_idle", "governor": "menu", "deepest_enabled": "C6", "cpu": 0, "states": []},
              "vulnerabilities": {"meltdown": "Not affected", "spectre_v2": "Mitigation: Retpolines"},
              "microcode": "0xa201016", "smt_control": "on"}
    a = F.write_run(str(tmp_path / "a"), CFGS, reps=2, machine_id="x86_64-a-00000001", run_id="20261121T210000Z-aaaaaa")
    b = F.write_run(str(tmp_path / "b"), CFGS, reps=2, machine_id="x86_64-b-00000002", run_id="20261121T210000Z-bbbbbb",
                    kernel="6.12.0-other")
    _patch_env(a, **common)
    other = copy.deepcopy(common)
    other["vulnerabilities"]["spectre_v2"] = "Vulnerable"
    other["cpuidle"]["deepest_enabled"] = "C1"
    other["microcode"] = "0xa201030"
    _patch_env(b, **other)
    runs = load_runs([a, b])
    machines, rows = envdiff.differences(runs)
    fields = [r[0] for r in rows]
    assert machines == ["x86_64-a-00000001", "x86_64-b-00000002"]
    assert fields[:3] == ["vulnerabilities.spectre_v2", "microcode", "cpuidle.deepest_enabled"]
    assert "kernel" in fields and "vulnerabilities.meltdown" not in fields and "machine_id" not in fields
    assert rows[0][1:] == ["Mitigation: Retpolines", "Vulnerable"]
    md = open(report.build(runs, str(tmp_path / "rep"))["markdown"]).read()
    assert md.index("How the machines differ") < md.index("Questions answered")
    assert "| vulnerabilities.spectre_v2 | Mitigation: Retpolines | Vulnerable |" in md


def test_one_machine_adds_nothing(tmp_path):
    a = F.write_run(str(tmp_path / "a"), CFGS, reps=2)
    assert envdiff.blocks(load_runs([a])) == []
