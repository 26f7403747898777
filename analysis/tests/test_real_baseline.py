"""Report and compare on the committed baseline: real `ringlab sweep --preset quick` output
from this machine type (results/baselines/), not synthetic fixtures."""
import glob
import json
import os
import shutil
import subprocess
import sys

import pytest

from ringlab_analysis import questions, report
from ringlab_analysis.load import load_run, load_runs, samples_by_key
from test_report import _parse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BASELINES = sorted(glob.glob(os.path.join(ROOT, "results", "baselines", "*", "*", "results.json")))


def test_a_baseline_is_committed():
    assert BASELINES, "results/baselines/<machine>/<run>/results.json is missing"


@pytest.fixture(scope="module")
def baseline_report(tmp_path_factory):
    run_dir = os.path.dirname(BASELINES[-1])
    out = str(tmp_path_factory.mktemp("baseline-report"))
    return run_dir, report.build(load_runs([run_dir]), out)


def test_baseline_is_a_complete_valid_quick_sweep(baseline_report):
    run_dir, _ = baseline_report
    with open(os.path.join(run_dir, "results.json"), encoding="utf-8") as f:
        doc = json.load(f, parse_constant=lambda c: pytest.fail(f"non-finite number {c} in results.json"))
    rl = doc["context"]["ringlab"]
    assert rl["schema_version"] == 1 and rl["complete"] is True and rl["preset"] == "quick"
    assert rl["environment"]["arch"] and rl["machine_id"].startswith(rl["environment"]["arch"])
    iters = [b for b in doc["benchmarks"] if b["run_type"] == "iteration"]
    assert iters and all(b["ringlab"]["valid"] for b in iters)
    assert all(b["time_unit"] == "ns" and b["real_time"] > 0 for b in iters)


def test_report_on_real_results_embeds_figures_and_answers_or_names_presets(baseline_report):
    _, paths = baseline_report
    parsed = _parse(paths["html"])
    assert len(parsed.images) >= 5
    assert all(src.startswith("data:image/png;base64,") for src in parsed.images)
    for q in questions.QUESTIONS:
        s = parsed.sections[q.title]
        assert s["img"] >= 1 or "--preset seeds" in s["text"], q.title
    # The quick preset answers these two itself.
    for title in ("Packed vs split ring", "Mandatory vs SMP barriers, per site kind"):
        assert parsed.sections[title]["img"] >= 1, title


def _compare(base, cand, out):
    wrapper = os.path.join(ROOT, "analysis", "ringlab-report")
    p = subprocess.run([wrapper, "compare", base, cand, "--out", out, "--fail-on-regression"],
                       capture_output=True, text=True, timeout=600)
    with open(os.path.join(out, "compare.json"), encoding="utf-8") as f:
        return p, json.load(f)


def test_baseline_against_itself_is_clean(tmp_path):
    run_dir = os.path.dirname(BASELINES[-1])
    keys = set(samples_by_key(load_run(run_dir).entries))
    p, res = _compare(run_dir, run_dir, str(tmp_path))
    assert p.returncode == 0, p.stdout + p.stderr
    assert "REGRESSION" not in p.stdout
    assert set(res["configurations"]) == keys
    assert res["counts"]["unchanged"] == len(keys) and res["regressions"] == []


def test_planted_slowdown_on_the_baseline_is_found(tmp_path):
    """The same real repetitions, every ns per buffer multiplied by more than the baseline's
    own max/min spread (at least 3x), so each configuration must come out a significant
    regression.  (A VM that changes speed mid-sweep widens the spread; the plant follows.)"""
    run_dir = os.path.dirname(BASELINES[-1])
    samples = samples_by_key(load_run(run_dir).entries)
    spread = max(max(v) / min(v) for v in samples.values())
    factor = max(3.0, 2.0 * spread)
    slow = tmp_path / "slow"
    shutil.copytree(run_dir, slow)
    with open(slow / "results.json", encoding="utf-8") as f:
        doc = json.load(f)
    # The sides' CPU time grows with the window, as it does when a spinning configuration is
    # really slower (scaling the window alone reads as sides that lost their CPUs: set aside).
    for b in doc["benchmarks"]:
        for k in ("ns_per_buffer", "real_time", "cpu_ns_per_buffer", "driver_cpu_ns_per_buffer",
                  "device_cpu_ns_per_buffer"):
            if isinstance(b.get(k), (int, float)):
                b[k] *= factor
    with open(slow / "results.json", "w", encoding="utf-8") as f:
        json.dump(doc, f)
    p, res = _compare(run_dir, str(slow), str(tmp_path / "out"))
    assert p.returncode == 1, p.stdout + p.stderr
    assert sorted(res["regressions"]) == sorted(samples)
    for c in res["configurations"].values():
        assert c["ns_per_buffer"]["ratio"] == pytest.approx(factor)


def test_results_file_passes_the_schema_checker():
    checker = os.path.join(ROOT, "tests", "sweep", "check_results.py")
    p = subprocess.run([sys.executable, checker, os.path.dirname(BASELINES[-1])],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
