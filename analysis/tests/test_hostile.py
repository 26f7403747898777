"""Hostile input to the analysis: corrupt values, partial runs, odd subsets of axes, bad
--out targets, bad thresholds, a full disk.  Never a traceback: one sentence, exit 2 (bad
input) or 1, and corrupt data named in a "Data problems" section, never averaged in."""
import contextlib
import io
import json
import math
import os
import subprocess

import pytest

import fixtures as F
from ringlab_analysis import cli
from ringlab_analysis.load import load_run

WRAPPER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "ringlab-report")
CFGS = F.grid(layout=["split", "packed"], barrier=["smp", "mandatory"], notify=["poll"], batch=[1, 8])


class Result:
    def __init__(self, rc, out, err):
        self.returncode, self.stdout, self.stderr = rc, out, err


def run(*args):
    """cli.main in this process (matplotlib imported once: the machine is small and shared)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = cli.main(list(args))
        except SystemExit as e:
            rc = e.code
    return Result(rc, out.getvalue(), err.getvalue())


def run_wrapper(*args):
    return subprocess.run([WRAPPER, *args], capture_output=True, text=True, timeout=120)


def no_traceback(r):
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, r.stderr
    assert len(r.stderr.strip().splitlines()) <= 3, r.stderr


def corrupt(path, mutate):
    """Rewrite results.json of a run dir with mutate(benchmarks) applied."""
    f = os.path.join(path, "results.json")
    doc = json.load(open(f))
    mutate(doc["benchmarks"])
    with open(f, "w") as fh:
        json.dump(doc, fh)   # allow_nan: NaN and Infinity literals, as a broken writer would


def iterations(benchmarks):
    return [b for b in benchmarks if b.get("run_type") == "iteration"]


MUTATIONS = {
    "nan counter": (lambda bs: iterations(bs)[0].__setitem__("ns_per_buffer", math.nan), "not a finite number"),
    "inf counter": (lambda bs: iterations(bs)[0].__setitem__("kicks_per_buffer", math.inf), "not a finite number"),
    "negative counter": (lambda bs: iterations(bs)[0].__setitem__("ns_per_buffer", -5.0), "is negative"),
    "string counter": (lambda bs: iterations(bs)[0].__setitem__("verify_errors", "none"), "not a number"),
    "no ringlab": (lambda bs: iterations(bs)[0].pop("ringlab"), "no ringlab object"),
    "valid yes": (lambda bs: iterations(bs)[0]["ringlab"].__setitem__("valid", "yes"), "not true or false"),
    "duplicate": (lambda bs: bs.append(dict(iterations(bs)[0])), "appears twice"),
}


@pytest.mark.parametrize("what", sorted(MUTATIONS))
def test_corrupt_values_are_named_excluded_and_fail(tmp_path, what):
    mutate, needle = MUTATIONS[what]
    base, cand = str(tmp_path / "base"), str(tmp_path / "cand")
    F.write_run(base, CFGS, reps=3, seed=1)
    F.write_run(cand, CFGS, reps=3, seed=1)
    corrupt(cand, mutate)
    loaded = load_run(cand)
    assert any(needle in p for p in loaded.problems), loaded.problems
    # Excluded from statistics: no corrupt entry contributes a number.
    assert all(e.ns_per_buffer is None for e in loaded.entries if e.corrupt)

    r = run("compare", base, cand, "--out", str(tmp_path / "cmp"), "--fail-on-correctness")
    no_traceback(r)
    assert r.returncode == 1, r.stdout + r.stderr
    r = run("compare", base, cand, "--out", str(tmp_path / "cmp2"), "--fail-on-regression")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Data problems" in open(tmp_path / "cmp2" / "compare.md").read()


def test_report_names_every_data_problem_at_the_top(tmp_path):
    d = str(tmp_path / "cand")
    F.write_run(d, CFGS, reps=3, seed=1)

    def all_of_them(bs):
        its = iterations(bs)
        for i, (name, (mutate, _)) in enumerate(MUTATIONS.items()):
            if name == "duplicate":
                bs.append(dict(its[i]))
            else:
                mutate(its[i:])   # each mutation on its own entry
    corrupt(d, all_of_them)
    r = run_wrapper("report", d, "--out", str(tmp_path / "rep"))   # the script a user runs
    no_traceback(r)
    assert r.returncode == 0, r.stderr
    md = open(tmp_path / "rep" / "report.md").read()
    assert md.index("Data problems") < md.index("Correctness")
    for _, needle in MUTATIONS.values():
        assert needle in md, needle
    assert "All " not in md.split("## Correctness", 1)[1].split("##", 1)[0]  # no "All N verified"


def test_all_counters_nan_does_not_pass_a_regression_gate(tmp_path):
    base, cand = str(tmp_path / "base"), str(tmp_path / "cand")
    F.write_run(base, CFGS, reps=3, seed=1)
    F.write_run(cand, CFGS, reps=3, seed=2)

    def all_nan(bs):
        for b in iterations(bs):
            b["ns_per_buffer"] = math.nan
            b["real_time"] = math.nan
    corrupt(cand, all_nan)
    r = run("compare", base, cand, "--out", str(tmp_path / "cmp"), "--fail-on-regression")
    no_traceback(r)
    assert r.returncode == 1


def test_partial_run_and_odd_axes_give_a_report(tmp_path):
    """A sweep cut short (interrupted, few entries) and a (notify, batch) pair that exists only
    with a non-default extra axis: the heatmap of that pair is left out with a note."""
    cfgs = F.grid(layout=["split"], barrier=["smp"], notify=["poll"], batch=[1]) + \
        [dict(F.DEFAULT_AXES, notify="flags", batch=4, kick_ns=1000)]
    d = str(tmp_path / "partial")
    F.write_run(d, cfgs, reps=2, seed=3)
    f = os.path.join(d, "results.json")
    doc = json.load(open(f))
    doc["context"]["ringlab"].update(complete=False, interrupted=True)
    json.dump(doc, open(f, "w"))
    r = run("report", d, "--out", str(tmp_path / "rep"))
    no_traceback(r)
    assert r.returncode == 0, r.stderr
    md = open(tmp_path / "rep" / "report.md").read()
    assert "heatmap notify flags, batch 4 left out" in md
    assert "NO (interrupted)" in md


def test_empty_benchmarks_report(tmp_path):
    d = str(tmp_path / "empty")
    F.write_run(d, CFGS, reps=1, seed=3)
    f = os.path.join(d, "results.json")
    doc = json.load(open(f))
    doc["benchmarks"] = []
    json.dump(doc, open(f, "w"))
    r = run("report", d, "--out", str(tmp_path / "rep"))
    no_traceback(r)
    assert r.returncode in (0, 1)


@pytest.fixture
def one_run(tmp_path):
    d = str(tmp_path / "run")
    F.write_run(d, CFGS, reps=2, seed=5)
    return d


@pytest.mark.parametrize("out, needle", [
    ("", "--out is empty"),
    ("/proc/ringlab-foo", "cannot be created"),
    ("FILE", "exists and is not a directory"),
])
def test_bad_out_targets(one_run, tmp_path, out, needle):
    if out == "FILE":
        out = str(tmp_path / "afile")
        open(out, "w").write("keep me")
    for cmd in (["report", one_run], ["compare", one_run, one_run], ["history", one_run]):
        r = run(*cmd, "--out", out)
        no_traceback(r)
        assert r.returncode == 2, (cmd, r.stderr)
        assert needle in r.stderr
    if out.endswith("afile"):
        assert open(out).read() == "keep me"


def test_read_only_out(one_run, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    m = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(ro)], capture_output=True, text=True)
    if m.returncode != 0:
        pytest.skip(f"cannot mount a read-only tmpfs here (needs root): {m.stderr.strip()}")
    try:
        r = run("report", one_run, "--out", str(ro / "rep"))
        no_traceback(r)
        assert r.returncode == 2 and "cannot be created" in r.stderr, r.stderr
        r = run("report", one_run, "--out", str(ro))
        assert r.returncode == 2 and "not writable" in r.stderr, r.stderr
    finally:
        subprocess.run(["umount", str(ro)], check=False)


def test_full_disk_leaves_no_truncated_file(one_run, tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small)], capture_output=True, text=True)
    if m.returncode != 0:
        pytest.skip(f"cannot mount a 64 KiB tmpfs here (needs root / CAP_SYS_ADMIN): {m.stderr.strip()}")
    try:
        r = run("report", one_run, "--out", str(small / "rep"))
        no_traceback(r)
        assert r.returncode == 1, r.stderr
        assert "No space left on device" in r.stderr
        for root, _, files in os.walk(small):
            for n in files:
                assert not n.endswith(".tmp"), n      # temporaries removed
                if n.endswith(".png"):                 # any PNG present is whole
                    assert open(os.path.join(root, n), "rb").read()[-8:-4] == b"IEND", n
    finally:
        subprocess.run(["umount", str(small)], check=False)


@pytest.mark.parametrize("threshold", ["nan", "inf", "-1", "0"])
def test_threshold_must_be_finite_and_positive(one_run, tmp_path, threshold):
    r = run("compare", one_run, one_run, "--out", str(tmp_path / "c"), "--threshold", threshold)
    no_traceback(r)
    assert r.returncode == 2 and "finite percentage above 0" in r.stderr, r.stderr


def test_internal_error_is_one_sentence(monkeypatch, capsys, one_run, tmp_path):
    def boom(*a, **k):
        raise ZeroDivisionError("planted")
    monkeypatch.setattr(cli.report, "build", boom)
    assert cli.main(["report", one_run, "--out", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err
    assert "internal error (ZeroDivisionError: planted)" in err and "Traceback" not in err


def test_report_counts_contended_repetitions(tmp_path):
    d = str(tmp_path / "run")
    F.write_run(d, CFGS, reps=2, seed=5)

    def flag_two(bs):
        for b in iterations(bs)[:2]:
            b["ringlab"]["contended"] = True
    corrupt(d, flag_two)
    r = run("report", d, "--out", str(tmp_path / "rep"))
    assert r.returncode == 0, r.stderr
    md = open(tmp_path / "rep" / "report.md").read()
    assert f"Contended: 2 of {len(CFGS) * 2} repetitions" in md
