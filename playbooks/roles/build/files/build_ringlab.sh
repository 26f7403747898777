#!/bin/sh
# build_ringlab.sh TAR KEY WORKDIR JOBS TARGET [cmake configure args...]
#
# Builds ringlab from a source snapshot (snapshot_source.py) in WORKDIR,
# unless WORKDIR already holds a build of the same KEY (snapshot digest +
# configure arguments). Used on fleet hosts (build mode "host") and on the
# controller (build mode "controller", one WORKDIR per architecture).
# The last line says what happened, for Ansible's changed_when:
#   RINGLAB_BUILD=up-to-date | RINGLAB_BUILD=built
set -eu
tar=$1 key=$2 work=$3 jobs=$4 target=$5
shift 5
stamp=$work/build-key
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && [ -x "$work/src/build/bin/ringlab" ]; then
    echo "RINGLAB_BUILD=up-to-date"
    exit 0
fi
# A fresh tree each time the key changes: the snapshot's files all carry
# mtime 0, so an incremental build could not see what changed.
rm -rf "$work/src" "$stamp"
mkdir -p "$work/src"
tar -xf "$tar" -C "$work/src"
if [ "$jobs" -le 0 ]; then
    jobs=$(getconf _NPROCESSORS_ONLN)
fi
# ccache, when the host has it: several hosts (or fleet runs) building the same
# snapshot share compiled objects.  CCACHE_BASEDIR makes the paths relative, so
# work directories at different places still hit.
if command -v ccache >/dev/null 2>&1; then
    export CCACHE_BASEDIR="$work/src"
    set -- "$@" -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
fi
cmake -S "$work/src" -B "$work/src/build" "$@"
cmake --build "$work/src/build" --parallel "$jobs" --target "$target"
test -x "$work/src/build/bin/ringlab"
echo "$key" > "$stamp"
echo "RINGLAB_BUILD=built"
