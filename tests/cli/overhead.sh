#!/usr/bin/env bash
# runners/overhead.sh as a user meets it: bad arguments exit 2 with the valid form;
# one short round runs and prints the medians; --ringtest takes any executable
# with ringtest's arguments (a stand-in here: ringlab does not ship ringtest).
set -u
bin="$1" script="$2"
source "$(dirname "$0")/lib.sh"
export RINGLAB_BIN="$bin"

out=$(bash "$script" --rounds 0 2>&1); rc=$?
check "--rounds 0 exits 2 (got $rc)" '[[ $rc -eq 2 ]]'
check "--rounds 0 names the valid range" '[[ "$out" == *"positive integer"* ]]'
out=$(bash "$script" --cpus 0 2>&1); rc=$?
check "--cpus 0 exits 2 naming A,B (got $rc: $out)" '[[ $rc -eq 2 && "$out" == *"A,B"* ]]'
out=$(bash "$script" --cpus 0,4095 2>&1); rc=$?
check "a CPU that cannot be used exits 2 with ringlab's reason (got $rc: $out)" '[[ $rc -eq 2 && "$out" == *"cannot measure on CPUs 0,4095: CPU 4095"* ]]'
out=$(bash "$script" --ringtest "$tmp/missing" 2>&1); rc=$?
check "a missing ringtest binary exits 2 (got $rc)" '[[ $rc -eq 2 && "$out" == *"not an executable"* ]]'
out=$(bash "$script" --ringtest "$tmp" 2>&1); rc=$?
check "a directory as the ringtest binary exits 2 before any round (got $rc: $out)" \
    '[[ $rc -eq 2 && "$out" == "overhead.sh: --ringtest $tmp is not an executable" ]]'

# The stand-in checks that it got ringtest's arguments, then takes a little time.
cat >"$tmp/fake-ringtest" <<'SH'
#!/usr/bin/env bash
[[ "$*" == "--ring-size 256 --batch 1 --run-cycles "@(1|100000)" --host-affinity "*" --guest-affinity "* ]] || exit 9
[[ "$*" == *"--run-cycles 1 "* ]] || sleep 0.01
SH
chmod +x "$tmp/fake-ringtest"
# A peer whose start-up alone takes 0.3 s: 100000 buffers in 0.31 s of wall time are 100 ns
# each once the start-up is taken off, 3100 ns if it were counted.
cat >"$tmp/slow-start" <<'SH'
#!/usr/bin/env bash
sleep 0.3
[[ "$*" == *"--run-cycles 1 "* ]] || sleep 0.01
SH
chmod +x "$tmp/slow-start"
out=$(bash "$script" --rounds 1 --buffers 100000 --cpus 0,1 --ringtest "$tmp/slow-start" 2>&1); rc=$?
rt=$(awk '$1 == "1" { print $10 }' <<<"$out")
check "the peer's start-up is not counted as its time per buffer (got ${rt:-nothing} ns: $out)" \
    '[[ $rc -eq 0 && -n "$rt" ]] && awk -v v="$rt" "BEGIN { exit !(v > 0 && v < 1500) }"'
printf '#!/bin/sh\nexit 3\n' >"$tmp/broken-peer"
chmod +x "$tmp/broken-peer"
out=$(bash "$script" --rounds 1 --buffers 100000 --cpus 0,1 --ringtest "$tmp/broken-peer" 2>&1); rc=$?
check "a peer that fails stops the script, naming it (got $rc: $out)" \
    '[[ $rc -ne 0 && "$out" == *"broken-peer --run-cycles 1 exited 3"* ]]'

out=$(bash "$script" --rounds 1 --buffers 100000 --cpus 0,1 --ringtest "$tmp/fake-ringtest" 2>&1); rc=$?
check "one round exits 0 (got $rc: $out)" '[[ $rc -eq 0 ]]'
check "prints the round trip over the run's own floor" '[[ "$out" == *"median packed round trip (p50) / its run'"'"'s floor: "[0-9]* ]]'
check "prints the round trip over pingpong" '[[ "$out" == *"median packed round trip (p50) / pingpong:        "[0-9]* ]]'
check "prints the mean over the floor" '[[ "$out" == *"median packed time per buffer (mean) / its floor:  "[0-9]* ]]'
check "prints the ringtest median" '[[ "$out" == *"median ringlab split batch 1 / ringtest:          "[0-9]* ]]'
check "no ring columns without --ring" '[[ "$out" != *"p/ring"* && "$out" != *"/ ringtest ring"* ]]'
out=$(bash "$script" --ring "$tmp/missing" 2>&1); rc=$?
check "a missing --ring binary exits 2 (got $rc)" '[[ $rc -eq 2 && "$out" == *"--ring $tmp/missing is not an executable"* ]]'
out=$(bash "$script" --ringtest-inorder "$tmp/missing" 2>&1); rc=$?
check "a missing --ringtest-inorder binary exits 2 (got $rc)" '[[ $rc -eq 2 && "$out" == *"not an executable"* ]]'
# The other two peers get the same arguments; each round alternates every layout with its peer.
out=$(bash "$script" --rounds 2 --buffers 100000 --cpus 0,1 --ring "$tmp/fake-ringtest" \
    --ringtest-inorder "$tmp/fake-ringtest" 2>&1); rc=$?
check "two rounds against ring and inorder exit 0 (got $rc: $out)" '[[ $rc -eq 0 ]]'
check "prints index over ring" '[[ "$out" == *"median ringlab index batch 1 / ringtest ring:     "[0-9]* ]]'
check "prints packed over ring" '[[ "$out" == *"median ringlab packed batch 1 / ringtest ring:    "[0-9]* ]]'
check "prints split-inorder over inorder" '[[ "$out" == *"median ringlab split-inorder b1 / ringtest inorder: "[0-9]* ]]'
rows=$(grep -cE '^[12] +[0-9.]+ .* [0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+' <<<"$out")
check "each round prints a row with the peers' figures (got $rows rows)" '[[ $rows -eq 2 ]]'
# --costs: the checks' own costs, each a ratio taken within the round.
out=$(bash "$script" --rounds 2 --buffers 100000 --cpus 0,1 --costs 2>&1); rc=$?
check "--costs exits 0 (got $rc: $out)" '[[ $rc -eq 0 ]]'
check "prints verify full over ring for split" '[[ "$out" == *"median split  --verify full / --verify ring:     "[0-9]* ]]'
check "prints verify full over ring for packed" '[[ "$out" == *"median packed --verify full / --verify ring:     "[0-9]* ]]'
check "prints latency on over off at batch 32" '[[ "$out" == *"median packed b32 --latency on / --latency off:  "[0-9]* ]]'
finish
