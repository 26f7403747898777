#!/usr/bin/env bash
# `ringlab answer`: bad input exits 2 with one sentence and creates nothing; --list
# names every question; a short calibration with a planted 10% slowdown says
# `slower` and its A/A pair does not say slower or faster.
set -u
bin="$1"
source "$(dirname "$0")/lib.sh"

expect_bad() {  # expect_bad "text the message must contain" args...
    local want="$1"; shift
    local out rc
    out=$(run answer "$@" 2>&1 >/dev/null); rc=$?
    bad_verdict "ringlab answer $*" "$want" "$out" "$rc" one-line && pass
}

expect_bad "unknown question 'no-such'"   --question no-such --out "$tmp/o"
expect_bad "valid: site-publish"          --question no-such --out "$tmp/o"
expect_bad "names no question"            --question , --out "$tmp/o"
expect_bad "--budget 0 is out of range"    --budget 0 --out "$tmp/o"
expect_bad "out of range"                 --budget 7200 --out "$tmp/o"
expect_bad "--budget 'nan' is not valid"  --budget nan --out "$tmp/o"
expect_bad "not online"                   --cpus 0,4095 --out "$tmp/o"
expect_bad "--allow-same-cpu"             --cpus 0,0 --out "$tmp/o"
expect_bad "two CPU numbers"              --cpus 0 --out "$tmp/o"
expect_bad "--out DIR is required"        --question virt-vs-smp
expect_bad "does not exist"               --out "$tmp/missing/o"
expect_bad "belong to --calibrate"        --trials 3 --out "$tmp/o"
expect_bad "0.1 to 100"                   --calibrate --plant-pct 0 --out "$tmp/o"

out=$(run answer --list 2>&1); rc=$?
check "--list exits 0 and names the questions ($rc)" \
    '[[ $rc -eq 0 && "$out" == *"mandatory-vs-smp-b32"* && "$out" == *"kick-unlocked"* && "$out" == *"device-barrier"* ]]'

# End to end, natively only (under qemu-user the timing means nothing).
if [[ -z "${RINGLAB_EMU:-}" && $(nproc) -ge 2 ]]; then
    out=$(run answer --calibrate --plant-pct 10 --trials 2 --budget 5 --seed 1 --out "$tmp/cal" 2>&1); rc=$?
    check "calibrate exits 0 ($rc: $out)" '[[ $rc -eq 0 && -s "$tmp/cal/verdicts.json" ]]'
    if [[ -x /usr/bin/python3 ]]; then
        /usr/bin/python3 - "$tmp/cal/verdicts.json" "$(dirname "$0")/../../results/schema/verdicts-v1.schema.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
by = {v["id"]: v for v in d["verdicts"]}
plants = [by["calibrate/plant-10pct/%d/ns_per_buffer" % t] for t in (1, 2)]
aas = [by["calibrate/aa/%d/ns_per_buffer" % t] for t in (1, 2)]
# A/A: a 95% interval excludes 1 in about 1 trial in 20 by chance (--calibrate measured 1 in
# 52 with balanced pair orders), so two trials cannot both be false verdicts except about once
# in 400-2500 runs, and no A/A trial may be off by more than the equivalence margin and a half
# (what a fault of the statistics, not chance, gives).
assert sum(aa["verdict"] not in ("equivalent", "inconclusive") for aa in aas) <= 1, aas
for aa in aas:
    assert aa["pairs"] < 10 or 0.97 <= aa["ratio"] <= 1.03, aa
# The default plant is serial (spun after B's window): the ring runs as A's, so a planted
# slowdown called "faster" is a fault of the statistics, whatever the load.
assert d["calibration"]["plant_site"] == "serial", d["calibration"]
for p in plants:
    assert p["verdict"] != "faster", p
# Two trials, because detection is a rate (the issue asks 19 of 20 at 5%): at least one of them
# must find the planted 10%, unless other processes held the CPUs through most slices of every
# trial, which the answer then says itself (inconclusive: most pairs set aside).
judged = [p for p in plants if not (p["verdict"] == "inconclusive" and p["pairs_taken"] - p["pairs"] > p["pairs"])]
if not judged:
    print("SKIP planted-10%% detection: most pairs set aside in both trials (%s; machine loaded)"
          % ", ".join("%d of %d" % (p["pairs_taken"] - p["pairs"], p["pairs_taken"]) for p in plants))
else:
    assert any(p["verdict"] == "slower" for p in judged), judged
    assert d["calibration"]["groups"][1]["detected"] >= 1
for v in d["verdicts"]:
    assert v["mde_pct"] is None or v["mde_pct"] > 0
try:
    import jsonschema
except ImportError:
    sys.exit(0)
jsonschema.validate(d, json.load(open(sys.argv[2])))
PY
        check "calibrate: planted 10% found (1 of 2 trials) and never faster, at most 1 A/A verdict and none beyond 3%, the file matches its schema" '[[ $? -eq 0 ]]'
    fi
fi
finish
