"""export (CSV / JSON Lines), history --format otava, compare --junit / --summary: parsed back."""
import csv
import json
import os
import re
import subprocess
from datetime import datetime

import pytest

import fixtures as F

HERE = os.path.dirname(os.path.abspath(__file__))
WRAPPER = os.path.join(os.path.dirname(HERE), "ringlab-report")
CFGS = F.grid(layout=["split", "packed"], barrier=["smp", "mandatory"], notify=["poll"], batch=[1, 8])
CONFIG_FIELDS = ("layout", "barrier", "notify", "wait", "batch", "ring_size", "outstanding", "kick_cost_ns",
                 "submitters", "kick_mode", "device_access", "payload_bytes", "cache_line", "placement")


def run(*args):
    return subprocess.run([WRAPPER, *args], capture_output=True, text=True, timeout=120)


def add_percentiles(run_dir):
    """The fixture's histograms carry buckets only; ringlab sweep writes percentiles too."""
    p = os.path.join(run_dir, "histograms.json")
    with open(p) as f:
        h = json.load(f)
    for i, e in enumerate(h["entries"]):
        e["latency"].update({"min": 10.0 + i, "p50": 20.0 + i, "p90": 30.0 + i, "p99": 40.0 + i,
                             "p999": 50.0 + i, "max": 60.0 + i})
    with open(p, "w") as f:
        json.dump(h, f)
    return h


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("exports")
    for k in range(4):
        F.write_run(str(root / "base" / f"r{k}"), CFGS, reps=3, seed=10 + k, run_id=f"20261121T21000{k}Z-aa000{k}",
                    date=f"2026-11-2{k}T21:00:00+00:00", git_revision=f"rev{k}")
        F.write_run(str(root / "slow" / f"r{k}"), CFGS, reps=3, seed=20 + k,
                    scale=lambda c: 1.3 if c["barrier"] == "mandatory" else 1.0)
    F.write_run(str(root / "broken"), CFGS, reps=3, seed=5, run_id="20261121T220000Z-bb0001",
                errors={F.bench_name(CFGS[0]): {"corrupt": 2}})
    add_percentiles(str(root / "broken"))
    # A second machine's history, with a configuration the first run did not measure.
    F.write_run(str(root / "m2" / "r0"), CFGS[:2], reps=3, seed=30, machine_id="aarch64-other-0000",
                run_id="20261121T230000Z-cc0000", date="2026-11-25T10:00:00+00:00")
    F.write_run(str(root / "m2" / "r1"), CFGS[:3], reps=3, seed=31, machine_id="aarch64-other-0000",
                run_id="20261121T230001Z-cc0001", date="2026-11-26T10:00:00+01:00")
    return root


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_one_row_per_repetition_parsed_back(dirs, tmp_path, fmt):
    out = tmp_path / f"rows.{fmt}"
    r = run("export", str(dirs / "broken"), str(dirs / "base" / "r0"), "--format", fmt, "--out", str(out))
    assert r.returncode == 0, r.stderr
    if fmt == "csv":
        with open(out, newline="") as f:
            rows = list(csv.DictReader(f))
        with open(tmp_path / "rows-latency.csv", newline="") as f:
            lat = list(csv.DictReader(f))
    else:
        rows = [json.loads(line) for line in open(out)]
        lat = [json.loads(line) for line in open(tmp_path / "rows-latency.jsonl")]
    assert len(rows) == 2 * len(CFGS) * 3
    for k in ("run_id", "machine_id", "git_revision", "configuration", "repetition", "valid",
              "floor_before_ns", "ns_per_buffer", "cpu_ns_per_buffer", "verify_errors", "lost_notifications"):
        assert k in rows[0], k
    for k in CONFIG_FIELDS:                       # every config axis is its own column
        assert "axis_" + k in rows[0], k
    broken = [x for x in rows if x["run_id"] == "20261121T220000Z-bb0001"]
    bad = [x for x in broken if x["configuration"] == F.bench_name(CFGS[0])]
    assert len(bad) == 3 and all(x["valid"] in (False, "false") for x in bad)
    assert all(x["valid"] in (True, "true") for x in broken if x not in bad)
    for x in rows:
        cfg = dict(zip(["layout", "barrier", "notify", "batch"], re.findall(r"(?:layout|barrier|notify|batch):([^/]+)",
                                                                            x["configuration"])))
        assert str(x["axis_layout"]) == cfg["layout"] and str(x["axis_batch"]) == cfg["batch"]
        assert float(x["ns_per_buffer"]) > 0
        assert x["git_revision"] in ("abc1234", "rev0")
    # Percentiles: one row per repetition that has a histogram, values as written.
    h = json.load(open(dirs / "broken" / "histograms.json"))
    lat = [x for x in lat if x["run_id"] == "20261121T220000Z-bb0001"]
    assert len(lat) == len(h["entries"])
    by = {(x["configuration"], int(x["repetition"])): x for x in lat}
    for e in h["entries"]:
        got = by[(e["name"], e["repetition_index"])]
        assert float(got["p99_ns"]) == e["latency"]["p99"] and float(got["count"]) == e["latency"]["count"]


def test_export_bad_format_exits_2_and_writes_nothing(dirs, tmp_path):
    out = tmp_path / "rows.xls"
    r = run("export", str(dirs / "broken"), "--format", "xls", "--out", str(out))
    assert r.returncode == 2 and "csv" in r.stderr
    r = run("export", str(dirs / "broken"), "--format", "csv", "--out", str(tmp_path / "nodir" / "x.csv"))
    assert r.returncode == 2 and "does not exist" in r.stderr
    assert not os.listdir(tmp_path)


def test_history_otava_csv_follows_the_importer_rules(dirs, tmp_path):
    import shutil
    hist = tmp_path / "hist_in"
    shutil.copytree(dirs / "base", hist / "base")
    shutil.copytree(dirs / "m2", hist / "m2")
    out = tmp_path / "otava"
    r = run("history", str(hist), "--out", str(out), "--format", "otava")
    assert r.returncode == 0, r.stderr
    files = sorted(p for p in os.listdir(out) if p.endswith(".csv"))
    assert files == ["aarch64-other-0000.csv", "x86_64-test-machine-1a2b3c4d.csv"]
    yaml_text = (out / "otava.yaml").read_text()
    for name in files:
        with open(out / name, newline="") as f:
            table = list(csv.reader(f, delimiter=",", quotechar="'"))   # the csv_options otava.yaml names
        header, body = table[0], table[1:]
        assert header[:3] == ["time", "commit", "run_id"]
        metrics = header[3:]
        assert metrics and len(set(metrics)) == len(metrics)
        assert all(m.startswith("ring/layout:") for m in metrics)   # one configuration = one metric column
        times = []
        for row in body:
            assert len(row) == len(header)
            times.append(datetime.strptime(row[0], "%Y-%m-%d %H:%M:%S %z"))   # Otava's example format
            assert row[0].endswith("+0000")
            for cell in row[3:]:
                float(cell)                            # the importer's float(): no empty cells
        assert times == sorted(times) and len(times) >= 2
        for m in metrics:
            assert f'"{m}":' in yaml_text
        try:
            import yaml
        except ImportError:
            continue
        test = yaml.safe_load(yaml_text)["tests"][name[:-4]]   # the Otava test config, as Otava reads it
        assert test["type"] == "csv" and test["file"] == name and test["time_column"] == "time"
        assert test["attributes"] == ["commit", "run_id"]
        assert list(test["metrics"]) == metrics
        assert all(v["column"] == k and v["direction"] == -1 for k, v in test["metrics"].items())
    # m2's first run lacks CFGS[2]: that configuration cannot be a column, and the yaml says so.
    with open(out / "aarch64-other-0000.csv") as f:
        assert len(next(csv.reader(f))) == 3 + 2
    assert F.bench_name(CFGS[2]) in yaml_text and "left out" in yaml_text
    # The 01:00 offset of m2's second run is written in UTC.
    assert "2026-11-26 09:00:00 +0000" in (out / "aarch64-other-0000.csv").read_text()


def test_compare_junit_validates_and_fails_the_right_cases(dirs, tmp_path):
    lxml = pytest.importorskip("lxml.etree", reason="python3-lxml (runners/setup-deps.sh --test) validates the XSD")
    schema = lxml.XMLSchema(lxml.parse(os.path.join(HERE, "junit.xsd")))
    for cand, expect_fail in (("slow", {F.bench_name(c) for c in CFGS if c["barrier"] == "mandatory"}),
                              ("broken", {F.bench_name(CFGS[0])})):
        xml = tmp_path / f"{cand}.xml"
        r = run("compare", str(dirs / "base"), str(dirs / cand), "--out", str(tmp_path / cand), "--junit", str(xml))
        assert r.returncode == 0, r.stderr
        doc = lxml.parse(str(xml))
        assert schema.validate(doc), schema.error_log
        cases = doc.findall(".//testcase")
        assert {c.get("name") for c in cases} == {F.bench_name(c) for c in CFGS}   # one per configuration
        failed = {c.get("name") for c in cases if c.find("failure") is not None}
        assert failed == expect_fail, (cand, failed)
        suite = doc.find("testsuite")
        assert int(suite.get("tests")) == len(cases) and int(suite.get("failures")) == len(failed)
        kinds = {c.find("failure").get("type") for c in cases if c.find("failure") is not None}
        assert kinds == ({"regression"} if cand == "slow" else {"correctness"})


def test_compare_summary_embeds_or_leaves_out_the_figure(dirs, tmp_path):
    from ringlab_analysis import compare as C, summary
    from ringlab_analysis.load import load_runs
    s = tmp_path / "summary.md"
    r = run("compare", str(dirs / "base"), str(dirs / "slow"), "--out", str(tmp_path / "cmp"), "--summary", str(s))
    assert r.returncode == 0, r.stderr
    text = s.read_text()
    assert len(text.encode()) < summary.MAX_BYTES
    assert "regression" in text
    images = re.findall(r"!\[[^\]]*\]\(([^)]*)\)", text)
    assert all(i.startswith("data:image/png;base64,") for i in images)   # never a relative link
    assert images or "is left out" in text
    res = C.compare_runs(load_runs([str(dirs / "base")]), load_runs([str(dirs / "slow")]))
    fig = str(tmp_path / "cmp" / "compare_ratios.png")
    # Room enough: the figure is embedded, whole.
    big = summary.render(res, fig, max_bytes=1 << 20)
    assert re.search(r"!\[[^\]]*\]\(data:image/png;base64,[A-Za-z0-9+/=]{1000,}\)", big)
    # Too small a budget: the figure goes, a sentence says so, and the text still fits.
    small = summary.render(res, fig, max_bytes=6000)
    assert len(small.encode()) <= 6000
    assert "data:image" not in small and "left out" in small
