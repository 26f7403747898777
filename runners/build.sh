#!/usr/bin/env bash
# Configures and builds ringlab into build/ (Release).  Extra arguments go to cmake.
#   RINGLAB_BUILD_DIR   build directory (default: build)
#   RINGLAB_TESTS       ON/OFF (default ON)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${RINGLAB_BUILD_DIR:-$root/build}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DRINGLAB_TESTS="${RINGLAB_TESTS:-ON}" "${launcher[@]}" "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
echo "built $dir/bin/ringlab"
