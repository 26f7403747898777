#!/usr/bin/env bash
# The KVM guest from the command line: bad input and a missing /dev/kvm exit 2
# with one sentence and no file; exitcost and a guest run write JSON saying host kvm.
set -u
bin="$1"
source "$(dirname "$0")/../cli/lib.sh"

expect_rc() {  # expect_rc RC "text the message must contain" args...
    local want_rc="$1" want="$2"; shift 2
    local out rc
    out=$("$bin" "$@" --json "$tmp/out.json" 2>&1 >/dev/null); rc=$?
    if [[ $rc -ne $want_rc ]]; then fail "ringlab $* exited $rc, want $want_rc ($out)"; return; fi
    if [[ "$out" != *"$want"* ]]; then fail "ringlab $*: message '$out' lacks '$want'"; return; fi
    if [[ -e "$tmp/out.json" ]]; then fail "ringlab $* left a file behind"; rm -f "$tmp/out.json"; return; fi
    pass
}

expect_rc 2 "valid values: thread, kvm"                run --guest vmware
expect_rc 2 "applies to --guest kvm only"              run --kick exit
expect_rc 2 "valid values: ioeventfd, exit"            run --guest kvm --kick hypercall
expect_rc 2 "valid values: poll, irqfd"                run --guest kvm --call msi
expect_rc 2 "--call irqfd needs notifications"         run --guest kvm --call irqfd --notify poll
expect_rc 2 "one submitter per vCPU: --submitters must equal --vcpus, both 1 or both 2 (now --submitters 2, --vcpus 1)" \
                                                       run --guest kvm --submitters 2 --kick-unlocked
expect_rc 2 "--submitters must equal --vcpus, both 1 or both 2 (now --submitters 1, --vcpus 2)" \
                                                       run --guest kvm --vcpus 2
expect_rc 2 "--vcpus 3 is out of range (an integer from 1 to 2)" run --guest kvm --vcpus 3 --submitters 3
expect_rc 2 "--vcpus applies to --guest kvm only"      run --vcpus 2 --submitters 2
expect_rc 2 "--guest-barriers up is a uniprocessor guest (Linux without CONFIG_SMP): it needs --vcpus 1" \
                                                       run --guest kvm --vcpus 2 --submitters 2 --guest-barriers up
expect_rc 2 "leave it at 0"                            run --guest kvm --kick-cost-ns 2000
expect_rc 2 "one direct descriptor per buffer"         run --guest kvm --sg 2
expect_rc 2 "applies to --guest kvm only"              run --doorbell mmio --notify flags
expect_rc 2 "valid values: smp, up"                           run --guest kvm --guest-barriers none
expect_rc 2 "branch and ops are not modelled"          run --guest kvm --guest-barriers up --barrier branch
expect_rc 2 "not an exit kind"                         exitcost --kinds pio,vmcall
expect_rc 2 "--iterations"                             exitcost --iterations 1
# No usable KVM: the device node named, exit 2.
RINGLAB_KVM_DEVICE=$tmp/no-kvm expect_rc 2 "$tmp/no-kvm does not exist" exitcost --iterations 10
RINGLAB_KVM_DEVICE=$tmp/no-kvm expect_rc 2 "$tmp/no-kvm does not exist" run --guest kvm --buffers 100
touch "$tmp/not-a-device"; chmod 000 "$tmp/not-a-device"
if [[ $(id -u) -ne 0 ]]; then
    RINGLAB_KVM_DEVICE=$tmp/not-a-device expect_rc 2 "add this user to the kvm group" exitcost --iterations 10
fi
rm -f "$tmp/not-a-device"

kvm=$("$bin" env --json | /usr/bin/python3 -c 'import json,sys; k=json.load(sys.stdin)["kvm"]; print("yes" if k["usable"] else k["reason"])')
if [[ "$kvm" != yes ]]; then
    echo "SKIP the guest runs: KVM not usable here: $kvm"
    finish; exit $?
fi
"$bin" exitcost --cpus 0,1 --iterations 20 --kinds pio,mmio,ioeventfd-mmio --json "$tmp/ec.json" >/dev/null 2>"$tmp/err"
check "exitcost exits 0 ($(cat "$tmp/err"))" '[[ $? -eq 0 ]]'
check "exitcost JSON: host kvm, 4 kinds of 20 samples with p50 <= p99" \
  '/usr/bin/python3 -c "
import json; d=json.load(open(\"$tmp/ec.json\"))
assert d[\"host\"]==\"kvm\" and d[\"boundary\"], d
k={x[\"kind\"]:x for x in d[\"kinds\"]}
assert set(k)=={\"pio\",\"mmio\",\"ioeventfd-mmio\",\"ioeventfd-mmio-wake\"}, k.keys()
assert all(x[\"samples\"]==20 and 0<x[\"p50_ns\"]<=x[\"p99_ns\"] for x in k.values()), k
assert d[\"guest\"][\"user_exits_io\"]>=20 and d[\"guest\"][\"user_exits_mmio\"]>=20, d[\"guest\"]
"'
"$bin" run --guest kvm --layout packed --notify event-idx --kick exit --doorbell mmio --wait sleep \
    --buffers 3000 --warmup 300 --cpus 0,1 --no-floor --exitcost-iterations 10 --json "$tmp/run.json" >/dev/null 2>"$tmp/err"
check "run --guest kvm exits 0 ($(cat "$tmp/err"))" '[[ $? -eq 0 ]]'
check "run JSON: host kvm, doorbells = MMIO exits, valid" \
  '/usr/bin/python3 -c "
import json; d=json.load(open(\"$tmp/run.json\"))
e=d[\"benchmarks\"][0][\"ringlab\"]; g=e[\"guest\"]
assert e[\"host\"]==\"kvm\" and e[\"valid\"], e
assert g[\"kick\"]==\"exit\" and g[\"doorbell\"]==\"mmio\"
assert g[\"results_page\"][\"doorbells\"]==g[\"exits_to_user_space\"][\"mmio\"] > 0, g
assert g[\"exitcost\"][0][\"kind\"]==\"mmio\", g
"'
# Seed 002 inside the guest: two vCPUs share the ring under the lock; the JSON carries the
# lock's figures as a threads run's do, and each vCPU's results area.
for mode in --kick-under-lock --kick-unlocked; do
    rm -f "$tmp/run2.json"
    "$bin" run --guest kvm --vcpus 2 --submitters 2 $mode --notify flags --wait sleep --kick exit --batch 4 \
        --buffers 3000 --warmup 300 --cpus 0,1 --no-floor --exitcost-iterations 0 --verify full \
        --json "$tmp/run2.json" >"$tmp/out2" 2>"$tmp/err"; rc=$?
    check "run --guest kvm --vcpus 2 $mode exits 0 ($rc: $(cat "$tmp/err"))" "[[ $rc -eq 0 ]]"
    check "its summary prints the lock and both vCPUs" \
      'grep -q "lock: .* acquisitions" "$tmp/out2" && grep -q "guest: vCPU 0 (APIC 0" "$tmp/out2" && grep -q "guest: vCPU 1 (APIC 1" "$tmp/out2"'
    check "its JSON: valid, 2 vCPUs, lock hold recorded, kick mode $mode" \
      '/usr/bin/python3 -c "
import json; d=json.load(open(\"$tmp/run2.json\"))
b=d[\"benchmarks\"][0]; e=b[\"ringlab\"]; g=e[\"guest\"]
assert e[\"host\"]==\"kvm\" and e[\"valid\"], e
assert e[\"config\"][\"vcpus\"]==2 and e[\"config\"][\"submitters\"]==2, e[\"config\"]
assert e[\"config\"][\"kick_mode\"]==(\"unlocked\" if \"$mode\"==\"--kick-unlocked\" else \"under-lock\"), e[\"config\"]
lk=e[\"lock\"]; assert lk[\"acquisitions\"]>0 and lk[\"hold\"][\"mean_ns\"]>0 and lk[\"hold\"][\"max_ns\"]>0, lk
assert b[\"lock_hold_mean_ns\"]>0, b
assert [v[\"apic_id\"] for v in g[\"vcpus\"]]==[0,1], g[\"vcpus\"]
assert sum(v[\"lock\"][\"acquisitions\"] for v in g[\"vcpus\"])==lk[\"acquisitions\"], g[\"vcpus\"]
"'
done
"$bin" answer --list >"$tmp/list" 2>&1
check "answer --list has the 2-vCPU lock question" 'grep -q "guest-kick-unlocked" "$tmp/list"'
# The sweep's guest axes: one guest configuration, its entry says host kvm in name and config.
cat > "$tmp/spec.json" <<'SPEC'
{"settings": {"buffers": 3000, "repetitions": 1, "measure_floor": false},
 "axes": {"guest": "kvm", "kick": "exit", "notify": "event-idx", "wait": "sleep", "batch": 4}}
SPEC
"$bin" sweep --spec "$tmp/spec.json" --cpus 0,1 --out "$tmp/sw" >/dev/null 2>"$tmp/err"; rc=$?
check "sweep with guest kvm exits 0 ($(tail -1 "$tmp/err"))" "[[ $rc -eq 0 ]]"
check "sweep entry: guest:kvm/kick:exit in the name, config guest kvm, host kvm, kicks counted" \
  '/usr/bin/python3 -c "
import json; d=json.load(open(\"$tmp/sw/results.json\"))
e=[b for b in d[\"benchmarks\"] if b.get(\"run_type\")==\"iteration\"][0]
assert \"/guest:kvm/kick:exit\" in e[\"run_name\"], e[\"run_name\"]
c=e[\"ringlab\"][\"config\"]
assert c[\"guest\"]==\"kvm\" and c[\"kick\"]==\"exit\" and c[\"call\"]==\"poll\", c
assert e[\"ringlab\"][\"host\"]==\"kvm\" and e[\"ringlab\"][\"valid\"], e[\"ringlab\"]
# kicks are counted (a number; 0 when the device never went idle in 3000 buffers), and the
# vCPU CPU time is either unmeasured (the guest ended before its first sample) or sane.
assert e[\"kicks_per_buffer\"] >= 0, e
assert e.get(\"driver_cpu_ns_per_buffer\") is None or e[\"driver_cpu_ns_per_buffer\"] < 1e9, e
"'
# ringlab answer runs a guest question's sides through the guest (one VM per slice).
"$bin" answer --question guest-kick-exit-vs-ioeventfd --budget 4 --cpus 0,1 --out "$tmp/ans" >/dev/null 2>"$tmp/err"; rc=$?
check "answer guest-kick-exit-vs-ioeventfd exits 0 or 1 ($rc: $(tail -1 "$tmp/err"))" "[[ $rc -le 1 ]]"
check "its verdict has measured pairs of guest slices" \
  '/usr/bin/python3 -c "
import json; d=json.load(open(\"$tmp/ans/verdicts.json\"))
v=[x for x in d[\"verdicts\"] if x[\"question_id\"]==\"guest-kick-exit-vs-ioeventfd\"]
# pairs taken, not pairs used: on a loaded machine a slice can be set aside; the runner still ran guest sides.
assert v and v[0][\"pairs_taken\"] > 0, v
"'
finish
