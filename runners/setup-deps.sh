#!/usr/bin/env bash
# Installs what ringlab needs from Debian's archive (Debian 12 / bookworm).
#   runners/setup-deps.sh            build + run + report deps
#   runners/setup-deps.sh --test     also test deps: GoogleTest, pytest, jsonschema,
#                                    cross compilers + qemu-user + arm64/ppc64el libraries
#                                    (Debian multiarch), Ansible, ansible-lint, yamllint, sshd,
#                                    Google Benchmark's compare.py (libbenchmark-tools),
#                                    help2man, bash-completion, python3-lxml, rpm (packaging tests)
#                                    debootstrap (the Debian 13 suite, runners/trixie-test.sh)
# Idempotent: packages already present are left alone, and apt is not called at all
# when nothing is missing.
set -euo pipefail

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup-deps: need root or sudo to install packages" >&2; exit 1; }
    SUDO="sudo"
fi

pkgs=(cmake g++ make git libbenchmark-dev libpfm4-dev nlohmann-json3-dev
      python3 python3-matplotlib python3-numpy python3-scipy hwloc linux-perf ccache)
cross_libs=()
if [[ $want_test -eq 1 ]]; then
    pkgs+=(libgtest-dev python3-pytest python3-jsonschema
           g++-aarch64-linux-gnu g++-powerpc64le-linux-gnu binutils-aarch64-linux-gnu
           binutils-powerpc64le-linux-gnu qemu-user
           ansible ansible-lint yamllint openssh-server openssh-client rsync
           libbenchmark-tools help2man bash-completion python3-lxml rpm
           debootstrap)
    cross_libs=(libbenchmark-dev:arm64 libpfm4-dev:arm64 libgtest-dev:arm64
                libbenchmark-dev:ppc64el libpfm4-dev:ppc64el libgtest-dev:ppc64el)
fi

# The cross libraries come from Debian multiarch: the arm64/ppc64el builds of the same packages.
if [[ ${#cross_libs[@]} -gt 0 ]]; then
    archs=$(dpkg --print-foreign-architectures)
    for a in arm64 ppc64el; do
        grep -qx "$a" <<<"$archs" || $SUDO dpkg --add-architecture "$a"
    done
fi

missing=()
for p in "${pkgs[@]}" "${cross_libs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
    echo "setup-deps: all ${#pkgs[@]} packages (+${#cross_libs[@]} cross libraries) present"
    exit 0
fi
echo "setup-deps: installing ${missing[*]}"
# A mirror mid-sync can fail one index (seen for ppc64el security updates); the
# install below still works from the main archive, and fails loudly if it does not.
$SUDO apt-get update -q || echo "setup-deps: apt-get update reported errors; trying the install anyway" >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
