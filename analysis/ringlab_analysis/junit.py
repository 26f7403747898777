"""`compare --junit FILE`: the comparison as JUnit XML for CI dashboards.

One <testcase> per configuration seen on either side.  A case fails on a significant
regression above the threshold (type "regression") or on a correctness failure in the
candidate (type "correctness": verification errors, lost notifications, or a repetition that
could not run); a configuration measured on one side only is skipped with the reason.  The
layout is the common JUnit one (testsuites > testsuite > properties, testcase > failure |
skipped, system-out) that Jenkins, GitLab and GitHub test reporters read;
analysis/tests/junit.xsd states it and the tests validate against it.
"""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from . import compare as C

SUITE = "ringlab.compare"


def _cases(res: C.CompareResult) -> list:
    """[(configuration, status, message, details)] with status pass|regression|correctness|skipped."""
    by_key = {r.key: r for r in res.results}
    fails = {}
    for run_id, key, rep, what in res.failures_cand:
        fails.setdefault(key, []).append(f"run {run_id} repetition {rep}: {what}")
    keys = sorted(set(by_key) | set(fails) | set(res.only_base) | set(res.only_cand))
    out = []
    for k in keys:
        r = by_key.get(k)
        detail = ""
        if r is not None:
            c = r.primary
            detail = (f"verdict {c.verdict}; median ns/buffer base {C._fmt(c.median_a)} candidate "
                      f"{C._fmt(c.median_b)}; change {C._ratio_cell(c)}; p {c.p:.3g} q {c.q:.3g}; "
                      f"repetitions {c.n_a}/{c.n_b}")
        if k in fails:
            out.append((k, "correctness", f"{len(fails[k])} candidate repetition(s) failed correctness",
                        "\n".join(fails[k] + ([detail] if detail else []))))
        elif r is not None and r.primary.regression:
            out.append((k, "regression", f"slower by {(r.primary.ratio - 1) * 100:.1f}% "
                        f"(threshold {res.threshold_pct:g}%)", detail))
        elif r is None:
            side = "base" if k in res.only_base else "candidate"
            out.append((k, "skipped", f"measured in the {side} only", ""))
        else:
            out.append((k, "pass", "", detail))
    return out


def to_xml(res: C.CompareResult) -> ET.Element:
    cases = _cases(res)
    n_fail = sum(1 for c in cases if c[1] in ("regression", "correctness"))
    n_skip = sum(1 for c in cases if c[1] == "skipped")
    counts = {"tests": str(len(cases)), "failures": str(n_fail), "errors": "0", "skipped": str(n_skip)}
    root = ET.Element("testsuites", {"name": "ringlab", **counts, "time": "0"})
    suite = ET.SubElement(root, "testsuite", {
        "name": SUITE, **counts, "time": "0",
        "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")})
    props = ET.SubElement(suite, "properties")
    for name, value in (("threshold_pct", f"{res.threshold_pct:g}"), ("emulated", str(res.emulated).lower()),
                        ("base_run_dirs", str(res.n_runs[0])), ("candidate_run_dirs", str(res.n_runs[1]))):
        ET.SubElement(props, "property", {"name": name, "value": value})
    for w in res.env_warnings:
        ET.SubElement(props, "property", {"name": "environment_warning", "value": w})
    for key, status, message, detail in cases:
        tc = ET.SubElement(suite, "testcase", {"classname": SUITE, "name": key, "time": "0"})
        if status in ("regression", "correctness"):
            f = ET.SubElement(tc, "failure", {"message": message, "type": status})
            f.text = detail
        elif status == "skipped":
            ET.SubElement(tc, "skipped", {"message": message})
        if detail and status == "pass":
            ET.SubElement(tc, "system-out").text = detail
    return root


def write(res: C.CompareResult, path: str):
    tree = ET.ElementTree(to_xml(res))
    ET.indent(tree)
    tmp = path + ".tmp"
    tree.write(tmp, encoding="utf-8", xml_declaration=True)
    os.replace(tmp, path)
