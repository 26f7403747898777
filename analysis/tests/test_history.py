"""history on a machine directory with a planted step."""
import os

import fixtures as F
from ringlab_analysis import history
from ringlab_analysis.load import load_runs

CFGS = F.grid(layout=["split", "packed"], barrier=["smp"], notify=["poll"], batch=[1])
STEP_AT = 8


def test_history_finds_the_planted_step_with_its_commit_range(tmp_path):
    machine = tmp_path / "x86_64-test-machine"
    for i in range(16):
        # only split slows down (+12%) from run STEP_AT on; packed stays flat
        def scale(cfg, i=i):
            return 1.12 if cfg["layout"] == "split" and i >= STEP_AT else 1.0
        # directory names sort differently from dates on purpose: history orders by context.date
        F.write_run(str(machine / f"run-{15 - i:02d}"), CFGS, reps=3, seed=500 + i, noise=0.01, scale=scale,
                    date=f"2026-11-{i + 1:02d}T12:00:00+00:00", git_revision=f"c{i:03d}",
                    run_id=f"r{i:02d}")
    out = history.build(load_runs([str(machine)]), str(tmp_path / "hist"))
    rows = out["change_points"]
    split = [r for r in rows if "layout:split" in r[0]]
    assert len(split) == 1, rows
    assert split[0][2] == f"c{STEP_AT - 1:03d}..c{STEP_AT:03d}"
    assert split[0][1].startswith(f"2026-11-{STEP_AT + 1:02d}")
    assert not [r for r in rows if "layout:packed" in r[0]]
    md = open(out["markdown"], encoding="utf-8").read()
    assert "E-divisive means (Matteson & James 2014)" in md
    assert os.path.isfile(out["html"])
