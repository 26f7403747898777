"""compare's exit codes and the wrapper script, run as a user would."""
import json
import os
import subprocess

import pytest

import fixtures as F

WRAPPER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "ringlab-report")
CFGS = F.grid(layout=["split", "packed"], barrier=["smp", "mandatory"], notify=["poll"], batch=[1, 8])


def run(*args, env=None):
    e = dict(os.environ, **(env or {}))
    return subprocess.run([WRAPPER, *args], capture_output=True, text=True, env=e, timeout=120)


def slower_mandatory(cfg):
    return 1.10 if cfg["barrier"] == "mandatory" else 1.0


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    # Interleaved rounds, pooled: base/rK and cand/rK with 2 repetitions each -> 10 per side.
    for k in range(5):
        F.write_run(str(root / "base" / f"r{k}"), CFGS, reps=2, seed=100 + k)
        F.write_run(str(root / "aa" / f"r{k}"), CFGS, reps=2, seed=200 + k)
        F.write_run(str(root / "slow" / f"r{k}"), CFGS, reps=2, seed=300 + k, scale=slower_mandatory)
    F.write_run(str(root / "broken"), CFGS, reps=10, seed=400,
                errors={F.bench_name(CFGS[0]): {"lost_notifications": 1}})
    return root


def test_aa_comparison_is_clean(dirs, tmp_path):
    r = run("compare", str(dirs / "base"), str(dirs / "aa"), "--out", str(tmp_path), "--fail-on-regression")
    assert r.returncode == 0, r.stdout + r.stderr
    res = json.load(open(tmp_path / "compare.json"))
    assert res["regressions"] == [] and res["counts"]["slower"] == 0
    for f in ("compare.md", "compare.html", "compare.json"):
        assert (tmp_path / f).is_file()
    assert "ringlab A/B comparison" in r.stdout


def test_planted_slowdown_exits_1_only_with_fail_on_regression(dirs, tmp_path):
    r = run("compare", str(dirs / "base"), str(dirs / "slow"), "--out", str(tmp_path / "a"), "--fail-on-regression")
    assert r.returncode == 1, r.stdout + r.stderr
    res = json.load(open(tmp_path / "a" / "compare.json"))
    assert sorted(res["regressions"]) == sorted(F.bench_name(c) for c in CFGS if c["barrier"] == "mandatory")
    assert "REGRESSION" in r.stdout
    r = run("compare", str(dirs / "base"), str(dirs / "slow"), "--out", str(tmp_path / "b"))
    assert r.returncode == 0
    # a threshold above the planted 10% reports the slowdown but does not fail
    r = run("compare", str(dirs / "base"), str(dirs / "slow"), "--out", str(tmp_path / "c"),
            "--fail-on-regression", "--threshold", "25")
    assert r.returncode == 0 and "slower" in r.stdout


def test_candidate_correctness_failure(dirs, tmp_path):
    r = run("compare", str(dirs / "base"), str(dirs / "broken"), "--out", str(tmp_path), "--fail-on-correctness")
    assert r.returncode == 1
    assert "correctness failures" in r.stdout


def test_bad_input_exits_2(dirs, tmp_path):
    assert run("compare", str(tmp_path / "nope"), str(dirs / "aa"), "--out", str(tmp_path / "o")).returncode == 2
    notres = tmp_path / "notres"
    notres.mkdir()
    (notres / "results.json").write_text('{"hello": 1}')
    r = run("compare", str(notres), str(dirs / "aa"), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "not a results file" in r.stderr
    future = tmp_path / "future"
    F.write_run(str(future), CFGS[:1], reps=3)
    doc = json.load(open(future / "results.json"))
    doc["context"]["ringlab"]["schema_version"] = 99
    json.dump(doc, open(future / "results.json", "w"))
    r = run("report", str(future), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "schema_version" in r.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("history", str(empty), "--out", str(tmp_path / "o")).returncode == 2
    assert run("compare", str(dirs / "aa"), "--out", str(tmp_path / "o")).returncode == 2   # missing argument


def test_wrapper_names_debian_packages_when_no_interpreter_fits(tmp_path):
    fake = tmp_path / "py"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    env = {"RINGLAB_PYTHON": str(fake), "PATH": str(tmp_path)}
    # A copy of the wrapper whose Debian interpreter is the failing stand-in too, so the
    # "none fits" branch runs whether or not this machine has /usr/bin/python3.
    with open(WRAPPER, encoding="utf-8") as f:
        text = f.read()
    assert "/usr/bin/python3" in text
    (tmp_path / "ringlab-report").write_text(text.replace("/usr/bin/python3", str(fake)))
    r = subprocess.run(["/bin/sh", str(tmp_path / "ringlab-report"), "--help"], capture_output=True, text=True, env=env)
    assert r.returncode == 2 and "python3-matplotlib python3-numpy python3-scipy" in r.stderr
    if os.path.exists("/usr/bin/python3"):
        r = subprocess.run(["/bin/sh", WRAPPER, "--help"], capture_output=True, text=True, env=env)
        assert r.returncode == 0, r.stderr    # a bad $RINGLAB_PYTHON falls back to Debian's python3


def test_help_lists_the_commands():
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("report", "compare", "history"):
        assert cmd in r.stdout
