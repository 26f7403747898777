"""`ringlab sweep` under hostile conditions: signals, a full disk, changed --resume
flags, and spec values past every range.  Tiny sweeps only (small shared machine).

Needs RINGLAB_BIN (the ringlab executable); CTest sets it.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "sweep"))
import check_results  # noqa: E402

BIN = os.environ.get("RINGLAB_BIN", "ringlab")
SCHEMA = os.environ.get("RINGLAB_SCHEMA", check_results.DEFAULT_SCHEMA)


def sweep(*args, timeout=120):
    return subprocess.run([BIN, "sweep", *args], capture_output=True, text=True, timeout=timeout)


def iterations(doc):
    return [b for b in doc["benchmarks"] if b["run_type"] == "iteration"]


def write_spec(tmp_path, spec, name="spec.json"):
    f = tmp_path / name
    f.write_text(spec if isinstance(spec, str) else json.dumps(spec))
    return f


LONG_SPEC = {"name": "signals", "settings": {"buffers": 1000000, "measure_floor": False},
             "axes": {"layout": ["split", "packed"], "batch": [4, 16], "notify": "poll"}}


def start_and_wait_for_first_entry(tmp_path):
    f = write_spec(tmp_path, LONG_SPEC)
    out = tmp_path / "out"
    p = subprocess.Popen([BIN, "sweep", "--spec", str(f), "--out", str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and p.poll() is None:
        try:
            if iterations(json.loads((out / "results.json").read_text())):
                break
        except (OSError, ValueError):
            pass
        time.sleep(0.02)
    assert p.poll() is None, "the sweep finished before it could be interrupted; make it longer"
    return p, out


@pytest.mark.parametrize("sig, rc", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_stop_like_sigint(tmp_path, sig, rc):
    p, out = start_and_wait_for_first_entry(tmp_path)
    p.send_signal(sig)
    _, err = p.communicate(timeout=120)
    assert p.returncode == rc, err
    doc, problems = check_results.check_dir(str(out), SCHEMA)
    assert problems == []
    rl = doc["context"]["ringlab"]
    assert rl["complete"] is False and rl["interrupted"] is True
    assert 1 <= len(iterations(doc)) < 4


def test_second_sigint_aborts_and_still_says_interrupted(tmp_path):
    p, out = start_and_wait_for_first_entry(tmp_path)
    p.send_signal(signal.SIGINT)
    time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode in (-signal.SIGINT, 130), err  # died of the signal
    doc, problems = check_results.check_dir(str(out), SCHEMA)
    assert problems == []
    assert doc["context"]["ringlab"]["interrupted"] is True


def test_resume_refuses_changed_repetitions(tmp_path):
    p, out = start_and_wait_for_first_entry(tmp_path)
    p.send_signal(signal.SIGINT)
    p.communicate(timeout=120)
    r = sweep("--spec", str(tmp_path / "spec.json"), "--out", str(out), "--resume", "--benchmark_repetitions=2")
    assert r.returncode == 2, r.stderr
    assert "--benchmark_repetitions is 2 now but was (not given)" in r.stderr
    changed = dict(LONG_SPEC, name="other")
    f2 = write_spec(tmp_path, changed, "spec2.json")
    r = sweep("--spec", str(f2), "--out", str(out), "--resume")
    assert r.returncode == 2 and "the spec differs" in r.stderr, r.stderr


def test_full_disk_stops_the_sweep_at_once_and_keeps_the_last_good_file(tmp_path):
    # 128 KiB: room for the context (with its vocabulary) and a few entries, not for all 8.
    mnt = tmp_path / "small"
    mnt.mkdir()
    m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(mnt)], capture_output=True, text=True)
    if m.returncode != 0:
        pytest.skip(f"cannot mount a 128 KiB tmpfs here (needs root / CAP_SYS_ADMIN): {m.stderr.strip()}")
    try:
        spec = {"name": "full", "axes": {"batch": [1, 2, 4, 8, 16, 32, 64, 128]},
                "settings": {"buffers": 2000, "warmup_buffers": 100, "measure_floor": False}}
        f = write_spec(tmp_path, spec)
        r = sweep("--spec", str(f), "--out", str(mnt / "sw"))
        assert r.returncode == 1, r.stderr
        assert r.stderr.count("cannot write results") == 1, r.stderr
        assert "stopping the sweep" in r.stderr
        # Nothing measured after the failure: at most the progress line of the failed one.
        after = r.stderr.split("cannot write results", 1)[1]
        assert after.count("configurations  elapsed") <= 1, r.stderr
        doc = json.loads((mnt / "sw" / "results.json").read_text())
        assert 1 <= len(iterations(doc)) < 8
        assert not [n for n in os.listdir(mnt / "sw") if ".tmp." in n]
        # With room again, --resume continues from the last good file instead of starting over.
        done_before = len(iterations(doc))
        shutil.copytree(mnt / "sw", tmp_path / "roomy")
        r = sweep("--spec", str(f), "--out", str(tmp_path / "roomy"), "--resume")
        assert r.returncode == 0, r.stderr
        assert f"({done_before} already done" in r.stderr, r.stderr
        assert len(iterations(json.loads((tmp_path / "roomy" / "results.json").read_text()))) == 8
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


@pytest.mark.parametrize("spec, needle", [
    ('{"axes": {"batch": 18446744073709551616}}', "axis 'batch' takes an integer"),
    ('{"axes": {"batch": "99999999999999999999999"}}', "batch 99999999999999999999999 is out of range (an integer from 1"),
    ('{"axes": {"batch": 1e400}}', "a number is out of range of a JSON double"),
    ('{"name": "a", "name": "b"}', "key 'name' appears twice in the top level"),
    ('{"settings": {"buffers": 1, "buffers": 2}}', "key 'buffers' appears twice in object 'settings'"),
    ('{"name": 5}', "'name' must be a string"),
    ('{"rows": [{"name": 3}]}', "'name' must be a string"),
    ('{"settings": {"buffers": 1.5}}', "'buffers' must be an integer"),
    ('{"settings": {"repetitions": "x"}}', "'repetitions' must be an integer"),
    ('{"settings": {"spin_ns": 10000000000}}', "'spin_ns' must be an integer in 0..1000000000"),
    ('{"settings": {"duration_s": 1e-300}}', "'duration_s' must be 0 (count buffers) or between 0.001 and 3600"),
    ('{"axes": {"batch": [1, 2, 4, 8, 16, 32, 64, 128, 256, 512], "kick_cost_ns": %s, "payload_bytes": %s,'
     ' "submitters": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]}}'
     % (list(range(0, 1000)), list(range(0, 4096, 8))), "more than --max-configurations 100000"),
])
def test_bad_spec_values_in_ringlabs_words(tmp_path, spec, needle):
    f = write_spec(tmp_path, spec)
    r = sweep("--spec", str(f), "--out", str(tmp_path / "out"))
    assert r.returncode == 2, r.stderr
    assert needle in r.stderr
    for raw in ("stoull", "json.exception", "terminate called", "vector::reserve"):
        assert raw not in r.stderr
    assert not (tmp_path / "out").exists()


def test_max_configurations_flag(tmp_path):
    f = write_spec(tmp_path, {"axes": {"batch": [1, 2, 4]}})
    r = sweep("--spec", str(f), "--dry-run", "--max-configurations", "2")
    assert r.returncode == 2 and "the spec has 3 combinations, more than --max-configurations 2" in r.stderr
    assert sweep("--spec", str(f), "--dry-run", "--max-configurations", "3").returncode == 0
    r = sweep("--spec", str(f), "--dry-run", "--max-configurations", "0")
    assert r.returncode == 2 and "1..100000000" in r.stderr
