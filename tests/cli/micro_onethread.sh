#!/usr/bin/env bash
# ringlab-micro's onethread/<layout> benchmarks: each of the four streaming layouts runs its
# fixed windows to the end, every buffer verified, and reports ns per buffer.
set -u
bin="$1"
source "$(dirname "$0")/lib.sh"
out=$(run --benchmark_filter='onethread/' --benchmark_format=json 2>"$tmp/err"); rc=$?
check "exits 0 (got $rc: $(cat "$tmp/err"))" '[[ $rc -eq 0 ]]'
summary=$(/usr/bin/python3 -c '
import json, sys
runs = json.loads(sys.stdin.read())["benchmarks"]
for r in runs:
    print(r["name"], r.get("error_occurred", False), r.get("iterations"), r.get("ns_per_buffer", 0) > 0)
' <<<"$out" 2>&1)
for layout in split split-inorder packed index; do
    check "onethread/$layout ran 20 windows without an error and gave a time per buffer ($summary)" \
        '[[ "$summary" == *"onethread/$layout/iterations:20 False 20 True"* ]]'
done
finish
