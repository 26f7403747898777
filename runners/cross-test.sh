#!/usr/bin/env bash
# cross-test.sh: build ringlab for aarch64 and ppc64le with Debian's cross tool
# chains and run the test suite under qemu-user.
#
#   runners/cross-test.sh                 # both architectures, ringsim + engine + tests
#   runners/cross-test.sh --arch aarch64  # one architecture
#   runners/cross-test.sh --full          # RINGLAB_FULL=ON: also the cross-compiled
#                                         # `ringlab` CLI (fleet controller build mode)
#   runners/cross-test.sh --build-only    # compile, do not run ctest
#
# Build directories: build-aarch64, build-ppc64le (at the repository root).
# qemu-user proves behaviour (encodings, ABI, logic), NOT weak memory ordering
# or timing: the emulator runs guest threads on host threads with x86's
# ordering, and every figure it yields is meaningless as a measurement.
# Exit status: 0 all requested builds and tests passed, 1 otherwise.
set -u -o pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
archs=(aarch64 ppc64le)
full=OFF
run_tests=1
jobs=2
ctest_args=()
launcher=()
if command -v ccache >/dev/null; then
    export CCACHE_BASEDIR="$root"
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) shift; archs=("$1") ;;
    --full) full=ON ;;
    --build-only) run_tests=0 ;;
    -j) shift; jobs=$1 ;;
    -R|-E) ctest_args+=("$1" "$2"); shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "cross-test.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

declare -A triple=([aarch64]=aarch64-linux-gnu [ppc64le]=powerpc64le-linux-gnu)
declare -A qemu=([aarch64]=qemu-aarch64 [ppc64le]=qemu-ppc64le)
declare -A result=()
status=0

for arch in "${archs[@]}"; do
  t=${triple[$arch]:-}
  if [ -z "$t" ]; then
    echo "cross-test.sh: unknown architecture '$arch' (aarch64 | ppc64le)" >&2; exit 2
  fi
  build="$root/build-$arch"
  log="$build/cross-test.log"
  mkdir -p "$build"
  : > "$log"
  echo "=== $arch: configure (RINGLAB_FULL=$full) -> $build"
  missing=""
  for tool in "$t-g++" "${qemu[$arch]}"; do
    command -v "$tool" > /dev/null || missing="$missing $tool"
  done
  if [ -n "$missing" ]; then
    echo "    missing:$missing"; result[$arch]="SKIPPED (missing:$missing)"; status=1; continue
  fi
  if ! cmake -S "$root" -B "$build" \
        -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/$t.cmake" \
        -DCMAKE_BUILD_TYPE=Release -DRINGLAB_FULL=$full "${launcher[@]}" >> "$log" 2>&1; then
    tail -20 "$log"; result[$arch]="CONFIGURE FAILED (see $log)"; status=1; continue
  fi
  echo "=== $arch: build -j$jobs"
  if ! cmake --build "$build" -j"$jobs" >> "$log" 2>&1; then
    grep -E "error|Error" "$log" | head -20; result[$arch]="BUILD FAILED (see $log)"; status=1; continue
  fi
  if [ "$full" = ON ] && [ ! -x "$build/bin/ringlab" ]; then
    result[$arch]="BUILD INCOMPLETE: no bin/ringlab"; status=1; continue
  fi
  if [ $run_tests = 0 ]; then result[$arch]="built"; continue; fi
  echo "=== $arch: ctest under ${qemu[$arch]}"
  # Emulated threads are slow: generous per-test timeout.
  if (cd "$build" && ctest --output-on-failure --timeout 600 -j"$jobs" -LE fleet "${ctest_args[@]}") >> "$log" 2>&1; then
    result[$arch]="PASSED ($(grep -Eo '[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1))"
  else
    grep -E "^\s*[0-9]+ - |tests passed|Failed|Not Run" "$log" | tail -25
    result[$arch]="TESTS FAILED ($(grep -Eo '[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1); see $log)"
    status=1
  fi
done

echo
echo "=== cross-test summary (qemu-user: behaviour only, not ordering or timing)"
for arch in "${archs[@]}"; do printf '  %-8s %s\n' "$arch" "${result[$arch]:-not run}"; done
exit $status
