"""compare with the floors every repetition records: a machine that ran at another speed in
one run gives no faster/slower verdict unless the floor-normalised cost agrees."""
import json

import fixtures as F
from ringlab_analysis import compare as C
from ringlab_analysis.load import load_runs

CONFIGS = F.grid(layout=["split", "packed"], batch=["1", "32"])


def _set_floor(run_dir, floor_ns):
    p = run_dir / "results.json"
    d = json.load(open(p))
    for b in d["benchmarks"]:
        if "floor_rtt_ns" in b:
            b["floor_rtt_ns"] = floor_ns
    json.dump(d, open(p, "w"))


def _compare(tmp_path, cand_scale, cand_floor):
    F.write_run(str(tmp_path / "base"), CONFIGS, reps=8, seed=1)
    F.write_run(str(tmp_path / "cand"), CONFIGS, reps=8, seed=2, scale=lambda cfg: cand_scale)
    if cand_floor is not None:
        _set_floor(tmp_path / "cand", cand_floor)
    return C.compare_runs(load_runs([str(tmp_path / "base")]), load_runs([str(tmp_path / "cand")]))


def test_speed_change_alone_is_never_a_verdict(tmp_path):
    # The whole machine 30% faster: ns and the floor shrink together (within the range where
    # the floor-normalised cost is trusted; beyond it, see the last test).
    res = _compare(tmp_path, 1 / 1.3, 60.0 / 1.3)
    assert res.floor_note and "differs" in res.floor_note
    for r in res.results:
        assert r.primary.verdict not in ("faster", "slower"), (r.key, r.primary)
        assert r.secondary[C.NORMALISED_METRIC].verdict not in ("faster", "slower")
    md = "\n".join(getattr(b, "text", "") for b in C.summary_blocks(res))
    assert "floor" in md and "differs" in md


def test_same_floor_keeps_a_real_slowdown(tmp_path):
    res = _compare(tmp_path, 1.3, None)
    assert not res.floor_note
    assert all(r.primary.verdict == "slower" for r in res.results)
    assert all(r.secondary[C.NORMALISED_METRIC].verdict == "slower" for r in res.results)


def test_slowdown_beyond_the_speed_change_stays(tmp_path):
    # Floor 20% lower (faster machine) yet 60% more ns: slower raw and normalised.
    res = _compare(tmp_path, 1.6, 48.0)
    assert res.floor_note
    assert all(r.primary.verdict == "slower" for r in res.results)
    assert C.to_json(res)["floor_ns"]["candidate"] == 48.0


def test_floors_too_far_apart_give_no_verdict(tmp_path):
    # Floor 3x higher and 4x the ns: normalised it is still "slower", but at speeds this far
    # apart the normalisation is not trusted (A/A sweeps on the VM gave false verdicts so).
    res = _compare(tmp_path, 4.0, 180.0)
    assert "no verdict" in res.floor_note
    for r in res.results:
        assert r.primary.verdict == "inconclusive", (r.key, r.primary)
        assert "beyond" in r.primary.note


def _edit(run_dir, fn):
    """Apply fn(entry) to every iteration entry of run_dir's results.json."""
    p = run_dir / "results.json"
    d = json.load(open(p))
    for b in d["benchmarks"]:
        if b.get("run_type") != "aggregate":
            fn(b)
    json.dump(d, open(p, "w"))


def test_one_configuration_measured_while_the_machine_was_slow_gives_no_verdict(tmp_path):
    # The runs' median floors agree (60 ns), but one configuration was measured in a minute when
    # the VM ran at a fifth of its speed: its floor and its ns both 5x in the candidate.
    F.write_run(str(tmp_path / "base"), CONFIGS, reps=8, seed=1)
    F.write_run(str(tmp_path / "cand"), CONFIGS, reps=8, seed=2)
    slow = F.bench_name(CONFIGS[0])

    def slow_minute(b):
        if b["run_name"] == slow:
            for k in ("floor_rtt_ns", "ns_per_buffer", "driver_cpu_ns_per_buffer", "device_cpu_ns_per_buffer"):
                b[k] *= 5   # both sides on their CPUs throughout: only the machine was slower
    _edit(tmp_path / "cand", slow_minute)
    res = C.compare_runs(load_runs([str(tmp_path / "base")]), load_runs([str(tmp_path / "cand")]))
    assert res.floor_base == res.floor_cand == 60.0
    r = next(r for r in res.results if r.key == slow)
    assert r.primary.verdict == "inconclusive", r.primary
    assert "this configuration's floor moved" in r.primary.note
    assert "1 of 4 configurations" in res.floor_note


def test_repetitions_in_which_a_spinning_side_lost_its_cpu_are_set_aside(tmp_path):
    # Three of the candidate's eight repetitions of each configuration twice as slow, with the
    # driver on its CPU for half the window (the hypervisor took it): set aside, and the rest agree.
    F.write_run(str(tmp_path / "base"), CONFIGS, reps=8, seed=1)
    F.write_run(str(tmp_path / "cand"), CONFIGS, reps=8, seed=2)

    def stolen(b):
        if b["repetition_index"] < 3:
            b["driver_cpu_ns_per_buffer"] = b["ns_per_buffer"]   # on its CPU for the old window
            b["ns_per_buffer"] *= 2
    _edit(tmp_path / "cand", stolen)
    res = C.compare_runs(load_runs([str(tmp_path / "base")]), load_runs([str(tmp_path / "cand")]))
    assert res.set_aside == (0, 3 * len(CONFIGS))
    for r in res.results:
        assert r.primary.verdict == "unchanged", (r.key, r.primary)
        assert r.primary.n_b == 5 and "0+3 repetitions set aside" in r.primary.note
    # A sleeping configuration leaves its CPU by design: nothing is set aside there.
    assert not C.off_cpu(type("E", (), {"axis": lambda self, n, d=None: "sleep" if n == "wait" else d,
                                        "value": lambda self, m: 100.0 if m == "ns_per_buffer" else 10.0})())


def test_back_to_back_repetitions_are_named_as_untrustworthy(tmp_path):
    F.write_run(str(tmp_path / "base"), CONFIGS, reps=5, seed=1)
    F.write_run(str(tmp_path / "cand"), CONFIGS, reps=5, seed=2)
    p = tmp_path / "cand" / "results.json"
    d = json.load(open(p))
    d["context"]["ringlab"]["gb_flags"] = ["--benchmark_enable_random_interleaving=false"]
    json.dump(d, open(p, "w"))
    res = C.compare_runs(load_runs([str(tmp_path / "base")]), load_runs([str(tmp_path / "cand")]))
    assert len(res.method_warnings) == 1 and "candidate run" in res.method_warnings[0]
    assert "back to back" in C.to_json(res)["method_warnings"][0]
    # Interleaved (the sweep's default), and files that do not record it: nothing said.
    d["context"]["ringlab"]["gb_flags"] = ["--benchmark_enable_random_interleaving=true"]
    json.dump(d, open(p, "w"))
    assert C.compare_runs(load_runs([str(tmp_path / "base")]), load_runs([str(tmp_path / "cand")])).method_warnings == []
