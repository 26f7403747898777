#!/usr/bin/env bash
# Installs test dependencies, builds, and runs every test suite:
#   native unit + integration + CLI tests (ctest), the cross-architecture build
#   and tests under qemu-user (aarch64, ppc64le), the analysis tests (pytest),
#   the install and packages (cmake --install, the .deb unpacked and run, man pages, bash
#   completion), and the Ansible fleet end-to-end test over real SSH.
#   trixie: the native build and ctest again on Debian 13 (gcc 14, Google Benchmark
#   1.9), in a tree debootstrapped under build/ (runners/trixie-test.sh).
# Skip parts with RINGLAB_SKIP="cross fleet" (for quick local iterations; CI runs all).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runners/setup-deps.sh --test || exit 1
skip=" ${RINGLAB_SKIP:-} "
passed=0 failed=0 failed_names=()
suite() {  # suite NAME command...
    local name=$1; shift
    if [[ "$skip" == *" $name "* ]]; then echo "=== $name: skipped by RINGLAB_SKIP"; return; fi
    echo "=== $name"
    local t0=$(date +%s)
    if "$@"; then passed=$((passed + 1)); echo "=== $name: ok ($(( $(date +%s) - t0 )) s)"
    else failed=$((failed + 1)); failed_names+=("$name"); echo "=== $name: FAILED ($(( $(date +%s) - t0 )) s)"; fi
}
py=$(analysis/ringlab-report --which-python) || exit 1

# JUnit XML of the suites for CI dashboards, beside the regression report's (.ci/run).
results="$root/build/test-results"
mkdir -p "$results"

suite build    runners/build.sh
suite native   ctest --test-dir build --output-on-failure -j "$(nproc)" -LE fleet --timeout 600 \
                     --output-junit "$results/ctest.xml"
suite trixie   runners/trixie-test.sh
suite cross    runners/cross-test.sh
suite package  runners/package-test.sh
suite analysis "$py" -m pytest -q analysis/tests --junitxml="$results/pytest-analysis.xml"
suite fleet    tests/fleet/run_fleet_e2e.sh

echo
[[ $failed -eq 0 ]] || echo "failed suites: ${failed_names[*]}"
echo "suites: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
