#!/usr/bin/python3
"""Assertions of the fleet end-to-end test (called by run_fleet_e2e.sh).

  fleet_asserts.py results RESULTS_ROOT REPORT_DIR EXPECT_JSON
  fleet_asserts.py idempotent ANSIBLE_JSON_OUTPUT ROLE...
  fleet_asserts.py tune HOSTS_DIR HOST... --failed HOST

Each prints what it checked and exits 1 with the list of failures.
"""
import glob
import json
import os
import re
import sys

failures = []


def check(ok, what):
    print(("  ok    " if ok else "  FAIL  ") + what)
    if not ok:
        failures.append(what)


def report_text(report_dir):
    """Every text file the report directory holds, concatenated."""
    text = ""
    for path in glob.glob(os.path.join(report_dir, "**", "*"), recursive=True):
        if os.path.isfile(path) and path.endswith((".md", ".html", ".json", ".txt", ".csv")):
            with open(path, errors="replace") as f:
                text += f.read() + "\n"
    return text


def analysis_files(report_dir):
    """The analysis report's own files (not the fleet summary the playbook adds)."""
    return [p for p in glob.glob(os.path.join(report_dir, "**", "*"), recursive=True)
            if os.path.isfile(p) and not os.path.basename(p).startswith("fleet-summary")]


def check_manifest_pmu(host, manifest, rdoc):
    """The manifest's PMU events are the ones the run requested and counted, from its results."""
    pmu = manifest.get("pmu_events")
    check(isinstance(pmu, dict), f"{host}: manifest pmu_events is the results' record, not a list variable")
    if not isinstance(pmu, dict):
        return
    events = rdoc["context"]["ringlab"].get("pmu", {}).get("events", [])
    check(pmu["requested"] == [e["alias"] for e in events], f"{host}: manifest pmu_events.requested = results' events")
    counted = {r["alias"] for b in rdoc["benchmarks"] for role in ((b.get("ringlab") or {}).get("pmu") or {}).values()
               for r in role or [] if r.get("value") is not None}
    check(set(pmu["counted"]) == counted, f"{host}: manifest pmu_events.counted = events with a value ({sorted(counted)})")
    check(set(pmu["counted"]) <= set(pmu["requested"]), f"{host}: nothing counted that was not requested")


def cmd_results(results_root, report_dir, expect_path):
    with open(expect_path) as f:
        expect = json.load(f)   # {"delivered": {host: arch}, "failed": {host: status}, "emulated": [host]}
    print(f"results under {results_root}:")
    for host, arch in expect["delivered"].items():
        dirs = glob.glob(os.path.join(results_root, "*", f"*-{host}"))
        check(len(dirs) >= 1, f"{host}: a collected directory results/<machine-id>/<run-id>-{host}/")
        for d in dirs:
            for name in ("results.json", "histograms.json", "spec.json", "fleet-host.json"):
                check(os.path.isfile(os.path.join(d, name)), f"{host}: {os.path.relpath(d, results_root)}/{name}")
            with open(os.path.join(d, "fleet-host.json")) as f:
                manifest = json.load(f)
            check(manifest["inventory_host"] == host, f"{host}: manifest names the inventory host")
            with open(os.path.join(d, "results.json")) as f:
                rdoc = json.load(f)
            ctx = rdoc["context"]["ringlab"]
            check_manifest_pmu(host, manifest, rdoc)
            # compiled_arch: what the binary ran as (environment.arch is the
            # machine's CPU, x86_64 for a qemu-user host).
            ran_as = ctx["environment"].get("compiled_arch") or ctx["environment"]["arch"]
            check(ran_as == arch, f"{host}: results say it ran as {arch} (got {ran_as})")
            check(bool(ctx["emulated"]) == (host in expect["emulated"]),
                  f"{host}: results emulated={host in expect['emulated']}")
    for host in expect["failed"]:
        check(not glob.glob(os.path.join(results_root, "*", f"*-{host}")), f"{host}: no results collected")

    print(f"report in {report_dir}:")
    check(len(analysis_files(report_dir)) > 0, "the analysis report wrote files")
    text = report_text(report_dir)
    for host in list(expect["delivered"]) + list(expect["failed"]):
        check(host in text, f"the report names {host}")

    with open(os.path.join(report_dir, "fleet-summary.json")) as f:
        summary = json.load(f)
    rows = {r["host"]: r for r in summary["hosts"]}
    check(summary["report"]["status"] == "built", f"summary: report built ({summary['report']})")
    for host in expect["delivered"]:
        r = rows.get(host, {})
        check(r.get("status") == "delivered", f"summary: {host} delivered (got {r.get('status')}: {r.get('reason')})")
        check(r.get("emulated") == (host in expect["emulated"]), f"summary: {host} emulated={host in expect['emulated']}")
    for host, status in expect["failed"].items():
        r = rows.get(host, {})
        check(r.get("status") == status and bool(r.get("reason")),
              f"summary: {host} {status}, with a reason (got {r.get('status')}: {r.get('reason')})")

    # Each delivered run has a row (a line naming its run id) in the analysis
    # report's Markdown, with an emulated cell saying yes/emulated or no/native.
    md_lines = []
    for p in analysis_files(report_dir):
        if p.endswith(".md"):
            with open(p, errors="replace") as f:
                md_lines += f.read().splitlines()
    for host in expect["delivered"]:
        ids = [rows[host]["run_id"]] if rows.get(host, {}).get("run_id") else []
        check(bool(ids), f"summary: {host} has a run id")
        emulated = host in expect["emulated"]
        mark = r"\|\s*(yes|emulated)[^|]*\|" if emulated else r"\|\s*(no|native)\s*\|"
        for run_id in ids:
            lines = [line for line in md_lines if run_id in line]
            arch = expect["delivered"][host]
            check(any(f"| {arch} |" in line for line in lines),
                  f"the analysis report has an {arch} row for {host}'s run {run_id}")
            check(any(re.search(mark, line, re.IGNORECASE) for line in lines),
                  f"the analysis report has a row for {host}'s run {run_id} marked {'emulated' if emulated else 'native'}")


def role_of(task):
    """Role name of a task in ansible.posix.json output ("role : task" names)."""
    name = task["task"]["name"]
    return name.split(" : ", 1)[0] if " : " in name else None


def cmd_idempotent(json_path, roles):
    with open(json_path) as f:
        out = json.load(f)
    print(f"second run, roles {', '.join(roles)}:")
    seen = set()
    for play in out["plays"]:
        for task in play["tasks"]:
            role = role_of(task)
            if role not in roles:
                continue
            seen.add(role)
            for host, res in task["hosts"].items():
                if res.get("changed"):
                    check(False, f"{host}: '{task['task']['name']}' changed on the second run")
    for role in roles:
        check(role in seen, f"role {role} ran and changed nothing")
    stats = out.get("stats", {})
    print("  recap: " + ", ".join(f"{h}: changed={s.get('changed', 0)}" for h, s in sorted(stats.items())))


def cmd_tune(hosts_dir, hosts, failed):
    print("tune restored:")
    for host in hosts + [failed]:
        sysfs = os.path.join(hosts_dir, host, "sysfs")
        for gov in glob.glob(os.path.join(sysfs, "devices/system/cpu/cpu*/cpufreq/scaling_governor")):
            with open(gov) as f:
                check(f.read().strip() == "powersave", f"{host}: {os.path.relpath(gov, sysfs)} back to powersave")
        with open(os.path.join(sysfs, "devices/system/cpu/cpufreq/boost")) as f:
            check(f.read().strip() == "1", f"{host}: boost back on")
        check(not os.path.exists(os.path.join(hosts_dir, host, "work", "tune-saved.json")), f"{host}: saved state removed")
        for dis in glob.glob(os.path.join(sysfs, "devices/system/cpu/cpu*/cpuidle/state*/disable")):
            with open(dis) as f:
                check(f.read().strip() == "0", f"{host}: {os.path.relpath(dis, sysfs)} back to enabled")
        check(not os.path.exists(os.path.join(hosts_dir, host, "work", "tune-cpuidle-saved.json")),
              f"{host}: saved cpuidle state removed")
    idle = os.path.join(hosts_dir, failed, "sysfs", "cpuidle-during-run")
    # Per CPU: state0 (POLL, 0 us) kept, state1 (2 us) and state2 (100 us) disabled.
    check(os.path.exists(idle) and open(idle).read().strip() == "011011",
          f"{failed}: C1 and C6 disabled, POLL kept, during its (failing) run")
    during = os.path.join(hosts_dir, failed, "sysfs", "governor-during-run")
    check(os.path.exists(during) and open(during).read().strip() == "performance",
          f"{failed}: governor was performance during its (failing) run")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "results":
        cmd_results(*args)
    elif cmd == "idempotent":
        cmd_idempotent(args[0], args[1:])
    elif cmd == "tune":
        i = args.index("--failed")
        cmd_tune(args[0], args[1:i], args[i + 1])
    else:
        sys.exit(f"unknown check {cmd}")
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)


if __name__ == "__main__":
    main()
