#!/usr/bin/env bash
# Each bad input must exit 2, say what is wrong and what is valid, and leave no file.
set -u
bin="$1"
source "$(dirname "$0")/lib.sh"

expect_bad() {  # expect_bad "text the message must contain" args...
    local want="$1"; shift
    local out rc
    out=$(run "$@" --json "$tmp/out.json" 2>&1 >/dev/null); rc=$?
    bad_verdict "ringlab $*" "$want" "$out" "$rc" && pass
}

expect_bad "valid values: split, split-inorder, packed, index" run --layout ring
expect_bad "power of two from 2 to 32768"             run --ring-size 100
expect_bad "out of range"                              run --ring-size 65536
expect_bad "1 to the ring size"                        run --ring-size 64 --batch 128
expect_bad "given more than once"                      run --batch 1 --batch 32
expect_bad "exceeds the ring size"                     run --ring-size 64 --outstanding 65
expect_bad "batch <= outstanding"                      run --batch 8 --outstanding 4
expect_bad "not online"                                run --cpus 0,4095
expect_bad "--allow-same-cpu"                          run --cpus 0,0
expect_bad "two CPU numbers"                           run --cpus 0
expect_bad "--barrier 'strong' is not valid"          run --barrier strong
expect_bad "needs notifications"                       run --wait sleep
expect_bad "does not support notify mode event-idx"    run --layout index --notify event-idx
expect_bad "--submitters 2"                            run --kick-unlocked
expect_bad "unknown option --frobnicate"               run --frobnicate
expect_bad "is not valid"                              run --batch many
expect_bad "drop-kick=P"                               run --inject drop-everything=1
expect_bad "multiple of 8"                             run --payload 12
# Real virtio buffers: chains, indirect tables, completion order.
expect_bad "out of range"                              run --sg 17
expect_bad "out of range"                              run --sg 0
expect_bad "auto=K with K from 0 to 16"                run --indirect auto=17
expect_bad "valid values: off, on, auto"               run --indirect sometimes
expect_bad "random:SEED"                               run --completion random:x
expect_bad "random:SEED"                               run --completion sideways
expect_bad "--completion must be in-order"             run --layout split-inorder --completion random
expect_bad "--completion must be in-order"             run --layout packed-inorder --completion reverse
expect_bad "index layout has no descriptors"           run --layout index --sg 2
# The guest's combinations (bench/guest/guest_config.hpp), refused before KVM is looked for.
expect_bad "--guest kvm runs one submitter per vCPU: --submitters must equal --vcpus, both 1 or both 2 (now --submitters 1, --vcpus 2)" \
                                                       run --guest kvm --vcpus 2
expect_bad "--submitters must equal --vcpus"           run --guest kvm --submitters 2 --kick-unlocked
expect_bad "--vcpus applies to --guest kvm only"       run --vcpus 2 --submitters 2
expect_bad "--vcpus 0 is out of range (an integer from 1 to 2)" run --guest kvm --vcpus 0
expect_bad "does not fit a ring of 8"                  run --ring-size 8 --sg 16
expect_bad "--verify full"                             run --sg 2 --verify ring
expect_bad "64 or 128"                                 run --cache-line 96

# A CPU outside the affinity mask (only checkable where taskset exists and >1 CPU).
if command -v taskset >/dev/null && [[ $(nproc --all) -gt 1 ]] && [[ -z "${RINGLAB_EMU:-}" ]]; then
    out=$(taskset -c 0 "$bin" run --cpus 0,1 --json "$tmp/out.json" 2>&1 >/dev/null); rc=$?
    check "affinity mask: rc=$rc '$out'" '[[ $rc -eq 2 && "$out" == *"affinity mask"* && ! -e "$tmp/out.json" ]]'
fi

# An unwritable --json path is refused before the run.
out=$(run run --buffers 1000 --json /nonexistent-dir/x.json 2>&1 >/dev/null); rc=$?
check "unwritable json path: rc=$rc '$out'" '[[ $rc -eq 2 && "$out" == *"/nonexistent-dir"* ]]'

finish
