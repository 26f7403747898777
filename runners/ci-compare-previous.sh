#!/usr/bin/env bash
# CI regression report: builds the previous commit beside the current one and
# hands both binaries to runners/ci-regression.sh, which runs the `ci` preset
# with each, alternating, in this one job (so machine drift cancels), compares
# them, prints the Markdown summary and decides the exit code.
#   runners/ci-compare-previous.sh [BASE_REV]   (default HEAD~1)
# Exit: 0 no significant regression beyond the threshold; 1 regression or a
# correctness failure in the candidate; 0 with a note when there is no base that
# can run the `ci` preset (the first commits of the project).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
base_rev=${1:-HEAD~1}
out="$root/build/ci-regression"
rm -rf "$out"
mkdir -p "$out"
cand_bin="$root/build/bin/ringlab"
[[ -x "$cand_bin" ]] || { echo "ci-compare: no candidate binary at $cand_bin (run runners/build.sh)" >&2; exit 2; }

if ! git rev-parse --verify -q "$base_rev^{commit}" >/dev/null; then
    echo "ci-compare: no base revision $base_rev in this clone; nothing to compare against"
    exit 0
fi
base_src="$root/build/ci-base-src"
rm -rf "$base_src"
git worktree prune
if ! git worktree add --detach -f "$base_src" "$base_rev" >/dev/null 2>&1; then
    echo "ci-compare: cannot check out $base_rev" >&2
    exit 2
fi
trap 'git -C "$root" worktree remove --force "$base_src" >/dev/null 2>&1' EXIT
echo "ci-compare: building base $(git rev-parse --short "$base_rev") in $base_src"
if ! RINGLAB_BUILD_DIR="$base_src/build" RINGLAB_TESTS=OFF bash "$base_src/runners/build.sh" >"$out/base-build.log" 2>&1; then
    echo "ci-compare: the base revision does not build (see $out/base-build.log); no comparison"
    exit 0
fi
base_bin="$base_src/build/bin/ringlab"
if ! "$base_bin" sweep --preset ci --dry-run >/dev/null 2>&1; then
    echo "ci-compare: the base revision has no 'ci' preset; no comparison"
    exit 0
fi
RINGLAB_CI_RESULTS="${RINGLAB_CI_RESULTS:-$root/build/test-results}" bash runners/ci-regression.sh "$base_bin" "$cand_bin" "$out" "${RINGLAB_CI_ROUNDS:-6}"
