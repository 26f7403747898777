"""`ringlab sweep` end to end, as a user runs it.  Tiny sweeps only (small shared machine).

Needs RINGLAB_BIN (the ringlab executable); CTest sets it.
"""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import check_results  # noqa: E402

BIN = os.environ.get("RINGLAB_BIN", "ringlab")
SCHEMA = os.environ.get("RINGLAB_SCHEMA", check_results.DEFAULT_SCHEMA)
AXES = ["layout", "barrier", "notify", "batch", "ring_size", "placement", "wait", "outstanding", "kick_cost_ns",
        "submitters", "kick_mode", "device_access", "payload_bytes", "cache_line", "runtime_barrier"]


def sweep(*args, timeout=120):
    return subprocess.run([BIN, "sweep", *args], capture_output=True, text=True, timeout=timeout)


def iteration_entries(doc):
    return [b for b in doc["benchmarks"] if b["run_type"] == "iteration"]


def test_tiny_preset_gives_a_valid_results_directory(tmp_path):
    out = tmp_path / "run"
    r = sweep("--preset", "tiny", "--out", str(out))
    assert r.returncode == 0, r.stderr
    doc, problems = check_results.check_dir(str(out), SCHEMA)
    assert problems == []
    rl = doc["context"]["ringlab"]
    assert rl["complete"] is True and rl["interrupted"] is False
    assert rl["preset"] == "tiny"
    assert doc["context"]["json_schema_version"] == 1  # Google Benchmark's format version (GB >= 1.8.4)
    entries = iteration_entries(doc)
    assert len(entries) == rl["configurations"]["total"] >= 2
    for e in entries:
        assert e["verify_errors"] == 0 and e["lost_notifications"] == 0
        assert e["ringlab"]["valid"] is True
        assert e["real_time"] > 0 and e["iterations"] > 0
        assert e["ringlab"]["cpus"][0] != e["ringlab"]["cpus"][1]
    # The PMU probe is recorded, and says why hardware counters are missing when they are.
    pmu = rl["pmu"]
    assert isinstance(pmu["hardware_available"], bool)
    if not pmu["hardware_available"]:
        assert pmu["reason"]
    assert "[sweep]" in r.stderr and "configurations" in r.stderr  # the progress line


def test_repetitions_write_aggregates_compare_py_reads(tmp_path):
    out = tmp_path / "reps"
    r = sweep("--preset", "tiny", "--out", str(out), "--benchmark_repetitions=2",
              "--benchmark_filter=notify:poll")
    assert r.returncode == 0, r.stderr
    doc, problems = check_results.check_dir(str(out), SCHEMA)
    assert problems == []
    aggs = {b["aggregate_name"] for b in doc["benchmarks"] if b["run_type"] == "aggregate"}
    assert {"mean", "median", "stddev"} <= aggs
    for b in iteration_entries(doc):
        assert b["repetitions"] == 2 and b["repetition_index"] in (0, 1)
    # The filter ran only the poll rows.
    assert all("notify:poll" in b["name"] for b in doc["benchmarks"])


@pytest.mark.parametrize("args, needle", [
    (["--preset", "nope"], "valid presets: "),
    (["--preset", "tiny", "--placement", "sideways"], "valid values: auto, all, smt"),
    (["--preset", "tiny"], "--out DIR is required"),
    (["--preset", "tiny", "--cpus", "0,0"], "two different CPUs"),
    (["--preset", "tiny", "--frobnicate"], "valid options"),
    (["--preset", "tiny", "--spec", "x.json"], "not both"),
    (["--preset", "tiny", "--seed", "abc"], "--seed takes"),
    (["--preset", "tiny", "--benchmark_repetitions=abc"], "--benchmark_repetitions=abc is not valid (an integer from 1 to 1000)"),
    (["--preset", "tiny", "--benchmark_min_time=abc"], "--benchmark_min_time=abc is not valid (seconds above 0"),
    (["--preset", "tiny", "--benchmark_min_time=0"], "--benchmark_min_time=0 is not valid (seconds above 0"),
    (["--preset", "tiny", "--benchmark_frobnicate=1"], "Google Benchmark did not accept"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, args, needle):
    out = tmp_path / "bad"
    extra = [] if "--out" in args or needle.startswith("--out") else ["--out", str(out)]
    r = sweep(*args, *extra)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert needle in r.stderr
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("spec, needle", [
    ({"axes": {"layuot": "split"}}, "valid axes: layout, barrier"),
    ({"axes": {"notify": "sometimes"}}, "valid values: poll, flags, event-idx"),
    ({"axes": {"ring_size": 300}}, "power of two"),
    ({"axes": {"batch": 512, "ring_size": 256}}, "all 1 combinations were pruned"),
])
def test_bad_spec_exits_2(tmp_path, spec, needle):
    f = tmp_path / "spec.json"
    f.write_text(json.dumps(spec))
    out = tmp_path / "out"
    r = sweep("--spec", str(f), "--out", str(out))
    assert r.returncode == 2, r.stderr
    assert needle in r.stderr
    assert not out.exists()


def test_full_dry_run_lists_every_axis_and_writes_nothing(tmp_path):
    r = sweep("--preset", "full", "--dry-run", "--seed", "5")
    assert r.returncode == 0, r.stderr
    for axis in AXES:
        assert "\n  %s " % axis in r.stdout, axis
    assert "pruned (" in r.stdout and "estimated time" in r.stdout
    assert "ring/layout:" in r.stdout
    # The same seed lists the same order.
    assert sweep("--preset", "full", "--dry-run", "--seed", "5").stdout == r.stdout


def test_existing_results_need_resume(tmp_path):
    out = tmp_path / "again"
    assert sweep("--preset", "tiny", "--out", str(out)).returncode == 0
    before = (out / "results.json").read_text()
    r = sweep("--preset", "tiny", "--out", str(out))
    assert r.returncode == 2 and "--resume" in r.stderr
    assert (out / "results.json").read_text() == before
    # Resuming a complete sweep runs nothing and keeps every entry once.
    r = sweep("--preset", "tiny", "--out", str(out), "--resume")
    assert r.returncode == 0, r.stderr
    doc = json.loads((out / "results.json").read_text())
    names = [b["name"] for b in iteration_entries(doc)]
    assert len(names) == len(set(names)) == json.loads(before)["context"]["ringlab"]["configurations"]["total"]
    # A different spec cannot resume into it.
    assert sweep("--preset", "ci", "--out", str(out), "--resume").returncode == 2


def test_sigint_leaves_a_valid_file_and_resume_finishes(tmp_path):
    spec = {"name": "sigint", "settings": {"buffers": 1000000, "repetitions": 2, "measure_floor": False},
            "axes": {"layout": ["split", "packed"], "batch": [4, 16], "notify": "poll"}}
    f = tmp_path / "spec.json"
    f.write_text(json.dumps(spec))
    out = tmp_path / "out"
    p = subprocess.Popen([BIN, "sweep", "--spec", str(f), "--out", str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = out / "results.json"
    deadline = time.time() + 120
    while time.time() < deadline and p.poll() is None:
        try:
            if iteration_entries(json.loads(results.read_text())):
                break
        except (OSError, ValueError):
            pass  # not written yet (a half-written file would be a failure below)
        time.sleep(0.02)
    assert p.poll() is None, "the sweep finished before it could be interrupted; make it longer"
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130, err
    assert "interrupted" in err
    doc, problems = check_results.check_dir(str(out), SCHEMA)
    assert problems == []
    rl = doc["context"]["ringlab"]
    assert rl["complete"] is False and rl["interrupted"] is True
    done = iteration_entries(doc)
    assert 2 <= len(done) < 8
    per_config = {}
    for b in done:
        per_config.setdefault(b["run_name"], []).append(b["repetition_index"])
    assert all(sorted(v) == [0, 1] for v in per_config.values()), per_config  # no half configuration

    r = sweep("--spec", str(f), "--out", str(out), "--resume")
    assert r.returncode == 0, r.stderr
    doc, problems = check_results.check_dir(str(out), SCHEMA)
    assert problems == []
    rl2 = doc["context"]["ringlab"]
    assert rl2["complete"] is True and rl2["interrupted"] is False
    assert rl2["run_id"] == rl["run_id"] and rl2["seed"] == rl["seed"]
    names = [b["name"] for b in iteration_entries(doc)]
    assert len(names) == 8 and len(set(names)) == 4


def test_console_is_one_line_per_configuration_unless_gb_table(tmp_path):
    r = sweep("--preset", "tiny", "--out", str(tmp_path / "a"), "--benchmark_repetitions=2")
    assert r.returncode == 0, r.stderr
    lines = [l for l in r.stdout.splitlines() if l.startswith("  ring/")]
    assert len(lines) == 3, r.stdout               # the tiny preset's three configurations
    assert all("ns/buffer (median of 2, range " in l for l in lines), lines
    assert "Benchmark" not in r.stdout and "_median" not in r.stdout
    r = sweep("--preset", "tiny", "--out", str(tmp_path / "b"), "--benchmark_repetitions=2", "--gb-table")
    assert r.returncode == 0, r.stderr
    assert "Benchmark" in r.stdout and "_median" in r.stdout
