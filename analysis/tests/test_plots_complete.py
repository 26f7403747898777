"""Plots a reviewer can read: role charts show every configuration (in pages), heatmaps colour
by the ratio to a stated reference on one scale."""
import fixtures as F
from ringlab_analysis import plots, report
from ringlab_analysis.load import load_runs


def _groups(tmp_path, configs):
    F.write_run(str(tmp_path / "run"), configs, reps=2, seed=3)
    return report.groups_of(load_runs([str(tmp_path / "run")]))


def test_role_charts_keep_every_configuration(tmp_path):
    configs = F.grid(layout=["split", "packed", "index", "split-inorder", "packed-inorder"],
                     batch=["1", "2", "4", "8", "16", "32", "64"])
    figs = plots.role_bars(_groups(tmp_path, configs), str(tmp_path / "fig"), per_figure=30)
    assert len(figs) == 2                      # 35 configurations: 30 and 5, none dropped
    assert "31-35 of 35" in figs[1][1]


def test_heatmap_names_its_reference(tmp_path):
    configs = F.grid(layout=["split", "packed"], barrier=["smp", "mandatory"])
    figs = plots.heatmaps(_groups(tmp_path, configs), str(tmp_path / "fig"))
    assert figs and all(path for path, _ in figs)
    assert all("ratio to the reference cell" in caption for _, caption in figs)
