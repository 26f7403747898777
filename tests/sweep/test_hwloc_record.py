"""`ringlab sweep` keeps hwloc's view of the machine (lstopo XML) beside results.json."""
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

BIN = os.environ.get("RINGLAB_BIN", "ringlab")


@pytest.mark.skipif(not shutil.which("lstopo-no-graphics"), reason="lstopo-no-graphics missing (Debian: hwloc)")
def test_sweep_writes_lstopo_xml(tmp_path):
    out = tmp_path / "run"
    r = subprocess.run([BIN, "sweep", "--preset", "tiny", "--out", str(out), "--benchmark_filter=notify:poll"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    ctx = json.load(open(out / "results.json"))["context"]["ringlab"]
    rec = ctx["hwloc_topology"]
    assert rec["file"] == "topology-hwloc.xml" and "lstopo" in rec["command"]
    root = ET.parse(out / rec["file"]).getroot()
    pus = [o for o in root.iter("object") if o.get("type") == "PU"]
    assert len(pus) == ctx["environment"]["online_cpus"]


def test_without_lstopo_the_record_says_why(tmp_path):
    out = tmp_path / "run"
    # A PATH without lstopo (nor timeout): ringlab itself needs neither.
    r = subprocess.run([os.path.abspath(BIN) if os.sep in BIN else shutil.which(BIN), "sweep", "--preset", "tiny",
                        "--out", str(out), "--benchmark_filter=notify:poll"],
                       capture_output=True, text=True, timeout=120, env=dict(os.environ, PATH=str(tmp_path)))
    assert r.returncode == 0, r.stderr
    rec = json.load(open(out / "results.json"))["context"]["ringlab"]["hwloc_topology"]
    assert rec["file"] is None and "hwloc" in rec["reason"]
    assert not (out / "topology-hwloc.xml").exists()
