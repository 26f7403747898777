# lib.sh: what the CLI test scripts share.  Source it after `set -u`:
#   tmp          a scratch directory, removed on exit
#   pass / fail  count one result (fail prints why)
#   check DESC COND   eval COND; pass or fail with DESC
#   finish       print the counts and return non-zero if anything failed
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
