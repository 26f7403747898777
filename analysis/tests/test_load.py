"""Reading the results format: tolerance of optional fields, pooling, histograms."""
import json

import fixtures as F
from ringlab_analysis.load import config_key_of, load_run, load_runs


def test_gb_suffixes_are_not_part_of_the_configuration():
    assert config_key_of("ring/layout:split/batch:8/iterations:100/repeats:5/manual_time") == \
        "ring/layout:split/batch:8"


def test_aggregates_skipped_histograms_read_and_nulls_tolerated(tmp_path):
    cfgs = F.grid(layout=["split"], barrier=["smp"], notify=["poll"], batch=[1])
    F.write_run(str(tmp_path / "r"), cfgs, reps=4)
    doc = json.load(open(tmp_path / "r" / "results.json"))
    e = doc["benchmarks"][0]
    e["latency_p99_ns"] = None
    e["ringlab"]["nulls"]["latency_p99_ns"] = "no latency histogram"
    del doc["benchmarks"][1]["ringlab"]          # required by the schema: a data problem, not a pass
    json.dump(doc, open(tmp_path / "r" / "results.json", "w"))
    run = load_run(str(tmp_path / "r"))
    assert len(run.entries) == 4                 # the two aggregates are not repetitions
    assert run.entries[0].value("latency_p99_ns") is None
    assert run.entries[1].axis("layout") == "split" and run.entries[1].has_correctness_failure
    assert any("no ringlab object" in p for p in run.problems)
    assert len(run.histograms) == 4
    assert all(b[0] <= b[1] for h in run.histograms.values() for b in h)


def test_folder_of_rounds_is_pooled(tmp_path):
    cfgs = F.grid(layout=["split", "packed"], barrier=["smp"], notify=["poll"], batch=[1])
    for k in range(3):
        F.write_run(str(tmp_path / "base" / f"r{k}"), cfgs, reps=1, seed=k)
    runs = load_runs([str(tmp_path / "base")])
    assert len(runs) == 3 and sum(len(r.entries) for r in runs) == 6


def test_configuration_comes_from_entry_config_not_the_name(tmp_path):
    """entry.ringlab.config is the configuration; the benchmark name is only an identity."""
    cfgs = F.grid(layout=["split"], barrier=["smp"], notify=["poll"], batch=[8])
    F.write_run(str(tmp_path / "r"), cfgs, reps=1)
    doc = json.load(open(tmp_path / "r" / "results.json"))
    e = doc["benchmarks"][0]
    e["ringlab"]["config"]["layout"] = "packed"          # the name still says split
    del e["ringlab"]["config"]["completion"]             # a v1 file may predate a field
    json.dump(doc, open(tmp_path / "r" / "results.json", "w"))
    run = load_run(str(tmp_path / "r"))
    assert "layout:split" in run.entries[0].key
    assert run.entries[0].axis("layout") == "packed"
    assert run.entries[0].axis("completion") == "in-order"   # its vocabulary default
    assert run.entries[0].at_default("outstanding")          # resolved to the ring size


def test_vocabulary_from_the_context_else_the_fallback(tmp_path):
    from ringlab_analysis.load import FALLBACK_VOCABULARY, vocabulary_of
    cfgs = F.grid(layout=["split", "packed"], barrier=["smp"], notify=["poll"], batch=[1])
    F.write_run(str(tmp_path / "old"), cfgs, reps=1)
    old = load_run(str(tmp_path / "old"))
    assert not old.vocabulary.from_results and old.vocabulary.doc is FALLBACK_VOCABULARY
    doc = json.load(open(tmp_path / "old" / "results.json"))
    doc["context"]["ringlab"]["vocabulary"] = {"version": 1, "fields": [
        {"name": "layout", "default": "packed", "values": ["packed", "split"], "axis": "layout"},
        {"name": "batch", "default": "1", "axis": "batch"}]}
    (tmp_path / "new").mkdir()
    json.dump(doc, open(tmp_path / "new" / "results.json", "w"))
    new = load_run(str(tmp_path / "new"))
    v = vocabulary_of(new.entries)
    assert v.from_results and v.axes() == ["layout", "batch"]
    assert v.order("layout", ["split", "packed", "split"]) == ["packed", "split"]   # the context's order
    assert new.entries[0].at_default("layout") == (new.entries[0].axis("layout") == "packed")
