#!/usr/bin/env bash
# Configures and builds ringlab into build/ (Release).  Extra arguments go to cmake.
#   RINGLAB_BUILD_DIR   build directory (default: build)
#   RINGLAB_TESTS       ON/OFF (default ON)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${RINGLAB_BUILD_DIR:-$root/build}
launcher=()
if command -v ccache >/dev/null; then
    # Relative paths in the cache key: another checkout (CI's build of the previous
    # commit, the fleet's hosts) reuses the objects of unchanged files.
    export CCACHE_BASEDIR="$root"
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DRINGLAB_TESTS="${RINGLAB_TESTS:-ON}" "${launcher[@]}" "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
echo "built $dir/bin/ringlab"
