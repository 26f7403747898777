#!/usr/bin/env bash
# A good run exits 0, prints a summary, and writes one valid results-format JSON file.
set -u
bin="$1"
source "$(dirname "$0")/lib.sh"

out=$(run run --layout packed --barrier smp --batch 16 --ring-size 256 --buffers 20000 --json "$tmp/out.json" 2>&1); rc=$?
check "run exits 0 (got $rc: $out)" '[[ $rc -eq 0 ]]'
check "summary says verification OK" '[[ "$out" == *"verification: OK"* ]]'
check "summary names the timer" '[[ "$out" == *"timer:"* ]]'
check "json file written" '[[ -s "$tmp/out.json" ]]'
check "no temporary file left" '[[ $(ls "$tmp" | wc -l) -eq 1 ]]'
if command -v /usr/bin/python3 >/dev/null; then
    /usr/bin/python3 - "$tmp/out.json" <<'PY'
import json, sys, math
d = json.load(open(sys.argv[1]), parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
b = d["benchmarks"][0]
assert b["name"].startswith("ring/layout:packed/barrier:smp/"), b["name"]
assert b["time_unit"] == "ns" and b["real_time"] > 0 and b["iterations"] == 20000
assert b["ringlab"]["valid"] is True
assert d["context"]["ringlab"]["schema_version"] == 1
assert "environment" in d["context"]["ringlab"]
PY
    check "json content is a results file with one valid entry" '[[ $? -eq 0 ]]'
fi
out=$(run list 2>&1); rc=$?
check "list exits 0" '[[ $rc -eq 0 ]]'
check "list shows the barrier table" '[[ "$out" == *"notify-check"* && "$out" == *"acqrel"* ]]'
out=$(run pingpong --rounds 2000 2>&1); rc=$?
check "pingpong exits 0 and prints a round trip ($out)" '[[ $rc -eq 0 && "$out" == *"round trip median"* ]]'
finish
