#!/bin/bash
# End-to-end test of the ringlab fleet playbooks over real SSH.
#
# Starts a throwaway sshd on loopback aliases, writes an inventory of
#   x86-a, x86-b     two x86_64 hosts (127.0.0.1, 127.0.0.2), built on the host
#   arm-qemu         aarch64, cross-compiled on the controller, run under qemu-aarch64
#   ppc-qemu         ppc64le, cross-compiled on the controller, run under qemu-ppc64le -cpu power9
#   x86-down         unreachable (a closed port)
#   arm-fails        its sweep fails (a wrapper that exits 1)
#   arm-hangs        its sweep hangs (the run role's timeout must end it)
#   misplaced        an x86_64 machine put in the aarch64 group
# runs site.yml twice (tiny preset, tune role on, against a scratch sysfs) and
# checks results, report, fleet summary, tune restore and idempotence; also
# runs yamllint, ansible-lint and --syntax-check.
#
# Environment:
#   RINGLAB_FLEET_FAKE=1   use the stand-in ringlab of fixtures/fake-src (playbook
#                          development only; default: the real build and report)
#   FLEET_E2E_KEEP=1       keep the temporary directory
#   FLEET_E2E_CACHE=DIR    controller cache (source snapshot, cross builds) to reuse
#   FLEET_E2E_STEP_TIMEOUT seconds per playbook run (default 1500)
set -euo pipefail

start_s=$(date +%s)
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
fixtures=$here/fixtures
step_timeout=${FLEET_E2E_STEP_TIMEOUT:-1500}
py=/usr/bin/python3
fake=${RINGLAB_FLEET_FAKE:-0}

tmp=$(mktemp -d /tmp/ringlab-fleet.XXXXXX)
sshd_pid=""
cleanup() {
    local rc=$?
    # Control masters first (they hold sessions on our sshd), then sshd.
    for sock in "$tmp"/cp/*; do
        [ -S "$sock" ] && timeout 5 ssh -o ControlPath="$sock" -O exit dummy >/dev/null 2>&1 || true
    done
    if [ -n "$sshd_pid" ] && kill -0 "$sshd_pid" 2>/dev/null; then
        kill "$sshd_pid" 2>/dev/null || true
        wait "$sshd_pid" 2>/dev/null || true
    fi
    if [ "${FLEET_E2E_KEEP:-0}" = 1 ]; then
        echo "kept $tmp"
    else
        [ $rc -eq 0 ] || echo "(FLEET_E2E_KEEP=1 keeps the logs, inventory and results of a run)"
        rm -rf "$tmp"
    fi
    echo "fleet e2e: $([ $rc -eq 0 ] && echo PASSED || echo "FAILED (rc $rc)") in $(( $(date +%s) - start_s )) s wall time"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { echo; echo "== $* ($(( $(date +%s) - start_s )) s)"; }
free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

for tool in /usr/sbin/sshd ansible-playbook ansible-lint yamllint ssh-keygen; do
    command -v "$tool" >/dev/null || { echo "missing $tool (see playbooks/README.md, setup)"; exit 1; }
done

# ---------------------------------------------------------------- lint
step "yamllint, ansible-lint, syntax-check"
cd "$repo"
timeout 300 yamllint -s -c playbooks/.yamllint playbooks
timeout 600 ansible-lint -q -c playbooks/.ansible-lint playbooks
for pb in playbooks/*.yml; do
    ANSIBLE_CONFIG=playbooks/ansible.cfg timeout 120 ansible-playbook --syntax-check -i playbooks/inventory/lab.ini "$pb"
done

# ---------------------------------------------------------------- sshd
step "throwaway sshd"
mkdir -p "$tmp/ssh" "$tmp/cp" "$tmp/hosts"
chmod 700 "$tmp/ssh"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/ssh/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/ssh/client_key"
cp "$tmp/ssh/client_key.pub" "$tmp/ssh/authorized_keys"
port=$(free_port)
closed_port=$(free_port)
while [ "$closed_port" = "$port" ]; do closed_port=$(free_port); done
user=$(id -un)
cat > "$tmp/ssh/sshd_config" <<CFG
Port $port
ListenAddress 127.0.0.1
ListenAddress 127.0.0.2
ListenAddress 127.0.0.3
ListenAddress 127.0.0.4
HostKey $tmp/ssh/host_key
AuthorizedKeysFile $tmp/ssh/authorized_keys
PidFile $tmp/ssh/sshd.pid
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
AllowUsers $user
Subsystem sftp /usr/lib/openssh/sftp-server
LogLevel ERROR
CFG
# sshd started as root wants its privilege-separation directory.
if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then mkdir -p /run/sshd && chmod 755 /run/sshd; fi
/usr/sbin/sshd -D -e -f "$tmp/ssh/sshd_config" 2>"$tmp/ssh/sshd.log" &
sshd_pid=$!
for _ in $(seq 50); do
    "$py" -c "import socket,sys; socket.create_connection(('127.0.0.2', $port), 0.2)" 2>/dev/null && break
    sleep 0.2
done
timeout 20 ssh -p "$port" -i "$tmp/ssh/client_key" -o IdentitiesOnly=yes -o BatchMode=yes \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "$user@127.0.0.2" true 2>/dev/null \
    || { echo "sshd did not come up:"; cat "$tmp/ssh/sshd.log"; exit 1; }
echo "sshd pid $sshd_pid on 127.0.0.1-4 port $port (closed port $closed_port)"

# ---------------------------------------------------------------- fleet
step "inventory and per-host scratch directories"
hosts_good="x86-a x86-b arm-qemu ppc-qemu"
for h in $hosts_good x86-down arm-fails arm-hangs misplaced; do
    sys=$tmp/hosts/$h/sysfs/devices/system/cpu
    for c in 0 1; do
        mkdir -p "$sys/cpu$c/cpufreq"
        echo powersave > "$sys/cpu$c/cpufreq/scaling_governor"
        echo "performance powersave" > "$sys/cpu$c/cpufreq/scaling_available_governors"
    done
    mkdir -p "$sys/cpufreq"
    echo 1 > "$sys/cpufreq/boost"
    # cpuidle: POLL, C1 (2 us), C6 (100 us), all enabled; tune disables C1 and C6.
    for c in 0 1; do
        for s in 0:POLL:0 1:C1:2 2:C6:100; do
            IFS=: read -r i name lat <<<"$s"
            mkdir -p "$sys/cpu$c/cpuidle/state$i"
            echo "$name" > "$sys/cpu$c/cpuidle/state$i/name"
            echo "$lat" > "$sys/cpu$c/cpuidle/state$i/latency"
            echo 0 > "$sys/cpu$c/cpuidle/state$i/disable"
        done
    done
    : > "$sys/isolated"
done
if [ "$fake" = 1 ]; then
    echo "USING THE STAND-IN ringlab (RINGLAB_FLEET_FAKE=1): development mode only"
    src=$fixtures/fake-src
    wrap_arm="$fixtures/fake-emulator.sh aarch64"
    wrap_ppc="$fixtures/fake-emulator.sh ppc64le"
else
    src=$repo
    wrap_arm="qemu-aarch64"
    wrap_ppc="qemu-ppc64le -cpu power9"
fi
hv() { # per-host variables: work dir, facts dir, scratch sysfs
    echo "ringlab_remote_dir=$tmp/hosts/$1/work ringlab_facts_dir=$tmp/hosts/$1/facts.d ringlab_tune_sysfs_root=$tmp/hosts/$1/sysfs"
}
cat > "$tmp/inventory.ini" <<INV
[x86_64]
x86-a ansible_host=127.0.0.1 $(hv x86-a)
x86-b ansible_host=127.0.0.2 $(hv x86-b)
x86-down ansible_host=127.0.0.1 ansible_port=$closed_port $(hv x86-down)

[aarch64]
arm-qemu ansible_host=127.0.0.3 ringlab_build_mode=controller ringlab_emulated_arch=aarch64 ringlab_exec_wrapper="$wrap_arm" $(hv arm-qemu)
arm-fails ansible_host=127.0.0.3 ringlab_build_mode=controller ringlab_emulated_arch=aarch64 ringlab_exec_wrapper="$fixtures/failing-wrapper.sh $tmp/hosts/arm-fails/sysfs $wrap_arm" $(hv arm-fails)
arm-hangs ansible_host=127.0.0.4 ringlab_build_mode=controller ringlab_emulated_arch=aarch64 ringlab_exec_wrapper="$fixtures/hang-wrapper.sh $wrap_arm" ringlab_run_timeout_s=20 $(hv arm-hangs)
misplaced ansible_host=127.0.0.4 $(hv misplaced)

[ppc64le]
ppc-qemu ansible_host=127.0.0.4 ringlab_build_mode=controller ringlab_emulated_arch=ppc64le ringlab_exec_wrapper="$wrap_ppc" $(hv ppc-qemu)

[all:vars]
ansible_port=$port
ansible_user=$user
ansible_ssh_private_key_file=$tmp/ssh/client_key
INV
# Pin every package the deps role installs to the version installed here:
# exercises pinning, and the role must then report "ok", not "changed".
pins=$(dpkg-query -W -f='${binary:Package} ${Version}\n' cmake g++ libbenchmark-dev libpfm4-dev nlohmann-json3-dev tar \
         hwloc linux-perf libbenchmark1debian:arm64 libpfm4:arm64 libbenchmark1debian:ppc64el libpfm4:ppc64el 2>/dev/null \
       | sed 's/:amd64 / /' \
       | "$py" -c 'import json,sys; print(json.dumps(dict(l.split() for l in sys.stdin if l.strip())))')
cat > "$tmp/vars.json" <<VARS
{"ringlab_preset": "tiny", "ringlab_become": false, "ringlab_tune_cstates_off": true,
 "ringlab_deps_update_cache": false, "ringlab_deps_versions": $pins,
 "ringlab_src_dir": "$src", "ringlab_controller_cache": "${FLEET_E2E_CACHE:-$tmp/cache}",
 "ringlab_results_root": "$tmp/results",
 "ringlab_build_jobs": 1, "ringlab_controller_build_jobs": 1, "ringlab_run_poll_s": 2}
VARS
cat > "$tmp/expect.json" <<EXP
{"delivered": {"x86-a": "x86_64", "x86-b": "x86_64", "arm-qemu": "aarch64", "ppc-qemu": "ppc64le"},
 "failed": {"x86-down": "unreachable", "arm-fails": "run_failed", "arm-hangs": "timed_out", "misplaced": "misconfigured"},
 "emulated": ["arm-qemu", "ppc-qemu"]}
EXP

export ANSIBLE_CONFIG=$repo/playbooks/ansible.cfg
export ANSIBLE_HOST_KEY_CHECKING=False
export ANSIBLE_SSH_CONTROL_PATH_DIR=$tmp/cp
export ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=60s -o IdentitiesOnly=yes -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10"
export ANSIBLE_LOCAL_TEMP=$tmp/ansible-local
export ANSIBLE_NOCOLOR=1

fleet() { # fleet N CALLBACK: one site.yml run, output in $tmp/runN.log
    local n=$1 cb=$2 rc=0
    ANSIBLE_STDOUT_CALLBACK=$cb timeout "$step_timeout" ansible-playbook -i "$tmp/inventory.ini" \
        "$repo/playbooks/site.yml" --tags all,tune -e @"$tmp/vars.json" \
        -e ringlab_report_dir="$tmp/report-$n" > "$tmp/run$n.log" 2> "$tmp/run$n.err" || rc=$?
    echo "site.yml run $n: exit $rc"
    # 0: the fleet delivered and the report was built (some hosts may have failed:
    # the summary says which). Anything else here is a failure of the fleet itself.
    if [ $rc -ne 0 ]; then tail -n 80 "$tmp/run$n.log" "$tmp/run$n.err"; return 1; fi
}

step "site.yml, first run"
fleet 1 ansible.builtin.default
sed -n '/TASK \[report : Show the fleet summary\]/,/^$/p' "$tmp/run1.log" | head -40
grep -A12 '^PLAY RECAP' "$tmp/run1.log"

# Check failures are counted, not fatal, so one run shows all of them.
failed_checks=0
check() { "$py" "$here/fleet_asserts.py" "$@" || failed_checks=$((failed_checks + 1)); }

step "checks after the first run"
check results "$tmp/results" "$tmp/report-1" "$tmp/expect.json"
check tune "$tmp/hosts" $hosts_good --failed arm-fails

step "site.yml, second run (idempotence)"
fleet 2 ansible.posix.json
check idempotent "$tmp/run2.log" deps build facts
check results "$tmp/results" "$tmp/report-2" "$tmp/expect.json"
echo
echo "report: $(ls "$tmp/report-2")"
[ "$failed_checks" -eq 0 ] || { echo "$failed_checks check group(s) failed"; exit 1; }
