#!/usr/bin/env bash
# ci-regression.sh BASE_BIN CAND_BIN OUT_DIR [ROUNDS]
#
# Runs a short sweep with the base and the candidate ringlab binaries, interleaved
# (round k: base then candidate for odd k, candidate then base for even k, an ABBA order),
# so slow machine drift (thermal, frequency, noisy neighbours) hits both sides alike.
# Each round writes OUT_DIR/base/rK and OUT_DIR/cand/rK; compare pools the rounds as
# repetitions.  Then the comparison goes to OUT_DIR/report and its Markdown to stdout, and
# regression.junit.xml + regression-summary.md to $RINGLAB_CI_RESULTS (default OUT_DIR/report).
#
# Exit status: 0 clean; 1 the candidate has correctness failures (verification errors or
# lost notifications), or a regression is significant AND above the threshold; 2 usage
# error or a sweep that could not run at all.
#
# The regression threshold has one default, DEFAULT_REGRESSION_THRESHOLD_PCT in
# analysis/ringlab_analysis/compare.py; set RINGLAB_REGRESSION_THRESHOLD (percent) to override.
# ROUNDS defaults to 6.  Each round runs the preset's own repetitions (3 for `ci`), randomly
# interleaved, so a side pools 18 samples per configuration: enough for a Mann-Whitney test
# over ~10 configurations to pass Benjamini-Hochberg at 0.05 when a change is real.
#
# Confirmation: when the comparison finds a regression (and no correctness failure), the
# script runs ROUNDS more rounds and compares all of them pooled; only that comparison
# decides.  On this project's 2-vCPU development VM, whose speed changes phase within
# seconds, 6 rounds once called an unchanged binary 12.7% slower (16 rounds of the same two
# binaries: unchanged).  A real regression stays significant with twice the data; a phase
# that happened to hit one side mostly does not.  The first comparison is kept in
# OUT_DIR/report-first.  RINGLAB_CI_CONFIRM=0 turns the confirmation off (1, the default, on).
set -uo pipefail

usage() { echo "usage: $0 BASE_BIN CAND_BIN OUT_DIR [ROUNDS]" >&2; exit 2; }
[ $# -ge 3 ] && [ $# -le 4 ] || usage
base_bin=$1 cand_bin=$2 out=$3 rounds=${4:-6}
preset=${RINGLAB_CI_PRESET:-ci}
case $rounds in ''|*[!0-9]*) echo "ci-regression: ROUNDS must be a positive integer (got '$rounds')" >&2; exit 2 ;; esac
confirm=${RINGLAB_CI_CONFIRM:-1}
case $confirm in 0|1) ;; *) echo "ci-regression: RINGLAB_CI_CONFIRM must be 0 (no confirmation) or 1 (got '$confirm')" >&2; exit 2 ;; esac
[ "$rounds" -ge 1 ] || usage
for b in "$base_bin" "$cand_bin"; do
    [ -x "$b" ] || { echo "ci-regression: $b is not an executable" >&2; exit 2; }
done

here=$(cd "$(dirname "$0")" && pwd)
report_tool=${RINGLAB_REPORT:-$here/../analysis/ringlab-report}
mkdir -p "$out/base" "$out/cand" "$out/logs" || exit 2

sweep() {  # sweep SIDE BIN ROUND
    local side=$1 bin=$2 k=$3 dir="$out/$1/r$3" log="$out/logs/$1-r$3.log" rc
    rm -rf "$dir"
    echo "ci-regression: round $k/$last_round: $side ($bin)" >&2
    # Interleaving asked for explicitly: the sweep's default since e6ac244, but the base may be older.
    "$bin" sweep --preset "$preset" --out "$dir" --benchmark_enable_random_interleaving=true >"$log" 2>&1
    rc=$?
    # 1 = a configuration failed verification: the results are still written and compare
    # reports them; anything else means the sweep did not produce a usable run.
    if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
        echo "ci-regression: $side sweep failed with exit $rc; last lines of $log:" >&2
        tail -n 20 "$log" >&2
        exit 2
    fi
    [ -f "$dir/results.json" ] || { echo "ci-regression: $side sweep wrote no $dir/results.json" >&2; exit 2; }
}

run_rounds() {  # run_rounds FIRST LAST: rounds FIRST..LAST, in ABBA order
    local k start
    start=$(date +%s)
    last_round=$2
    for k in $(seq "$1" "$2"); do
        if [ $((k % 2)) -eq 1 ]; then
            sweep base "$base_bin" "$k"; sweep cand "$cand_bin" "$k"
        else
            sweep cand "$cand_bin" "$k"; sweep base "$base_bin" "$k"
        fi
    done
    echo "ci-regression: rounds $1-$2 in $(( $(date +%s) - start )) s" >&2
}
run_rounds 1 "$rounds"

threshold_args=()
[ -n "${RINGLAB_REGRESSION_THRESHOLD:-}" ] && threshold_args=(--threshold "$RINGLAB_REGRESSION_THRESHOLD")
# For the CI system: JUnit XML (one test case per configuration) and a Markdown summary to
# paste into a PR comment or job summary, in RINGLAB_CI_RESULTS (default OUT_DIR/report).
ci_results=${RINGLAB_CI_RESULTS:-$out/report}
mkdir -p "$ci_results" || exit 2
compare() {
    "$report_tool" compare "$out/base" "$out/cand" --out "$out/report" "${threshold_args[@]}" \
        --fail-on-regression --fail-on-correctness \
        --junit "$ci_results/regression.junit.xml" --summary "$ci_results/regression-summary.md"
}
compare
rc=$?
# The configurations compare.json calls regressions, when that is all that failed: a
# correctness failure is never confirmed away (a wrong buffer is wrong however often it is
# measured), so then this prints nothing.
regressions_only() {
    /usr/bin/python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
if not j["candidate_correctness_failures"]: print(", ".join(j["regressions"]))' \
        "$out/report/compare.json" 2>/dev/null
}
first=""
[ $rc -eq 1 ] && [ "$confirm" = 1 ] && first=$(regressions_only)
if [ -n "$first" ]; then
    echo "ci-regression: $rounds rounds found a regression ($first); confirming with $rounds more rounds," \
        "then comparing all $((2 * rounds)) pooled" >&2
    rm -rf "$out/report-first"
    mv "$out/report" "$out/report-first"
    run_rounds $((rounds + 1)) $((2 * rounds))
    compare
    rc=$?
    [ $rc -eq 0 ] && echo "ci-regression: not confirmed: the $((2 * rounds)) pooled rounds show no regression" \
        "(the first comparison is in $out/report-first)" >&2
fi
# A full report of the candidate's runs, for people who open the folder; never fails CI.
"$report_tool" report "$out/cand" --out "$out/report/candidate" >/dev/null 2>&1 \
    || echo "ci-regression: (candidate report could not be built; see above)" >&2
case $rc in
    0) echo "ci-regression: OK (report in $out/report)" >&2 ;;
    1) echo "ci-regression: FAILED: candidate correctness failure or significant regression above threshold" \
            "(report in $out/report)" >&2 ;;
    *) echo "ci-regression: compare could not run (exit $rc)" >&2; rc=2 ;;
esac
exit $rc
