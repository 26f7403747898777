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

# The stand-in checks that it got ringtest's arguments, then takes a little time.
cat >"$tmp/fake-ringtest" <<'SH'
#!/usr/bin/env bash
[[ "$*" == "--ring-size 256 --batch 1 --run-cycles 100000 --host-affinity "*" --guest-affinity "* ]] || exit 9
sleep 0.01
SH
chmod +x "$tmp/fake-ringtest"
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
