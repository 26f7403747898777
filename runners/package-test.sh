#!/usr/bin/env bash
# package-test.sh [BUILD_DIR]: the install and the packages, as a lab host would use them.
#   1. `cmake --install` into a scratch prefix: every file where cmake/install.cmake says.
#   2. CPack builds the .deb; its Depends name Debian's packages; `dpkg -x` unpacks it into a
#      scratch root, and from there `ringlab --version`, a tiny sweep, and `ringlab-report`
#      on that sweep (with the package's own Python package) run.
#   3. The man pages render with `man -l`; the bash completion completes commands, options
#      and axis values from the unpacked binaries.
#   4. Where rpmbuild exists, CPack builds the .rpm too and its Requires are checked.
# Needs a built tree (runners/build.sh), dpkg-deb, man-db, help2man at configure time.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
tmp=$(mktemp -d /tmp/ringlab-package.XXXXXX)
trap '[[ -n ${RINGLAB_KEEP_TMP:-} ]] || rm -rf "$tmp"' EXIT
fails=0
check() {  # check DESCRIPTION command...
    local what=$1; shift
    if "$@" >"$tmp/last.log" 2>&1; then echo "package-test: ok: $what"
    else echo "package-test: FAILED: $what"; sed 's/^/    /' "$tmp/last.log" | tail -20; fails=$((fails + 1)); fi
}
[[ -x $build/bin/ringlab ]] || { echo "package-test: no $build/bin/ringlab (run runners/build.sh)" >&2; exit 2; }
version=$("$build/bin/ringlab" --version) || exit 2

# 1. cmake --install
check "cmake --install puts binaries, analysis, presets, schema, man pages, completion under a prefix" \
    bash -c "cmake --install '$build' --prefix '$tmp/prefix' >/dev/null && cd '$tmp/prefix' &&
             test -x bin/ringlab && test -x bin/ringlab-micro && test -x bin/ringlab-report &&
             test -f share/ringlab/python/ringlab_analysis/cli.py && test -f share/ringlab/presets/tiny.json &&
             test -f share/ringlab/schema/results-v1.schema.json && test -f share/man/man1/ringlab.1 &&
             test -f share/bash-completion/completions/ringlab"

# 2. the .deb
check "cpack builds the .deb" bash -c "cd '$build' && cpack -G DEB -B '$tmp/pkg' >/dev/null && ls '$tmp'/pkg/*.deb"
deb=$(ls "$tmp"/pkg/*.deb 2>/dev/null | head -1)
if [[ -n $deb ]]; then
    depends=$(dpkg-deb -f "$deb" Depends)
    echo "package-test: Depends: $depends"
    for p in libbenchmark1debian libpfm4 libstdc++6 python3-numpy python3-scipy python3-matplotlib; do
        check "Depends names $p" grep -q "\\b$p\\b" <<<"$depends"
    done
    check "dpkg -x into a scratch root" dpkg -x "$deb" "$tmp/root"
    r=$tmp/root/usr
    # cpack builds the tree first (its preinstall step), which may relink ringlab with a new
    # git revision: compare against the binary as it is now.
    version=$("$build/bin/ringlab" --version)
    check "ringlab --version from the package" bash -c "[[ \"\$('$r/bin/ringlab' --version)\" == '$version' ]]"
    check "a tiny sweep from the package" "$r/bin/ringlab" sweep --preset tiny --out "$tmp/run"
    check "ringlab-report from the package uses the package's analysis" \
        bash -c "cd / && '$r/bin/ringlab-report' export '$tmp/run' --format csv --out '$tmp/rows.csv' &&
                 grep -q axis_layout '$tmp/rows.csv' &&
                 '$r/bin/ringlab-report' report '$tmp/run' --out '$tmp/report' >/dev/null && test -s '$tmp/report/report.md'"
    # 3. man pages and completion, from the unpacked package
    for page in ringlab ringlab-micro ringlab-report; do
        check "man -l $page.1 renders" bash -c "MANWIDTH=100 man -l '$r/share/man/man1/$page.1' >'$tmp/$page.txt' 2>&1 &&
                                                grep -q '^NAME' '$tmp/$page.txt' && grep -qiE 'usage|benchmark_filter' '$tmp/$page.txt'"
    done
    check "man ringlab has every command's help" bash -c "grep -q '^COMMANDS' '$tmp/ringlab.txt' &&
                                                          grep -q 'usage: ringlab sweep' '$tmp/ringlab.txt'"
    comp() {  # comp EXPECTED WORDS...: the completion of the last word contains EXPECTED
        local want=$1; shift
        bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ));
                 if [[ $1 == *report ]]; then _ringlab_report; else _ringlab; fi; printf "%s\n" "${COMPREPLY[@]}"' \
            _ "$r/share/bash-completion/completions/ringlab" "$@" | grep -qx -- "$want"
    }
    check "completion: commands" comp sweep "$r/bin/ringlab" sw
    check "completion: options" comp --layout "$r/bin/ringlab" run --la
    check "completion: axis values" comp packed "$r/bin/ringlab" run --layout pa
    check "completion: presets" comp tiny "$r/bin/ringlab" sweep --preset t
    check "completion: ringlab-report formats" comp jsonl "$r/bin/ringlab-report" export --format j
fi

# 4. the .rpm
if command -v rpmbuild >/dev/null; then
    check "cpack builds the .rpm" bash -c "cd '$build' && cpack -G RPM -B '$tmp/rpm' >/dev/null && ls '$tmp'/rpm/*.rpm"
    rpmf=$(ls "$tmp"/rpm/*.rpm 2>/dev/null | head -1)
    [[ -n $rpmf ]] && check ".rpm requires python3-numpy" bash -c "rpm -qpR '$rpmf' | grep -q python3-numpy"
else
    echo "package-test: no rpmbuild here (Debian: apt-get install rpm): .rpm not built"
fi
[[ $fails -eq 0 ]] && echo "package-test: all checks passed" || echo "package-test: $fails check(s) failed"
[[ $fails -eq 0 ]]
