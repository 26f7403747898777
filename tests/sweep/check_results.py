#!/usr/bin/python3
"""Checks a ringlab results directory against the results contract (results/SCHEMA.md).

    check_results.py DIR [--schema results/schema/results-v1.schema.json]

1. results.json parses with NaN/Infinity rejected, and validates against the JSON Schema.
2. Every null flat counter or ringlab field has a reason in the entry's ringlab.nulls.
3. Google Benchmark's tools/compare.py can read it: the file is read the way that tool's
   gbench.util and gbench.report read it (benchmarks[], name, run_name, run_type,
   aggregate_name, real_time, cpu_time, time_unit, repetition indices) and its partitions built.
4. histograms.json and spec.json parse, and histogram keys name real entries.
Exit 0 when all hold; prints each problem and exits 1 otherwise.
"""
import argparse
import json
import os
import sys

DEFAULT_SCHEMA = os.path.join(os.path.dirname(__file__), "..", "..", "results", "schema", "results-v1.schema.json")


def _reject_constant(name):
    raise ValueError("non-finite number %s in JSON" % name)


def load_strict(path):
    with open(path) as f:
        return json.load(f, parse_constant=_reject_constant)


def schema_problems(doc, schema_path):
    import jsonschema
    with open(schema_path) as f:
        schema = json.load(f)
    v = jsonschema.Draft202012Validator(schema)
    return ["schema: %s: %s" % (e.json_path, e.message[:300]) for e in v.iter_errors(doc)]


def null_reason_problems(doc):
    out = []
    for i, e in enumerate(doc["benchmarks"]):
        nulls = e.get("ringlab", {}).get("nulls", {})
        for k, v in e.items():
            if v is None and k not in nulls:
                out.append("benchmarks[%d] %s: %s is null without a reason" % (i, e.get("name"), k))
        r = e.get("ringlab", {})
        for k in ("relation", "pmu", "software"):
            if k in r and r[k] is None and k not in nulls:
                out.append("benchmarks[%d]: ringlab.%s is null without a reason" % (i, k))
    return out


def compare_py_problems(doc):
    """What gbench.util.sort_benchmark_results and gbench.report.get_difference_report touch."""
    out = []
    benchmarks = doc.get("benchmarks")
    if not isinstance(benchmarks, list):
        return ["compare.py: benchmarks[] missing"]
    # util.load_benchmark_results filter: run_name or name must be a string.
    for b in benchmarks:
        if not isinstance(b.get("run_name") or b.get("name"), str):
            out.append("compare.py: entry without name/run_name")
    # util.sort_benchmark_results keys.
    try:
        sorted(benchmarks, key=lambda b: (b.get("family_index", -1), b.get("per_family_instance_index", -1),
                                          1 if b.get("run_type") == "aggregate" else 0, b.get("repetition_index", -1)))
    except TypeError as ex:
        out.append("compare.py: sort keys not comparable: %s" % ex)
    # report.partition_benchmarks groups by name; get_difference_report reads these per entry.
    for b in benchmarks:
        for k in ("name", "time_unit"):
            if not isinstance(b.get(k), str):
                out.append("compare.py: %s: %s missing" % (b.get("name"), k))
        if b.get("run_type") == "iteration":
            for k in ("real_time", "cpu_time"):
                if not isinstance(b.get(k), (int, float)):
                    out.append("compare.py: %s: %s is not a number" % (b.get("name"), k))
        elif b.get("run_type") == "aggregate":
            if not b.get("aggregate_name"):
                out.append("compare.py: aggregate %s without aggregate_name" % b.get("name"))
            if not b["name"].endswith("_" + b["aggregate_name"]):
                out.append("compare.py: aggregate name %s does not end in _%s" % (b["name"], b["aggregate_name"]))
        else:
            out.append("compare.py: %s: run_type %r" % (b.get("name"), b.get("run_type")))
    return out


def side_file_problems(d, doc):
    out = []
    names = {(b["name"], b.get("repetition_index")) for b in doc["benchmarks"]}
    hp = os.path.join(d, "histograms.json")
    if os.path.exists(hp):
        h = load_strict(hp)
        for e in h.get("entries", []):
            if (e.get("name"), e.get("repetition_index")) not in names:
                out.append("histograms.json: %s#%s names no results entry" % (e.get("name"), e.get("repetition_index")))
            lat = e.get("latency", {})
            if sum(b[2] for b in lat.get("buckets", [])) != lat.get("count"):
                out.append("histograms.json: %s bucket counts do not add up" % e.get("name"))
    else:
        out.append("histograms.json missing")
    if not os.path.exists(os.path.join(d, "spec.json")):
        out.append("spec.json missing")
    else:
        load_strict(os.path.join(d, "spec.json"))
    return out


def check_dir(d, schema_path=DEFAULT_SCHEMA):
    doc = load_strict(os.path.join(d, "results.json"))
    problems = schema_problems(doc, schema_path)
    problems += null_reason_problems(doc)
    problems += compare_py_problems(doc)
    problems += side_file_problems(d, doc)
    return doc, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--schema", default=DEFAULT_SCHEMA)
    a = ap.parse_args()
    _, problems = check_dir(a.dir, a.schema)
    for p in problems:
        print(p)
    print("%s: %s" % (a.dir, "OK" if not problems else "%d problem(s)" % len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
