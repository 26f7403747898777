#!/usr/bin/env bash
# Builds ringlab and runs its native tests (ctest) on Debian 13 "trixie" (gcc 14,
# Google Benchmark 1.9, CMake 3.31), in a trixie tree debootstrapped into the build
# folder.  This machine's own apt sources are never touched: the tree is made from
# the Debian mirror this machine's apt already uses, and only the tree's own
# sources.list names trixie.
#
#   RINGLAB_TRIXIE_ROOT    the tree (default: build/trixie-root); kept between runs
#   RINGLAB_TRIXIE_MIRROR  Debian mirror (default: the first .../debian URI in /etc/apt/sources.list*)
#   RINGLAB_TRIXIE_FRESH=1 remove the tree and make it again
#   RINGLAB_TRIXIE_CCACHE  ccache directory for the tree's gcc (default: ~/.cache/ringlab-trixie-ccache,
#                          outside the checkout so that a fresh clone on the same machine reuses it;
#                          kept apart from the host's cache, whose ccache and gcc differ); "off": none
#   runners/trixie-test.sh --run CMD...   run CMD in the ready tree instead (source at
#                                         /ringlab/src, build at /ringlab/build), e.g. to
#                                         repeat one test: --run /ringlab/build/bin/engine_tests
#
# The working tree is bind-mounted read-only at /ringlab/src; the build lands in the
# tree's /ringlab/build, so a second run rebuilds only what changed.  Every mount is
# made in a private mount namespace (unshare): it ends with the namespace even on
# SIGKILL, and the host never sees a /dev or /proc inside build/ that `rm -rf build`
# could walk into.  The trap unmounts them in order on a normal exit as well.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tree=${RINGLAB_TRIXIE_ROOT:-$root/build/trixie-root}

# What the build and the native tests need on trixie.  Cross compilers and binutils
# let the disassembly check run gcc 14's aarch64/ppc64le output against the table.
pkgs=(g++ make cmake libbenchmark-dev libgtest-dev libpfm4-dev nlohmann-json3-dev
      python3 python3-pytest python3-jsonschema binutils ccache
      g++-aarch64-linux-gnu binutils-aarch64-linux-gnu
      g++-powerpc64le-linux-gnu binutils-powerpc64le-linux-gnu)

say() { echo "[trixie] $*"; }
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "trixie-test: needs root (debootstrap, chroot, mount) or sudo" >&2; exit 1; }
    exec sudo -E "$0" "$@"
fi
for tool in debootstrap unshare chroot flock; do
    command -v "$tool" >/dev/null || { echo "trixie-test: $tool is missing (runners/setup-deps.sh --test installs it)" >&2; exit 1; }
done

mirror=${RINGLAB_TRIXIE_MIRROR:-}
if [[ -z "$mirror" ]]; then
    # Both formats: "deb URI suite ..." lines and deb822 "URIs: URI" fields; comments
    # are dropped first (a snapshot URL in a comment is not what apt uses).
    mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
             | sed 's/#.*//' | grep -o -E 'https?://[^ ]*/debian/?( |$)' | head -1 | tr -d ' ') || true
    mirror=${mirror%/}
fi
[[ -n "$mirror" ]] || { echo "trixie-test: no Debian mirror in /etc/apt/sources.list*; set RINGLAB_TRIXIE_MIRROR" >&2; exit 1; }

ccache_dir=${RINGLAB_TRIXIE_CCACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ringlab-trixie-ccache}
[[ "$ccache_dir" == off ]] && ccache_dir=""
[[ -n "$ccache_dir" ]] && mkdir -p "$ccache_dir"

mkdir -p "$(dirname "$tree")"
exec 9>"$tree.lock"
flock -w 1800 9 || { echo "trixie-test: another run holds $tree.lock (waited 30 min)" >&2; exit 1; }

# Runs "$@" inside the tree, with /proc, /sys, /dev and the source mounted in a
# private mount namespace.  The source is mounted only when $2 is "src".
in_tree() {
    local want_src=$1; shift
    unshare --mount --propagation private bash -c "$inner" in_tree "$tree" "$root" "$want_src" "$ccache_dir" "$@" </dev/null
}
# The part that runs in the namespace (a string, so that nothing it runs can read it from stdin).
inner=$(cat <<'INNER'
set -euo pipefail
tree=$1 root=$2 want_src=$3 ccache_dir=$4; shift 4
mounted=()
cleanup() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
mnt() { local at=${*: -1}; mkdir -p "$at"; mount "$@"; mounted+=("$at"); }
mnt -t proc proc "$tree/proc"
mnt --rbind /sys "$tree/sys"
mnt --rbind /dev "$tree/dev"
if [[ "$want_src" == src ]]; then
    mnt --bind "$root" "$tree/ringlab/src"
    mount -o remount,bind,ro "$tree/ringlab/src"
    [[ -n "$ccache_dir" ]] && mnt --bind "$ccache_dir" "$tree/ringlab/ccache"
fi
chroot "$tree" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive CCACHE_DIR=/ringlab/ccache CCACHE_BASEDIR=/ringlab/src \
    "$@"
INNER
)

t0=$(date +%s)
stamp="$tree/.ringlab-packages"
if [[ "${RINGLAB_TRIXIE_FRESH:-0}" == 1 || ! -f "$tree/.ringlab-debootstrap-done" ]]; then
    # Nothing of ours is mounted in this namespace (all mounts live in unshare'd ones),
    # but a tree someone mounted by hand must not be walked into by rm -rf.
    if findmnt -rn -o TARGET | grep -q -F "$tree/"; then
        echo "trixie-test: something is mounted under $tree; unmount it first" >&2; exit 1
    fi
    # Only ever remove a tree this script made (RINGLAB_TRIXIE_ROOT could name anything).
    if [[ -e "$tree" && ! -e "$tree/.ringlab-tree" && ! -e "$tree/.ringlab-debootstrap-done" && -n "$(ls -A "$tree" 2>/dev/null)" ]]; then
        echo "trixie-test: $tree exists and was not made by this script; not removing it" >&2; exit 1
    fi
    rm -rf "$tree"
    mkdir -p "$tree"
    touch "$tree/.ringlab-tree"
    say "debootstrap trixie from $mirror into $tree"
    unshare --mount --propagation private \
        debootstrap --variant=minbase --components=main trixie "$tree" "$mirror" >"$tree.debootstrap.log" 2>&1 \
        || { tail -20 "$tree.debootstrap.log" >&2; echo "trixie-test: debootstrap failed (log: $tree.debootstrap.log)" >&2; exit 1; }
    touch "$tree/.ringlab-debootstrap-done"
fi
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "${pkgs[*]}" ]]; then
    say "installing ${pkgs[*]}"
    in_tree nosrc apt-get update -q >/dev/null
    in_tree nosrc apt-get install -y -q --no-install-recommends "${pkgs[@]}" >"$tree/.ringlab-apt.log" 2>&1 \
        || { tail -20 "$tree/.ringlab-apt.log" >&2; echo "trixie-test: apt-get install in the tree failed" >&2; exit 1; }
    in_tree nosrc apt-get clean
    echo "${pkgs[*]}" >"$stamp"
fi
t1=$(date +%s)
mkdir -p "$tree/ringlab/src" "$tree/ringlab/build" "$tree/ringlab/ccache"
say "tree ready in $((t1 - t0)) s: $(in_tree nosrc g++ --version | head -1);" \
    "Google Benchmark $(in_tree nosrc dpkg-query -W -f='${Version}' libbenchmark-dev);" \
    "$(in_tree nosrc cmake --version | head -1)"

if [[ "${1:-}" == --run ]]; then
    shift
    in_tree src "$@"
    exit
fi

rev=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
[[ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]] && rev="$rev-dirty"
jobs=$(nproc)
launcher=()
[[ -n "$ccache_dir" ]] && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
in_tree src cmake -S /ringlab/src -B /ringlab/build -DCMAKE_BUILD_TYPE=Release -DRINGLAB_TESTS=ON \
    -DRINGLAB_GIT_REV="$rev" "${launcher[@]}" >/dev/null
in_tree src cmake --build /ringlab/build -j "$jobs"
t2=$(date +%s)
say "built in $((t2 - t1)) s"
# As the native suite: every test but the fleet's.  Tests that cannot run in a chroot
# SKIP with their reason (ctest lists them under "did not run").
rc=0
in_tree src ctest --test-dir /ringlab/build --output-on-failure -j "$jobs" -LE fleet --timeout 600 || rc=$?
t3=$(date +%s)
say "ctest in $((t3 - t2)) s; tree $((t1 - t0)) s, build $((t2 - t1)) s, $((t3 - t0)) s in all"
exit $rc
