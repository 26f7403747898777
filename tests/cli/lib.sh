# lib.sh: what the CLI test scripts share.  Source it after `set -u`:
#   tmp          a scratch directory, removed on exit
#   pass / fail  count one result (fail prints why)
#   check DESC COND   eval COND; pass or fail with DESC
#   finish       print the counts and return non-zero if anything failed
#   run ARGS...  the binary under test ($bin, set before sourcing), under $RINGLAB_EMU
#   bad_verdict DESC WANT OUT RC [one-line]   a bad input's checks: exit 2, OUT holds WANT
#                (and is one line, if asked), nothing left in $tmp; fail and return 1 otherwise
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passed=0
pass() { passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { if eval "$2"; then pass; else fail "$1"; fi; }
finish() {
    echo "$(basename "$0"): $passed passed, $fails failed"
    [[ $fails -eq 0 ]]
}
run() { ${RINGLAB_EMU:-} "$bin" "$@"; }
bad_verdict() {
    local desc="$1" want="$2" out="$3" rc="$4" lines="${5:-}"
    if [[ $rc -ne 2 ]]; then fail "$desc exited $rc, want 2 ($out)"; return 1; fi
    if [[ "$out" != *"$want"* ]]; then fail "$desc: message '$out' lacks '$want'"; return 1; fi
    if [[ -n $lines && $(printf '%s\n' "$out" | wc -l) -ne 1 ]]; then fail "$desc: more than one line: $out"; return 1; fi
    if compgen -G "$tmp/*" >/dev/null; then fail "$desc left a file behind"; rm -rf "${tmp:?}"/*; return 1; fi
    return 0
}
