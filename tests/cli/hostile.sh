#!/usr/bin/env bash
# Hostile input: special files as outputs, values past every range, stray arguments,
# -h everywhere, injected faults that must be reported.  Nothing destroyed, nothing
# hangs, nothing hidden.  Every case is fast (well under a second) except the injected
# run, which is bounded by its own timeout.
set -u
bin="$1"
source "$(dirname "$0")/lib.sh"
# The sweep and --events exist only in full builds (Google Benchmark, libpfm4).
full=0; ${RINGLAB_EMU:-} "$bin" sweep --help >/dev/null 2>&1 && full=1

# expect2 "message part" args...: exit 2, the message, and no measurement printed.
expect2() {
    local want="$1"; shift
    local out err rc
    err=$(timeout 20 ${RINGLAB_EMU:-} "$bin" "$@" 2>&1 >"$tmp/stdout"); rc=$?
    out=$(cat "$tmp/stdout")
    if [[ $rc -ne 2 ]]; then fail "ringlab $* exited $rc, want 2 ($err)"; return; fi
    if [[ "$err" != *"$want"* ]]; then fail "ringlab $*: message '$err' lacks '$want'"; return; fi
    if [[ "$out" == *"per buffer"* || "$out" == *"verdict"* ]]; then fail "ringlab $* measured before refusing"; return; fi
    if [[ $(printf '%s\n' "$err" | wc -l) -gt 2 ]]; then fail "ringlab $*: more than one sentence: $err"; return; fi
    pass
}

# --- Output files: only a new path or a regular file; the target is left as it was.
mkfifo "$tmp/fifo"
expect2 "is a FIFO" run --buffers 1000 --no-floor --json "$tmp/fifo"
check "the FIFO is still a FIFO" '[[ -p "$tmp/fifo" ]]'
ln -s "$tmp/elsewhere.json" "$tmp/link"
expect2 "is a symbolic link" run --buffers 1000 --no-floor --json "$tmp/link"
check "the symlink is still a symlink, its target not created" '[[ -L "$tmp/link" && ! -e "$tmp/elsewhere.json" ]]'
mkdir "$tmp/adir"
expect2 "is a directory" run --buffers 1000 --no-floor --json "$tmp/adir"
expect2 "is empty" run --buffers 1000 --no-floor --json ""
expect2 "is a character device" run --buffers 1000 --no-floor --json /dev/full
check "/dev/full is still a character device" '[[ -c /dev/full ]]'
if [[ $(id -u) -eq 0 ]] && mknod "$tmp/null" c 1 3 2>/dev/null; then
    expect2 "is a character device" run --buffers 1000 --no-floor --json "$tmp/null"
    check "a device node in a scratch dir is still a device" '[[ -c "$tmp/null" ]]'
else
    echo "SKIP: mknod needs root (a device node in a scratch dir); the /dev/full case above covers character devices"
fi
if [[ $full -eq 1 ]]; then
    mkdir "$tmp/sw" && mkfifo "$tmp/sw/results.json"
    expect2 "results.json is a FIFO" sweep --preset tiny --out "$tmp/sw"
    check "the sweep left the FIFO and wrote nothing else" '[[ -p "$tmp/sw/results.json" && $(ls "$tmp/sw" | wc -l) -eq 1 ]]'
    rm -rf "$tmp/sw"
fi
[[ $full -eq 1 ]] && expect2 "exists and is not a directory" sweep --preset tiny --out /dev/null
rm -f "$tmp/fifo" "$tmp/link"; rmdir "$tmp/adir"; rm -f "$tmp/null"

# A full disk: the measurement is reported, the write fails with one sentence and exit 1,
# and no temporary file is left behind.
mkdir "$tmp/small"
if [[ -z "${RINGLAB_EMU:-}" ]] && mount -t tmpfs -o size=64k tmpfs "$tmp/small" 2>/dev/null; then
    dd if=/dev/zero of="$tmp/small/filler" bs=4k 2>/dev/null
    err=$(run run --buffers 1000 --no-floor --json "$tmp/small/out.json" 2>&1 >/dev/null); rc=$?
    check "full disk --json: rc=$rc '$err'" '[[ $rc -eq 1 && "$err" == *"No space left on device"* && $(printf "%s\n" "$err" | wc -l) -eq 1 ]]'
    check "full disk --json: nothing left behind" '[[ $(ls "$tmp/small") == filler ]]'
    umount "$tmp/small"
else
    echo "SKIP: full disk: cannot mount a 64 KiB tmpfs here (needs root / CAP_SYS_ADMIN, not under an emulator)"
fi
rmdir "$tmp/small"

# --- Ranges: NaN/Inf, past the type, below the timer step, 0 meaning something else.
expect2 "from 0.001 to 3600"   run --duration 1e-300
expect2 "from 0.001 to 3600"   run --duration 1e-12
expect2 "from 0.001 to 3600"   run --duration 0
expect2 "is not valid"         run --duration nan
expect2 "is not valid"         run --duration inf
expect2 "out of range"         run --buffers 18446744073709551616
expect2 "out of range"         run --ring-size 99999999999999999999999
expect2 "out of range"         run --spin-ns 1000000001 --notify flags --wait hybrid
expect2 "a number from 0 to 1" run --inject drop-kick=nan --notify flags --wait sleep
expect2 "a number from 0 to 1" run --inject drop-kick=inf --notify flags --wait sleep
expect2 "a number from 0 to 1" run --inject drop-kick=-0.1 --notify flags --wait sleep
expect2 "only applies to --barrier branch or ops" run --runtime-barrier mandatory --barrier smp
[[ $full -eq 1 ]] && expect2 "unknown event 'bogus_event_xyz'" run --buffers 1000 --events bogus_event_xyz
expect2 "is not a directory"   topo --sysfs-root /nonexistent
[[ $full -eq 1 ]] && expect2 "unknown event 'bogus_event_xyz'" sweep --preset tiny --dry-run --events bogus_event_xyz
[[ $full -eq 1 ]] && expect2 "out of range (CPU numbers are 0..65535)" sweep --preset tiny --dry-run --cpus 4294967296,1
[[ $full -eq 1 ]] && expect2 "not valid (an integer from 1 to 1000)" sweep --preset tiny --out "$tmp/s" --benchmark_repetitions=0
[[ $full -eq 1 ]] && expect2 "not valid (an integer from 1 to 1000)" sweep --preset tiny --out "$tmp/s" --benchmark_repetitions=-3
[[ $full -eq 1 ]] && expect2 "=true or =false"      sweep --preset tiny --out "$tmp/s" --benchmark_enable_random_interleaving=maybe
[[ $full -eq 1 ]] && expect2 "matches none of the"  sweep --preset tiny --out "$tmp/s" --benchmark_filter=nomatch
[[ $full -eq 1 ]] && check "a refused sweep wrote nothing" '[[ ! -e "$tmp/s" ]]'
expect2 "--buffers is not used here" stress --buffers 5
expect2 "--duration is not used here" stress --duration 5

# --- Stray arguments are refused; -h and --help print help and run nothing.
for c in run stress pingpong list topo env version; do
    expect2 "unexpected argument 'stray'" "$c" stray
    out=$(timeout 5 ${RINGLAB_EMU:-} "$bin" "$c" -h 2>&1); rc=$?
    check "ringlab $c -h: rc=$rc" '[[ $rc -eq 0 && "$out" == *"usage: ringlab $c"* ]]'
    out=$(timeout 5 ${RINGLAB_EMU:-} "$bin" "$c" --help 2>&1); rc=$?
    check "ringlab $c --help: rc=$rc" '[[ $rc -eq 0 && "$out" == *"usage: ringlab $c"* ]]'
done
# stress --help states stress's own defaults, not run's.
out=$(run stress --help)
# Each option's own line (--call's "(default poll)" is right for --call).
line() { printf '%s\n' "$out" | grep -E -- "^  --$1 "; }
check "stress --help: notify default" '[[ "$(line notify)" == *"stress default event-idx"* && "$(line notify)" != *"(default poll)"* ]]'
check "stress --help: wait default" '[[ "$(line wait)" == *"stress default sleep"* && "$(line wait)" != *"(default spin)"* ]]'
check "stress --help: watchdog default" '[[ "$(line watchdog-ms)" == *"stress default 200"* && "$out" != *"default 2000)"* ]]'

# --- Fault injection tells the truth: recorded, counted, and quick at --outstanding 1.
out=$(timeout 60 ${RINGLAB_EMU:-} "$bin" run --inject drop-kick=0.01 --notify flags --wait sleep --buffers 200000 \
      --no-floor --json "$tmp/inj.json" 2>&1); rc=$?
check "injected run (default outstanding): rc=$rc" '[[ $rc -le 1 && "$out" == *"injected: dropped "* && "$out" == *"masked by a later notification"* ]]'
check "injected run: --inject in the config and the name" \
    '/usr/bin/python3 -c "import json,sys; e=json.load(open(sys.argv[1]))[\"benchmarks\"][0]; r=e[\"ringlab\"]; assert r[\"config\"][\"inject\"]==\"drop-kick=0.01\" and \"/inject:drop-kick=0.01\" in e[\"name\"]; i=r[\"injected\"]; assert i[\"dropped_kicks\"]>0 and i[\"detected\"]+i[\"masked\"]==i[\"dropped_kicks\"]+i[\"dropped_calls\"]" "$tmp/inj.json"'
if [[ -n "${RINGLAB_EMU:-}" ]]; then
    echo "SKIP: detection timing under an emulator (its thread scheduling is not the kernel's)"
else
start=$(date +%s)
out=$(timeout 120 ${RINGLAB_EMU:-} "$bin" run --inject drop-kick=0.01 --outstanding 1 --notify flags --wait sleep \
      --buffers 20000 --no-floor 2>&1); rc=$?
took=$(( $(date +%s) - start ))
# Each detected drop costs milliseconds, not the 2 s watchdog period (that would be ~400 s here).
check "1% drops at --outstanding 1: rc=$rc in ${took}s" '[[ $rc -eq 1 && $took -lt 100 && "$out" == *"detected as lost"* && "$out" == *"lost notifications"* ]]'
fi
rm -f "$tmp"/*.json "$tmp/stdout"

finish
