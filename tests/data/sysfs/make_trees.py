#!/usr/bin/python3
"""Regenerates the fake sysfs/procfs trees used by tests/pmu_topo_env.

Each tree is a root directory holding sys/ and proc/ the way the topology and
environment readers expect them (they take the root as a parameter).  The
machines are invented but follow the kernel's real file formats, so the
readers are exercised exactly as on the fleet.  Run from this folder:
    /usr/bin/python3 make_trees.py
"""
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))


def cpulist(cpus):
    """Kernel list format: 0-3,8-11."""
    cpus = sorted(cpus)
    out, i = [], 0
    while i < len(cpus):
        j = i
        while j + 1 < len(cpus) and cpus[j + 1] == cpus[j] + 1:
            j += 1
        out.append(str(cpus[i]) if i == j else f"{cpus[i]}-{cpus[j]}")
        i = j + 1
    return ",".join(out)


def cpumask(cpus):
    """Kernel mask format (what hwloc reads): 32-bit hex words, most significant first."""
    bits = 0
    for c in cpus:
        bits |= 1 << c
    words = max(1, (max(cpus, default=0) // 32) + 1)
    return ",".join(f"{(bits >> (32 * w)) & 0xFFFFFFFF:08x}" for w in reversed(range(words)))


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text if text.endswith("\n") else text + "\n")


def make_machine(name, cpus, online, caches, nodes, proc, sysextra):
    """cpus: {cpu: (package, core_id, cluster_id, siblings)}; caches: {cpu: [(level, type, size, shared)]}."""
    root = os.path.join(HERE, name)
    shutil.rmtree(root, ignore_errors=True)
    base = "sys/devices/system/cpu"
    write(root, f"{base}/online", cpulist(online))
    write(root, f"{base}/possible", cpulist(cpus.keys()))
    for cpu, (pkg, core, cluster, sibs) in cpus.items():
        if cpu not in online:
            write(root, f"{base}/cpu{cpu}/online", "0")
            continue
        t = f"{base}/cpu{cpu}/topology"
        write(root, f"{t}/physical_package_id", str(pkg))
        write(root, f"{t}/core_id", str(core))
        write(root, f"{t}/cluster_id", str(cluster))
        write(root, f"{t}/thread_siblings_list", cpulist(sibs))
        # The same facts as masks, as the kernel also writes them: hwloc reads these
        # (tests/pmu_topo_env/compare_hwloc.py checks ringlab's reader against it).
        package = [c for c, v in cpus.items() if v[0] == pkg and c in online]
        write(root, f"{t}/thread_siblings", cpumask(sibs))
        write(root, f"{t}/core_cpus", cpumask(sibs))
        write(root, f"{t}/core_siblings", cpumask(package))
        write(root, f"{t}/package_cpus", cpumask(package))
        if cluster != (-1 & 0xFFFF):
            write(root, f"{t}/cluster_cpus", cpumask([c for c, v in cpus.items() if v[0] == pkg and v[2] == cluster]))
        for k, (level, ctype, size, shared) in enumerate(caches[cpu]):
            c = f"{base}/cpu{cpu}/cache/index{k}"
            write(root, f"{c}/level", str(level))
            write(root, f"{c}/type", ctype)
            write(root, f"{c}/size", size)
            write(root, f"{c}/shared_cpu_list", cpulist(shared))
            write(root, f"{c}/shared_cpu_map", cpumask(shared))
    for node, ncpus in nodes.items():
        write(root, f"sys/devices/system/node/node{node}/cpulist", cpulist(ncpus))
        write(root, f"sys/devices/system/node/node{node}/cpumap", cpumask(ncpus))
    write(root, "sys/devices/system/node/online", cpulist(nodes.keys()))
    for rel, text in list(proc.items()) + list(sysextra.items()):
        write(root, rel, text)


def x86_server():
    # 2 sockets x 4 cores x SMT2, Linux numbering (first threads 0-7, second threads 8-15),
    # sub-NUMA clustering: two nodes per socket sharing the socket's L3.
    cpus, caches = {}, {}
    for cpu in range(16):
        thread, rest = divmod(cpu, 8)
        pkg, core = divmod(rest, 4)
        sibs = [rest, rest + 8]
        l3 = [c for c in range(16) if (c % 8) // 4 == pkg]
        cpus[cpu] = (pkg, core, -1 & 0xFFFF, sibs)
        caches[cpu] = [(1, "Data", "48K", sibs), (1, "Instruction", "32K", sibs),
                       (2, "Unified", "2048K", sibs), (3, "Unified", "30720K", l3)]
    nodes = {0: [0, 1, 8, 9], 1: [2, 3, 10, 11], 2: [4, 5, 12, 13], 3: [6, 7, 14, 15]}
    cpuinfo = ""
    for cpu in range(16):
        thread, rest = divmod(cpu, 8)
        pkg, core = divmod(rest, 4)
        cpuinfo += (f"processor\t: {cpu}\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 143\n"
                    f"model name\t: Intel(R) Xeon(R) Gold 6430\nstepping\t: 8\nphysical id\t: {pkg}\n"
                    f"core id\t\t: {core}\ncpu cores\t: 4\nflags\t\t: fpu tsc ht constant_tsc nonstop_tsc "
                    f"rdtscp lm avx512f\n\n")
    proc = {
        "proc/cpuinfo": cpuinfo,
        "proc/cmdline": "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro isolcpus=managed_irq,domain,2-3,10-11 nohz_full=2-3,10-11 quiet",
        "proc/sys/kernel/osrelease": "6.1.0-18-amd64",
        "proc/sys/kernel/perf_event_paranoid": "3",
        "proc/sys/kernel/hostname": "lab-x86-01",
    }
    sysextra = {"sys/kernel/mm/transparent_hugepage/enabled": "always [madvise] never",
                "sys/devices/system/cpu/intel_pstate/no_turbo": "0",
                "sys/devices/system/cpu/smt/active": "1",
                "sys/class/dmi/id/sys_vendor": "Dell Inc.",
                "sys/class/dmi/id/product_name": "PowerEdge R760"}
    for cpu in range(16):
        gov = "powersave" if cpu == 8 else "performance"
        sysextra[f"sys/devices/system/cpu/cpu{cpu}/cpufreq/scaling_governor"] = gov
    make_machine("x86-2s-smt2", cpus, list(range(16)), caches, nodes, proc, sysextra)


def arm_clusters():
    # 8 Neoverse-N1-like cores, 2 clusters of 4 sharing an L2 per cluster, one L3, no SMT.
    cpus, caches = {}, {}
    for cpu in range(8):
        cl = cpu // 4
        l2 = [c for c in range(8) if c // 4 == cl]
        cpus[cpu] = (0, cpu, cl, [cpu])
        caches[cpu] = [(1, "Data", "64K", [cpu]), (1, "Instruction", "64K", [cpu]),
                       (2, "Unified", "1024K", l2), (3, "Unified", "32768K", list(range(8)))]
    cpuinfo = ""
    for cpu in range(8):
        cpuinfo += (f"processor\t: {cpu}\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 "
                    f"sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs\n"
                    f"CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\n"
                    f"CPU part\t: 0xd0c\nCPU revision\t: 1\n\n")
    proc = {
        "proc/cpuinfo": cpuinfo,
        "proc/cmdline": "root=/dev/nvme0n1p2 ro",
        "proc/sys/kernel/osrelease": "6.8.0-31-generic",
        "proc/sys/kernel/perf_event_paranoid": "2",
    }
    sysextra = {"sys/kernel/mm/transparent_hugepage/enabled": "[always] madvise never",
                "sys/devices/system/cpu/cpufreq/boost": "1",
                "sys/class/dmi/id/sys_vendor": "QEMU",
                "sys/class/dmi/id/product_name": "KVM Virtual Machine"}
    for cpu in range(8):
        sysextra[f"sys/devices/system/cpu/cpu{cpu}/cpufreq/scaling_governor"] = "schedutil"
    make_machine("arm64-2cluster", cpus, list(range(8)), caches, {0: list(range(8))}, proc, sysextra)


def power_smt8():
    # 2 chips x 2 SMT8 cores (POWER9 "big core": L2 and L3 per SMT8 core), cpu31 offline.
    cpus, caches = {}, {}
    for cpu in range(32):
        pkg, core = cpu // 16, cpu // 8
        sibs = [c for c in range(32) if c // 8 == core]
        cpus[cpu] = (pkg, core, -1 & 0xFFFF, sibs)
        caches[cpu] = [(1, "Data", "32K", sibs), (1, "Instruction", "32K", sibs),
                       (2, "Unified", "512K", sibs), (3, "Unified", "10240K", sibs)]
    cpuinfo = ""
    for cpu in range(31):
        cpuinfo += (f"processor\t: {cpu}\ncpu\t\t: POWER9, altivec supported\nclock\t\t: 3800.000000MHz\n"
                    f"revision\t: 2.2 (pvr 004e 1202)\n\n")
    cpuinfo += "timebase\t: 512000000\nplatform\t: PowerNV\nmodel\t\t: 9006-22P\nmachine\t\t: PowerNV 9006-22P\n"
    proc = {
        "proc/cpuinfo": cpuinfo,
        "proc/cmdline": "root=UUID=1234 ro nohz_full=8-15",
        "proc/sys/kernel/osrelease": "5.14.0-362.el9.ppc64le",
        "proc/sys/kernel/perf_event_paranoid": "-1",
    }
    sysextra = {"sys/kernel/mm/transparent_hugepage/enabled": "always madvise [never]"}
    for cpu in range(31):
        sysextra[f"sys/devices/system/cpu/cpu{cpu}/cpufreq/scaling_governor"] = "performance"
    nodes = {0: list(range(16)), 8: list(range(16, 31))}
    make_machine("power9-smt8", cpus, list(range(31)), caches, nodes, proc, sysextra)


if __name__ == "__main__":
    x86_server()
    arm_clusters()
    power_smt8()
