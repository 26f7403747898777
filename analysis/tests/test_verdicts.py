"""The verdict table from a real verdicts.json (written by `ringlab answer` on the
development VM): it validates against its schema and leads the report."""
import json
import os
import shutil

import pytest

import fixtures as F
from ringlab_analysis import report, verdicts
from ringlab_analysis.load import load_runs

HERE = os.path.dirname(__file__)
SAMPLE = os.path.join(HERE, "verdicts_sample.json")
SCHEMA = os.path.join(HERE, "..", "..", "results", "schema", "verdicts-v1.schema.json")


def test_sample_matches_schema():
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(json.load(open(SAMPLE)), json.load(open(SCHEMA)))


def test_schema_rejects_an_unknown_verdict():
    jsonschema = pytest.importorskip("jsonschema")
    d = json.load(open(SAMPLE))
    d["verdicts"][0]["verdict"] = "probably"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(d, json.load(open(SCHEMA)))


def test_table_has_one_row_per_verdict_with_words_and_mde():
    d = verdicts.load(SAMPLE)
    blocks = verdicts.blocks(d)
    tables = [b for b in blocks if hasattr(b, "rows")]
    assert len(tables) == 1
    rows = tables[0].rows
    assert len(rows) == len(d["verdicts"])
    for row, v in zip(rows, d["verdicts"]):
        assert row[0] == v["id"]
        assert row[2].startswith(v["verdict"])
        assert row[3] == v["words"]
        assert row[6] == ("-" if v["mde_pct"] is None else f"{v['mde_pct']:.1f}%")
        assert d["machine"]["cpu_model"] in row[7]


def test_not_a_verdicts_file_is_refused(tmp_path):
    p = tmp_path / "verdicts.json"
    p.write_text(json.dumps({"schema": "something-else"}))
    with pytest.raises(ValueError):
        verdicts.load(str(p))


def test_report_leads_with_the_verdicts(tmp_path):
    run = tmp_path / "run"
    F.write_run(str(run), F.grid(layout=["split", "packed"]), reps=3)
    os.makedirs(run / "answer")
    shutil.copy(SAMPLE, run / "answer" / "verdicts.json")
    out = report.build(load_runs([str(run)]), str(tmp_path / "report"))
    md = open(out["markdown"], encoding="utf-8").read()
    assert "## Verdicts" in md
    first_id = json.load(open(SAMPLE))["verdicts"][0]["id"]
    assert md.index("## Verdicts") < md.index(first_id) < md.index("Questions answered")
    html = open(out["html"], encoding="utf-8").read()
    assert "Verdicts" in html and first_id in html
    # Every verdict with an interval is drawn: the figure exists and the Markdown links it.
    assert os.path.isfile(os.path.join(out["figures"], "verdicts.png"))
    assert "figures/verdicts.png" in md
