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
