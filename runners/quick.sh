#!/usr/bin/env bash
# The main job: install dependencies, build, answer the seed threads' questions
# (`ringlab answer`: paired verdicts), run the quick sweep on this machine, and
# write the report, which leads with the verdict table.  Results land in
# results/local/<run-id>/ (verdicts in answer/verdicts.json), the report in
# results/local/<run-id>/report/ (report.md, report.html, PNGs).
#   extra arguments go to `ringlab sweep` (e.g. --cpus 2,3 or --benchmark_repetitions=5)
#   RINGLAB_ANSWER_BUDGET  seconds per question (default: 270 s shared by the questions, at most 12
#                          each, so that all of them are answered within 5 minutes)
#   RINGLAB_ANSWER=0       skip the verdicts (sweep and report only)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runners/setup-deps.sh
RINGLAB_TESTS=OFF runners/build.sh
run_id=$(date -u +%Y%m%dT%H%M%SZ)
out="results/local/$run_id"
mkdir -p "$out"
start=$(date +%s)
rc=0 answer_rc=0
if [[ "${RINGLAB_ANSWER:-1}" != 0 ]]; then
    # Each question may run one pair past its budget, and probes first: 270 s leaves room for that.
    questions=$(build/bin/ringlab answer --list | grep -cE '^  [a-z]')
    budget=${RINGLAB_ANSWER_BUDGET:-$(( questions > 0 ? 270 / questions : 12 ))}
    (( budget > 12 )) && [[ -z "${RINGLAB_ANSWER_BUDGET:-}" ]] && budget=12
    (( budget < 1 )) && budget=1
    build/bin/ringlab answer --budget "$budget" --out "$out/answer" || answer_rc=$?
    echo "answer: $(( $(date +%s) - start )) s; verdicts $out/answer/verdicts.json (exit $answer_rc)"
fi
build/bin/ringlab sweep --preset quick --out "$out" "$@" || rc=$?
if [[ $rc -ne 0 && ! -s "$out/results.json" ]]; then
    echo "quick sweep failed before writing results (exit $rc)" >&2
    exit $rc
fi
analysis/ringlab-report report "$out" --out "$out/report"
echo
echo "quick sweep: $(( $(date +%s) - start )) s; results $out/results.json; report $out/report/report.html (and report.md)"
[[ $rc -eq 0 ]] || echo "NOTE: the sweep exited $rc: some configuration failed verification; see the report's correctness table" >&2
[[ $answer_rc -eq 0 ]] || echo "NOTE: ringlab answer exited $answer_rc: a slice failed or the answer could not run; see answer/verdicts.json" >&2
[[ $rc -ne 0 ]] && exit $rc
exit $answer_rc
