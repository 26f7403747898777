"""Google Benchmark's own compare.py (Debian's libbenchmark-tools) on real `ringlab sweep` results.

tests/sweep/check_results.py imitates what compare.py reads; this test runs the tool itself.
Needs RINGLAB_BIN (CTest sets it) and /usr/share/benchmark/compare.py (runners/setup-deps.sh
--test installs libbenchmark-tools; RINGLAB_COMPARE_PY overrides the path).
"""
import json
import os
import subprocess
import sys

import pytest

BIN = os.environ.get("RINGLAB_BIN", "ringlab")
COMPARE_PY = os.environ.get("RINGLAB_COMPARE_PY", "/usr/share/benchmark/compare.py")

pytestmark = pytest.mark.skipif(not os.path.isfile(COMPARE_PY),
                                reason=f"{COMPARE_PY} missing: install Debian's libbenchmark-tools "
                                       "(runners/setup-deps.sh --test does)")


def sweep(out, *args, one_cpu=False):
    # One CPU in the affinity mask: the engine cannot place a driver/device pair, so every
    # configuration becomes a Google Benchmark error entry, as on a host that lost a CPU.
    pre = (lambda: os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})) if one_cpu else None
    r = subprocess.run([BIN, "sweep", "--preset", "tiny", "--out", str(out), *args],
                       capture_output=True, text=True, timeout=120, preexec_fn=pre)
    assert r.returncode in (0, 1), r.stderr
    with open(os.path.join(out, "results.json")) as f:
        return json.load(f)


def compare_py(base, cand, tmp_path):
    dump = tmp_path / "diff.json"
    r = subprocess.run([sys.executable, COMPARE_PY, "--no-color", "-d", str(dump), "benchmarks",
                        os.path.join(base, "results.json"), os.path.join(cand, "results.json")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stdout + r.stderr
    with open(dump) as f:
        return r.stdout, json.load(f)


def test_compare_py_reads_a_real_sweep(tmp_path):
    base, cand = tmp_path / "base", tmp_path / "cand"
    doc = sweep(base, "--benchmark_repetitions=2")
    sweep(cand, "--benchmark_repetitions=2")
    out, diff = compare_py(base, cand, tmp_path)
    names = {b["run_name"] for b in doc["benchmarks"] if b["run_type"] == "iteration"}
    rows = {d["name"]: d for d in diff}
    assert names and names <= set(rows), out
    for n in names:
        assert len(rows[n]["measurements"]) == 2                      # both repetitions paired
        assert rows[n]["utest"], f"no U test for {n}: {out}"          # 2 repetitions: the U test ran
        assert rows[n + "_median"]["run_type"] == "aggregate"
        m = rows[n]["measurements"][0]
        assert m["real_time"] > 0 and m["real_time_other"] > 0
    assert "OVERALL_GEOMEAN" in rows, out
    assert "9+ repetitions recommended" in out   # what the README's repetition advice is about


def test_error_entries_never_read_as_a_speed_up(tmp_path):
    good, bad = tmp_path / "good", tmp_path / "bad"
    gdoc = sweep(good)
    bdoc = sweep(bad, one_cpu=True)
    errors = [b for b in bdoc["benchmarks"] if b.get("error_occurred")]
    assert errors and len(errors) == len(bdoc["benchmarks"]), "every configuration should have failed"
    for b in errors:
        assert b["name"] == b["run_name"] + "_error" and b["error_message"]
    # Base measured, candidate failed: compare.py must not pair a failure with a measurement
    # (real_time 0 against a figure prints -1.0000, i.e. "100% faster").
    out, diff = compare_py(good, bad, tmp_path)
    for d in diff:
        for m in d["measurements"]:
            assert m["time"] != -1.0 and m["real_time_other"] != 0, out
    measured = {b["run_name"] for b in gdoc["benchmarks"]}
    assert not measured & {d["name"] for d in diff}, out
    # Both failed: compare.py shows each configuration, named as an error, unchanged.
    out, diff = compare_py(bad, bad, tmp_path)
    shown = [d["name"] for d in diff if d["name"] != "OVERALL_GEOMEAN"]
    assert shown and all(n.endswith("_error") for n in shown), out
    assert all(n + "_error" in out for n in measured)
