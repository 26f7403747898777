#!/usr/bin/env bash
# overhead.sh: how close ringlab's engine gets to the hardware floor and to an
# established C ring benchmark, measured the only way that means anything on a noisy
# machine: alternating the commands, round after round, and quoting medians of ratios.
#
#   runners/overhead.sh [--rounds N] [--cpus A,B] [--buffers N] [--ringtest PATH]
#                       [--ring PATH] [--ringtest-inorder PATH] [--costs]
#
# Each round runs, back to back on the same CPU pair:
#   pingpong   `ringlab pingpong`: one cache line bounced, the physical floor
#   packed-rtt `ringlab run --layout packed --outstanding 1 --verify ring`: its p50 round trip
#   split-b1   `ringlab run --layout split --batch 1 --ring-size 256 --verify ring`: ns per buffer
#   ringtest   (only with --ringtest) Linux's tools/virtio/ringtest binary (virtio_ring_0_9, the
#              split ring), polling, ring 256, batch 1, the same buffer count; ns per buffer from
#              its wall time less its start-up (the median of three one-buffer runs that round).  Build it yourself from a kernel tree (`make -C tools/virtio/ringtest`);
#              ringlab does not ship it.
#   ring       (only with --ring) ringtest's `ring` binary (descriptors updated in place, one flag
#              each, no index: the design closest to the packed and index rings), against
#              `ringlab run --layout index` and `--layout packed`, batch 1, ring 256, --verify ring
#   inorder    (only with --ringtest-inorder) ringtest's `virtio_ring_inorder`, against
#              `ringlab run --layout split-inorder`, batch 1, ring 256, --verify ring
#   costs      (only with --costs) what ringlab's own checks cost, each pair run back to back in
#              an order that alternates by round: split and packed at batch 1 with --verify full
#              over --verify ring (vf/vr: the payload written, read and answered), and packed at
#              batch 32 with --latency on over --latency off (lat: the sampled round-trip clock)
#   Every peer runs with ringtest's arguments (ring 256, batch 1, --run-cycles N, the same CPUs).
# Ratios are taken within a round, then the median over rounds is printed:
#   p50/floor  the round trip over the floor `ringlab run` measured itself, right before and
#              right after its window (1 / efficiency): the tightest pairing there is
#   p50/pp     the round trip over the separate pingpong command just before it
#   mean/floor the run's mean time per buffer (at --outstanding 1 the round trips tile the
#              window, so this is their exact mean, tails included) over its own floor.  The
#              p50 is a single-sample figure: with a coarse timer (see the run's "reads step
#              by" line) it moves in whole steps, the mean does not.
#   s/rt       split-b1 over ringtest
#   i/ring p/ring  index and packed at batch 1 over ringtest's `ring`
#   si/rti     split-inorder at batch 1 over virtio_ring_inorder
#   svf pvf lat  --costs: split and packed --verify full / ring, packed b32 --latency on / off
# A round where the machine changed speed (the run's two floors disagree, or the pingpong
# command disagrees with them, by more than 25%) is marked in the note column.
#
# Needs build/bin/ringlab (runners/build.sh).  Exit 0 when it ran; 2 on bad arguments.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ringlab="${RINGLAB_BIN:-$root/build/bin/ringlab}"
rounds=10 cpus=0,1 buffers=10000000 ringtest="" ring_peer="" inorder_peer="" costs=0
usage() { sed -n '2,42p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rounds) rounds=${2:?}; shift 2 ;;
        --cpus) cpus=${2:?}; shift 2 ;;
        --buffers) buffers=${2:?}; shift 2 ;;
        --ringtest) ringtest=${2:?}; shift 2 ;;
        --ring) ring_peer=${2:?}; shift 2 ;;
        --ringtest-inorder) inorder_peer=${2:?}; shift 2 ;;
        --costs) costs=1; shift ;;
        -h|--help) usage ;;
        *) echo "overhead.sh: unknown argument '$1'" >&2; usage ;;
    esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "overhead.sh: --rounds must be a positive integer (got '$rounds')" >&2; exit 2; }
[[ "$buffers" =~ ^[1-9][0-9]*$ ]] || { echo "overhead.sh: --buffers must be a positive integer (got '$buffers')" >&2; exit 2; }
[[ "$cpus" =~ ^[0-9]+,[0-9]+$ ]] || { echo "overhead.sh: --cpus must be two CPU numbers A,B (got '$cpus')" >&2; exit 2; }
[[ -x "$ringlab" ]] || { echo "overhead.sh: no ringlab binary at $ringlab (run runners/build.sh)" >&2; exit 2; }
for peer in "--ringtest:$ringtest" "--ring:$ring_peer" "--ringtest-inorder:$inorder_peer"; do
    if [[ -n "${peer#*:}" && ! ( -f "${peer#*:}" && -x "${peer#*:}" ) ]]; then
        echo "overhead.sh: ${peer%%:*} ${peer#*:} is not an executable" >&2
        exit 2
    fi
done
driver_cpu=${cpus%,*} device_cpu=${cpus#*,}
# A CPU pair ringlab cannot use is refused here, with ringlab's own reason, before any output.
if ! why=$("$ringlab" pingpong --cpus "$cpus" --rounds 64 2>&1 >/dev/null); then
    echo "overhead.sh: cannot measure on CPUs $cpus: ${why#ringlab pingpong: }" >&2
    exit 2
fi

# Pulls one figure out of ringlab's human summary (its format is ringlab's own).
field() { sed -nE "$2" <<<"$1" | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'; }
# One ringtest binary's wall time in ns for N buffers, the timer's own fork included.
peer_wall() {
    local t0 t1 rc=0
    t0=$(date +%s%N)
    "$1" --ring-size 256 --batch 1 --run-cycles "$2" \
        --host-affinity "$device_cpu" --guest-affinity "$driver_cpu" >/dev/null || rc=$?
    t1=$(date +%s%N)
    if ((rc != 0)); then
        echo "overhead.sh: $1 --run-cycles $2 exited $rc; no figure for it" >&2
        return 1
    fi
    echo $((t1 - t0))
}
# One ringtest binary's ns per buffer: its wall time for the buffers, less its start-up (the
# median of three runs of one buffer, taken in the same round).  ringlab's figure is its
# timed window alone; the peer's start-up (exec, threads, the timer's fork: about 2.3 ms on
# the AMD EPYC VM) was 13% of ringtest `ring`'s wall time for 1M buffers, and counting it made
# ringlab look that much better.
peer_ns() {
    local s1 s2 s3 start full
    # (errexit is off inside command substitutions: each failure returns explicitly.)
    s1=$(peer_wall "$1" 1) || return 1
    s2=$(peer_wall "$1" 1) || return 1
    s3=$(peer_wall "$1" 1) || return 1
    start=$(printf '%s\n' "$s1" "$s2" "$s3" | sort -n | sed -n 2p)
    full=$(peer_wall "$1" "$buffers") || return 1
    awk -v d=$((full - start)) -v n="$buffers" 'BEGIN { printf "%.2f", (d > 0 ? d : 0) / n }'
}
# ringlab's ns per buffer streaming one layout at batch 1, ring 256, --verify ring; further
# arguments are added to the run, and a --batch or --verify among them replaces the default
# (ringlab refuses an option given twice).
stream_ns() {
    local layout=$1; shift
    local -a defaults=()
    [[ " $* " == *" --batch "* ]] || defaults+=(--batch 1)
    [[ " $* " == *" --verify "* ]] || defaults+=(--verify ring)
    field "$("$ringlab" run --layout "$layout" "${defaults[@]}" --ring-size 256 --buffers "$buffers" \
        --cpus "$cpus" --no-floor "$@")" 's/.*per buffer: ([0-9.]+) ns.*/\1/p'
}
# The ratio B/A of two stream_ns argument sets ("layout args..." each), run back to back, A
# first in odd rounds and B first in even ones, so that a drift of the machine's speed
# within a round does not always favour the same side.
paired_ratio() {  # round "A args" "B args"
    local a b
    if (( $1 % 2 )); then a=$(stream_ns $2); b=$(stream_ns $3)
    else b=$(stream_ns $3); a=$(stream_ns $2); fi
    ratio "$b" "$a"
}
median() { tr ' ' '\n' | grep -v '^-*$' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "ringlab overhead: $rounds rounds on CPUs $cpus ($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //'))"
# The peer columns appear only for the peers given.
peer_head=""
[[ -n "$ring_peer" ]] && peer_head+=$(printf ' %8s %8s %8s %6s %6s' index-b1 packed-b1 ring i/ring p/ring)
[[ -n "$inorder_peer" ]] && peer_head+=$(printf ' %8s %8s %6s' si-b1 inorder si/rti)
[[ $costs == 1 ]] && peer_head+=$(printf ' %5s %5s %5s' svf pvf lat)
printf '%-5s %8s %8s %8s %8s %9s %7s %10s %9s %9s %6s%s  %s\n' round pingpong floor rtt-p50 rtt-mean p50/floor \
    p50/pp mean/floor split-b1 ringtest s/rt "$peer_head" note
floor_ratios="" pp_ratios="" mean_ratios="" split_ratios="" index_ratios="" packed_ratios="" inorder_ratios=""
svf_ratios="" pvf_ratios="" lat_ratios=""
for ((i = 1; i <= rounds; i++)); do
    pp=$("$ringlab" pingpong --cpus "$cpus" | sed -nE 's/.*median ([0-9.]+) ns.*/\1/p')
    rtt=$("$ringlab" run --layout packed --outstanding 1 --verify ring --buffers 500000 --cpus "$cpus")
    p50=$(field "$rtt" 's/.*round trip ns: p50 ([0-9.]+),.*/\1/p')
    mean=$(field "$rtt" 's/.*per buffer: ([0-9.]+) ns.*/\1/p')
    floor=$(field "$rtt" 's/.*floor \(cache-line round trip on these CPUs\): ([0-9.]+) ns.*/\1/p')
    note=""
    if grep -q "WARNING: the floor moved" <<<"$rtt"; then
        note="speed changed during the run"
    elif awk -v a="$pp" -v b="$floor" 'BEGIN { exit !(a > 0 && b > 0 && (a > 1.25 * b || b > 1.25 * a)) }'; then
        note="speed changed between pingpong and the run"
    fi
    split=$("$ringlab" run --layout split --batch 1 --ring-size 256 --verify ring --buffers "$buffers" \
        --cpus "$cpus" --no-floor)
    split_ns=$(field "$split" 's/.*per buffer: ([0-9.]+) ns.*/\1/p')
    rt_ns=""
    [[ -n "$ringtest" ]] && rt_ns=$(peer_ns "$ringtest")
    r0=$(ratio "$p50" "$floor") r1=$(ratio "$p50" "$pp") r3=$(ratio "$mean" "$floor") r2=$(ratio "$split_ns" "$rt_ns")
    floor_ratios+=" $r0" pp_ratios+=" $r1" mean_ratios+=" $r3" split_ratios+=" $r2"
    # Each ringlab layout runs right next to the peer it is compared with.
    peer_row=""
    if [[ -n "$ring_peer" ]]; then
        index_ns=$(stream_ns index)
        ring_ns=$(peer_ns "$ring_peer")
        packed_ns=$(stream_ns packed)
        r4=$(ratio "$index_ns" "$ring_ns") r5=$(ratio "$packed_ns" "$ring_ns")
        index_ratios+=" $r4" packed_ratios+=" $r5"
        peer_row+=$(printf ' %8s %8s %8s %6s %6s' "$index_ns" "$packed_ns" "$ring_ns" "$r4" "$r5")
    fi
    if [[ -n "$inorder_peer" ]]; then
        si_ns=$(stream_ns split-inorder)
        rti_ns=$(peer_ns "$inorder_peer")
        r6=$(ratio "$si_ns" "$rti_ns")
        inorder_ratios+=" $r6"
        peer_row+=$(printf ' %8s %8s %6s' "$si_ns" "$rti_ns" "$r6")
    fi
    if [[ $costs == 1 ]]; then
        r7=$(paired_ratio "$i" "split --verify ring" "split --verify full")
        r8=$(paired_ratio "$i" "packed --verify ring" "packed --verify full")
        r9=$(paired_ratio "$i" "packed --batch 32 --latency off" "packed --batch 32 --latency on")
        svf_ratios+=" $r7" pvf_ratios+=" $r8" lat_ratios+=" $r9"
        peer_row+=$(printf ' %5s %5s %5s' "$r7" "$r8" "$r9")
    fi
    printf '%-5s %8s %8s %8s %8s %9s %7s %10s %9s %9s %6s%s  %s\n' "$i" "$pp" "${floor:--}" "$p50" "$mean" "$r0" "$r1" \
        "$r3" "$split_ns" "${rt_ns:--}" "$r2" "$peer_row" "$note"
done
echo
echo "median packed round trip (p50) / its run's floor: $(median <<<"$floor_ratios")x over $rounds rounds"
echo "median packed round trip (p50) / pingpong:        $(median <<<"$pp_ratios")x"
echo "median packed time per buffer (mean) / its floor:  $(median <<<"$mean_ratios")x"
[[ -n "$ringtest" ]] && echo "median ringlab split batch 1 / ringtest:          $(median <<<"$split_ratios")x (below 1: ringlab is faster)"
if [[ -n "$ring_peer" ]]; then
    echo "median ringlab index batch 1 / ringtest ring:     $(median <<<"$index_ratios")x"
    echo "median ringlab packed batch 1 / ringtest ring:    $(median <<<"$packed_ratios")x"
fi
[[ -n "$inorder_peer" ]] && echo "median ringlab split-inorder b1 / ringtest inorder: $(median <<<"$inorder_ratios")x"
if [[ $costs == 1 ]]; then
    echo "median split  --verify full / --verify ring:     $(median <<<"$svf_ratios")x"
    echo "median packed --verify full / --verify ring:     $(median <<<"$pvf_ratios")x"
    echo "median packed b32 --latency on / --latency off:  $(median <<<"$lat_ratios")x"
fi
echo "(all figures ns; on a machine that changes speed, rounds scatter: quote the medians)"
