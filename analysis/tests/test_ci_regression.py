"""runners/ci-regression.sh with stand-in binaries that write synthetic results dirs."""
import json
import os
import subprocess

import pytest

import fixtures as F

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(os.path.dirname(os.path.dirname(HERE)), "runners", "ci-regression.sh")

FAKE = """#!/bin/sh
# stand-in for `ringlab sweep --preset ci --out DIR --benchmark_enable_random_interleaving=true`
[ "$1" = sweep ] || exit 2
out=""
while [ $# -gt 0 ]; do [ "$1" = --out ] && out=$2; shift; done
echo "$(basename "$out")" >> "$(dirname "$0")/calls-{side}"
exec /usr/bin/python3 - "$out" <<'PY'
import sys, zlib
sys.path.insert(0, {here!r})
import fixtures as F
cfgs = F.grid(**{axes!r})
out = sys.argv[1]
F.write_run(out, cfgs, reps=1, seed=zlib.crc32(out.encode()), noise=0.01,
            scale=lambda c: {scale} if c["barrier"] == "mandatory" else 1.0,
            errors={errors})
PY
"""


def fake(tmp_path, side, scale=1.0, errors=None):
    d = tmp_path / side
    d.mkdir()
    p = d / "ringlab"
    p.write_text(FAKE.format(side=side, here=HERE, axes=AXES, scale=scale, errors=errors or {}))
    p.chmod(0o755)
    return str(p)


# The configurations every stand-in sweep writes; the candidate's mandatory ones carry `scale`.
AXES = {"layout": ["split", "packed"], "barrier": ["smp", "mandatory"], "notify": ["poll"], "batch": [1, 8]}
CFGS = F.grid(**AXES)


def run(*args):
    return subprocess.run([SCRIPT, *args], capture_output=True, text=True, timeout=300)


def test_interleaved_clean_run(tmp_path):
    b, c = fake(tmp_path, "b"), fake(tmp_path, "c")
    r = run(b, c, str(tmp_path / "out"), "6")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ringlab A/B comparison" in r.stdout
    for k in range(1, 7):
        assert (tmp_path / "out" / "base" / f"r{k}" / "results.json").is_file()
        assert (tmp_path / "out" / "cand" / f"r{k}" / "results.json").is_file()
    log = [line.split("/6: ", 1)[1].split()[0] for line in r.stderr.splitlines() if "/6: " in line]
    abba = [s for k in range(1, 7) for s in (("base", "cand") if k % 2 else ("cand", "base"))]
    assert log == abba
    for side in ("b", "c"):                       # each stand-in ran once per round, in round order
        assert (tmp_path / side / f"calls-{side}").read_text().split() == [f"r{k}" for k in range(1, 7)]
    assert (tmp_path / "out" / "report" / "compare.html").is_file()


def test_regression_fails(tmp_path):
    b, c = fake(tmp_path, "b"), fake(tmp_path, "c", scale=1.3)
    r = run(b, c, str(tmp_path / "out"), "6")
    assert r.returncode == 1, r.stdout + r.stderr
    slower = sorted(F.bench_name(c) for c in CFGS if c["barrier"] == "mandatory")
    # A real regression survives the confirmation: 6 more rounds, and all 12 pooled decide.
    assert "confirming with 6 more rounds" in r.stderr
    for k in range(1, 13):
        assert (tmp_path / "out" / "cand" / f"r{k}" / "results.json").is_file()
    assert sorted(json.load(open(tmp_path / "out" / "report-first" / "compare.json"))["regressions"]) == slower
    res = json.load(open(tmp_path / "out" / "report" / "compare.json"))
    assert sorted(res["regressions"]) == slower
    assert min(n for v in res["configurations"].values() for n in v["ns_per_buffer"]["n"]) == 12


# A candidate 10% slower in the first 6 rounds and 10% faster in the next 6: what a VM whose
# speed changed phase between the passes can look like.  The first comparison calls it a
# regression; the pooled one does not, and the run passes, saying so.
TRANSIENT = "(1.1 if int(out.rsplit('r', 1)[1]) <= 6 else 0.9)"


def test_a_regression_the_confirmation_does_not_repeat_passes(tmp_path):
    b, c = fake(tmp_path, "b"), fake(tmp_path, "c", scale=TRANSIENT)
    r = run(b, c, str(tmp_path / "out"), "6")
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.load(open(tmp_path / "out" / "report-first" / "compare.json"))["regressions"]
    assert not json.load(open(tmp_path / "out" / "report" / "compare.json"))["regressions"]
    assert "not confirmed" in r.stderr


def test_confirmation_can_be_turned_off(tmp_path):
    b, c = fake(tmp_path, "b"), fake(tmp_path, "c", scale=TRANSIENT)
    r = subprocess.run([SCRIPT, b, c, str(tmp_path / "out"), "6"], capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, RINGLAB_CI_CONFIRM="0"))
    assert r.returncode == 1, r.stdout + r.stderr
    assert not (tmp_path / "out" / "cand" / "r7").exists()


def test_correctness_failure_fails(tmp_path):
    b = fake(tmp_path, "b")
    c = fake(tmp_path, "c", errors={F.bench_name(CFGS[0]): {"lost_notifications": 1}})
    r = run(b, c, str(tmp_path / "out"), "3")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "correctness" in r.stdout
    assert not (tmp_path / "out" / "cand" / "r4").exists()  # no confirmation: a wrong buffer stays wrong


@pytest.mark.parametrize("args", [[], ["/nonexistent", "/nonexistent", "x"], ["/bin/true", "/bin/true", "x", "zero"]])
def test_usage_errors(args, tmp_path):
    assert run(*args).returncode == 2


@pytest.mark.parametrize("value", ["no", "2", ""])
def test_a_confirm_setting_other_than_0_or_1_is_refused_before_any_sweep(tmp_path, value):
    b, c = fake(tmp_path, "b"), fake(tmp_path, "c")
    r = subprocess.run([SCRIPT, b, c, str(tmp_path / "out"), "2"], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, RINGLAB_CI_CONFIRM=value))
    if value == "":  # unset and empty mean the default
        assert r.returncode == 0, r.stdout + r.stderr
        return
    assert r.returncode == 2
    assert r.stderr.strip() == f"ci-regression: RINGLAB_CI_CONFIRM must be 0 (no confirmation) or 1 (got '{value}')"
    assert not (tmp_path / "out").exists()


def test_writes_junit_and_summary_for_the_ci_system(tmp_path):
    import xml.etree.ElementTree as ET
    b, c = fake(tmp_path, "b"), fake(tmp_path, "c", scale=1.3)
    ci = tmp_path / "test-results"
    r = subprocess.run([SCRIPT, b, c, str(tmp_path / "out"), "6"], capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, RINGLAB_CI_RESULTS=str(ci)))
    assert r.returncode == 1, r.stdout + r.stderr
    cases = ET.parse(ci / "regression.junit.xml").getroot().findall(".//testcase")
    assert len(cases) == len(CFGS)
    assert {x.get("name") for x in cases if x.find("failure") is not None} == \
        {F.bench_name(c) for c in CFGS if c["barrier"] == "mandatory"}
    text = (ci / "regression-summary.md").read_text()
    assert "regression" in text and len(text.encode()) < 64 * 1024
    assert "](compare_ratios.png)" not in text
