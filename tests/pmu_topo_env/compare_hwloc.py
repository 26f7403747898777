#!/usr/bin/python3
"""ringlab's sysfs topology reader against hwloc, on the committed fake trees (tests/data/sysfs).

    compare_hwloc.py RINGLAB_BIN [TREE_DIR...]

For every tree: `ringlab topo --json --sysfs-root TREE` and hwloc's `lstopo-no-graphics --of
xml` with HWLOC_FSROOT=TREE (hwloc's Linux backend only, so nothing of the real machine leaks
in) must agree on the online CPUs and, per CPU, on its package, its SMT siblings, the CPUs
sharing its L2 and L3, and its NUMA node.  Exit 0 when all agree, 1 naming each difference,
77 (skip) when lstopo-no-graphics is not installed (Debian: hwloc).
"""
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
TREES = os.path.join(HERE, "..", "data", "sysfs")


def cpuset(text):
    """hwloc's cpuset "0x0000ff00,0x000000ff" (most significant word first) -> set of CPUs."""
    bits = int("".join(w.replace("0x", "").zfill(8) for w in text.split(",")), 16)
    return {i for i in range(bits.bit_length()) if bits >> i & 1}


def cpulist(text):
    out = set()
    for part in filter(None, (text or "").split(",")):
        a, _, b = part.partition("-")
        out.update(range(int(a), int(b or a) + 1))
    return out


def hwloc_view(tree):
    env = dict(os.environ, HWLOC_FSROOT=os.path.abspath(tree), HWLOC_COMPONENTS="linux,-x86")
    xml = subprocess.run(["lstopo-no-graphics", "--of", "xml", "-"], env=env, capture_output=True, text=True,
                         timeout=60, check=True).stdout
    root = ET.fromstring(xml)
    view = {}   # cpu -> {"package", "smt", "l2", "l3", "node"}

    def walk(obj, ctx):
        t = obj.get("type")
        ctx = dict(ctx)
        if t == "Package":
            ctx["package"] = int(obj.get("os_index"))
        elif t == "Core":
            ctx["smt"] = cpuset(obj.get("cpuset"))
        elif t == "L2Cache":
            ctx["l2"] = cpuset(obj.get("cpuset"))
        elif t == "L3Cache":
            ctx["l3"] = cpuset(obj.get("cpuset"))
        elif t == "PU":
            view[int(obj.get("os_index"))] = ctx
        for child in obj.findall("object"):
            walk(child, ctx)

    walk(root.find("object"), {})
    for node in root.iter("object"):
        if node.get("type") == "NUMANode":
            for c in cpuset(node.get("cpuset")):
                if c in view:
                    view[c]["node"] = int(node.get("os_index"))
    return view


def ringlab_view(bin_, tree):
    # RINGLAB_EMU: the cross builds' emulator (qemu-aarch64 ...), as the other CLI tests use it.
    emu = os.environ.get("RINGLAB_EMU", "").split()
    doc = json.loads(subprocess.run([*emu, bin_, "topo", "--json", "--sysfs-root", tree], capture_output=True,
                                    text=True, timeout=60, check=True).stdout)
    view = {}
    online = cpulist(doc["online"]) if isinstance(doc.get("online"), str) else set(doc.get("online") or [])
    for c in doc["cpus"]:
        if c["cpu"] not in online:
            continue
        caches = {k["level"]: cpulist(k["shared_cpu_list"]) for k in c.get("caches", []) if k["type"] != "Instruction"}
        view[c["cpu"]] = {"package": c["package"], "smt": cpulist(c["thread_siblings"]),
                          "l2": caches.get(2), "l3": caches.get(3), "node": c.get("node")}
    return view


def compare(bin_, tree):
    problems = []
    hw, rl = hwloc_view(tree), ringlab_view(bin_, tree)
    name = os.path.basename(os.path.normpath(tree))
    if set(hw) != set(rl):
        problems.append(f"{name}: online CPUs differ: hwloc {sorted(hw)} ringlab {sorted(rl)}")
    for cpu in sorted(set(hw) & set(rl)):
        for k in ("package", "smt", "l2", "l3", "node"):
            if hw[cpu].get(k) != rl[cpu].get(k):
                problems.append(f"{name}: cpu{cpu} {k}: hwloc {hw[cpu].get(k)} ringlab {rl[cpu].get(k)}")
    return len(rl), problems


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if not shutil.which("lstopo-no-graphics"):
        print("SKIP: lstopo-no-graphics not installed (Debian: hwloc)")
        return 77
    trees = sys.argv[2:] or sorted(os.path.join(TREES, d) for d in os.listdir(TREES)
                                   if os.path.isdir(os.path.join(TREES, d, "sys")))
    failed = 0
    for t in trees:
        n, problems = compare(sys.argv[1], t)
        for p in problems:
            print(p)
        print(f"{os.path.basename(t)}: {n} CPUs, {'agree' if not problems else f'{len(problems)} difference(s)'}")
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
