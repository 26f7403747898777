// Environment record: fake /proc and /sys trees (tests/data/sysfs/<machine>/{proc,sys})
// and the real machine.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#if defined(__x86_64__)
#include <cpuid.h>
#include <cstring>
#endif

#include "env/environment.hpp"
#include "env/microarch.hpp"

using namespace ringlab::env;

namespace {
Options fake(const char* name) {
    Options o;
    const std::string root = std::string(RINGLAB_TEST_SYSFS) + "/" + name;
    o.proc_root = root + "/proc";
    o.sys_root = root + "/sys";
    o.emulator = "";                  // ignore the caller's RINGLAB_EMULATOR
    o.use_cpuid = false;
    o.privileged = false;
    return o;
}
bool has_warning(const Record& r, const std::string& needle) {
    for (const auto& w : r.warnings)
        if (w.find(needle) != std::string::npos) return true;
    return false;
}
}  // namespace

TEST(Cmdline, ParsesIsolcpusAndNohz) {
    const std::string c = "ro isolcpus=managed_irq,domain,2-3,10-11 nohz_full=2-3 -- isolcpus=9";
    ASSERT_TRUE(cmdline_value(c, "isolcpus"));
    EXPECT_EQ(isolcpus_cpus(*cmdline_value(c, "isolcpus")), "2-3,10-11");
    EXPECT_EQ(isolcpus_cpus("4-7"), "4-7");
    EXPECT_EQ(*cmdline_value(c, "nohz_full"), "2-3");
    EXPECT_FALSE(cmdline_value(c, "rcu_nocbs"));
}

TEST(Microarch, Tables) {
    EXPECT_EQ(x86_microarch("intel", 6, 0x55, 4), "skylake-x");
    EXPECT_EQ(x86_microarch("intel", 6, 0x55, 7), "cascadelake-x");
    EXPECT_EQ(x86_microarch("intel", 6, 0x8f, 8), "sapphirerapids");
    EXPECT_EQ(x86_microarch("amd", 0x17, 0x31, 0), "zen2");
    EXPECT_EQ(x86_microarch("amd", 0x19, 0x01, 1), "zen3");
    EXPECT_EQ(x86_microarch("amd", 0x19, 0x11, 1), "zen4");
    EXPECT_EQ(x86_microarch("amd", 0x1a, 0x02, 1), "zen5");
    EXPECT_EQ(x86_microarch("intel", 6, 0x01, 0), "unknown");
    EXPECT_EQ(arm_part(0x41, 0xd0c).name, "neoverse-n1");
    EXPECT_EQ(arm_part(0xc0, 0xac3).vendor, "ampere");
    EXPECT_EQ(power_microarch("POWER10 (raw), altivec supported", 0), "power10");
    EXPECT_EQ(power_microarch("", 0x004e), "power9");
}

TEST(FakeX86, FullRecord) {
    Options o = fake("x86-2s-smt2");
    o.measured_cpus = {0, 1};
    o.timer = TimerFacts{"rdtsc", 2.1e9, false, true};
    o.compiled_arch = "x86_64";
    Record r = collect(o);
    const auto& e = r.environment;
    EXPECT_EQ(e["arch"], "x86_64");
    EXPECT_EQ(e["cpu_vendor"], "intel");
    EXPECT_EQ(e["microarch"], "sapphirerapids");
    EXPECT_EQ(e["cpu_model"], "Intel(R) Xeon(R) Gold 6430");
    EXPECT_EQ(e["online_cpus"], 16);
    EXPECT_EQ(e["cores"], 8);
    EXPECT_EQ(e["smt"], true);
    ASSERT_EQ(e["caches"].size(), 4u);
    EXPECT_EQ(e["caches"][3]["size_bytes"], 30720u * 1024);
    EXPECT_EQ(e["caches"][3]["shared_cpu_list"], "0-3,8-11");
    EXPECT_EQ(e["kernel"], "6.1.0-18-amd64");
    EXPECT_EQ(e["isolcpus"], "2-3,10-11");
    EXPECT_EQ(e["nohz_full"], "2-3,10-11");
    EXPECT_EQ(e["governor"]["cpu8"], "powersave");
    EXPECT_EQ(e["governor"]["cpu0"], "performance");
    EXPECT_EQ(e["boost"], true);
    EXPECT_EQ(e["thp"], "madvise");
    EXPECT_EQ(e["perf_event_paranoid"], 3);
    EXPECT_EQ(e["virtualized"], false);
    EXPECT_TRUE(e["hypervisor"].is_null());
    EXPECT_EQ(e["emulated"], false);
    EXPECT_EQ(e["timer"]["name"], "rdtsc");
    EXPECT_EQ(e["timer"]["calibrated"], true);
    EXPECT_FALSE(e["ringlab_version"].get<std::string>().empty());
    EXPECT_FALSE(e["compiler"].get<std::string>().empty());
    EXPECT_TRUE(std::regex_match(r.machine_id, std::regex("x86_64-intel-[0-9a-f]{8}"))) << r.machine_id;
    // Warnings: SMT siblings 8 and 9 of the measured CPUs, turbo, paranoid; cpu8's
    // powersave governor is not on a measured CPU.
    EXPECT_TRUE(has_warning(r, "SMT sibling cpu8 of measured cpu0"));
    EXPECT_TRUE(has_warning(r, "SMT sibling cpu9 of measured cpu1"));
    EXPECT_TRUE(has_warning(r, "turbo/boost is enabled"));
    EXPECT_TRUE(has_warning(r, "perf_event_paranoid is 3"));
    EXPECT_FALSE(has_warning(r, "governor"));
    EXPECT_FALSE(has_warning(r, "virtual machine"));
    // Measuring cpu8 itself brings the governor warning.
    o.measured_cpus = {8, 0};
    Record r2 = collect(o);
    EXPECT_TRUE(has_warning(r2, "governor is powersave on cpu8"));
    EXPECT_FALSE(has_warning(r2, "SMT sibling"));  // 0 and 8 are the measured pair
    EXPECT_EQ(r2.machine_id, r.machine_id);       // hardware facts only
}

TEST(FakeArm64, IdentityVmAndBoost) {
    Options o = fake("arm64-2cluster");
    o.compiled_arch = "aarch64";
    Record r = collect(o);
    const auto& e = r.environment;
    EXPECT_EQ(e["arch"], "aarch64");
    EXPECT_EQ(e["cpu_vendor"], "arm");
    EXPECT_EQ(e["microarch"], "neoverse-n1");
    EXPECT_NE(e["cpu_id"].get<std::string>().find("part 0xd0c"), std::string::npos);
    EXPECT_EQ(e["cores"], 8);
    EXPECT_EQ(e["smt"], false);
    EXPECT_EQ(e["virtualized"], true);      // DMI says QEMU / KVM Virtual Machine
    EXPECT_EQ(e["hypervisor"], "kvm");
    EXPECT_EQ(e["boost"], true);
    EXPECT_TRUE(e["isolcpus"].is_null());
    EXPECT_TRUE(has_warning(r, "running in a virtual machine (kvm"));
    EXPECT_TRUE(has_warning(r, "governor is schedutil on cpus 0-7"));
    EXPECT_FALSE(has_warning(r, "perf_event_paranoid"));  // 2 allows user-level counting
    EXPECT_TRUE(std::regex_match(r.machine_id, std::regex("aarch64-arm-[0-9a-f]{8}"))) << r.machine_id;
}

TEST(FakePower, IdentityAndNoWarnings) {
    Options o = fake("power9-smt8");
    o.compiled_arch = "ppc64le";
    o.measured_cpus = {0, 1};  // SMT siblings 2-7 are online
    Record r = collect(o);
    const auto& e = r.environment;
    EXPECT_EQ(e["arch"], "ppc64le");
    EXPECT_EQ(e["cpu_vendor"], "ibm");
    EXPECT_EQ(e["microarch"], "power9");
    EXPECT_EQ(e["cpu_model"], "POWER9");
    EXPECT_EQ(e["online_cpus"], 31);
    EXPECT_EQ(e["cores"], 4);
    EXPECT_EQ(e["threads_per_core"], 8);
    EXPECT_EQ(e["nohz_full"], "8-15");
    EXPECT_EQ(e["thp"], "never");
    EXPECT_TRUE(e["boost"].is_null());
    EXPECT_EQ(e["virtualized"], false);      // PowerNV is bare metal
    EXPECT_TRUE(has_warning(r, "SMT sibling cpu7 of measured cpu0"));
    EXPECT_FALSE(has_warning(r, "governor"));
}

TEST(Emulation, DetectedFromArchMismatchAndEnvVar) {
    Options o = fake("x86-2s-smt2");
    o.compiled_arch = "aarch64";  // an arm64 binary reading an x86 host's cpuinfo: qemu-user
    Record r = collect(o);
    EXPECT_TRUE(r.emulated);
    EXPECT_EQ(r.environment["arch"], "aarch64") << "results are about the architecture ringlab runs as";
    EXPECT_EQ(r.environment["host_cpu_arch"], "x86_64");
    EXPECT_EQ(r.machine_id.rfind("aarch64-", 0), 0u) << r.machine_id;
    EXPECT_TRUE(has_warning(r, "running under emulation"));
    o.compiled_arch = "x86_64";
    o.emulator = "qemu-x86_64";
    r = collect(o);
    EXPECT_TRUE(r.emulated);
    EXPECT_EQ(r.environment["emulator"], "qemu-x86_64");
    o.emulator = "";
    EXPECT_FALSE(collect(o).emulated);
}

TEST(MachineId, StableAndHardwareOnly) {
    auto a = machine_id("x86_64", "amd", "AMD EPYC 9654", 96, {32768, 1048576});
    EXPECT_EQ(a, machine_id("x86_64", "amd", "AMD EPYC 9654", 96, {32768, 1048576}));
    EXPECT_NE(a, machine_id("x86_64", "amd", "AMD EPYC 9654", 64, {32768, 1048576}));
    EXPECT_EQ(a.rfind("x86_64-amd-", 0), 0u);
}

// The real machine: whatever it is, the record must be consistent with /proc.
TEST(RealMachine, RecordMatchesTheHost) {
    Options o;
    o.emulator = "";
    Record r = collect(o);
    const auto& e = r.environment;
    std::ifstream in("/proc/cpuinfo");
    std::string cpuinfo((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const bool flag = cpuinfo.find(" hypervisor") != std::string::npos;
    EXPECT_GE(e["online_cpus"].get<int>(), 1);
    EXPECT_FALSE(e["kernel"].is_null());
    EXPECT_FALSE(r.machine_id.empty());
    if (flag) {
        EXPECT_TRUE(e["virtualized"].get<bool>());
        EXPECT_TRUE(has_warning(r, "virtual machine"));
    }
#if defined(__x86_64__)
    // Ask CPUID independently: a KVM signature must come out as "kvm".
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 31))) {
        __cpuid(0x40000000, a, b, c, d);
        char sig[13] = {};
        std::memcpy(sig, &b, 4);
        std::memcpy(sig + 4, &c, 4);
        std::memcpy(sig + 8, &d, 4);
        EXPECT_TRUE(e["virtualized"].get<bool>());
        if (std::string(sig).rfind("KVMKVMKVM", 0) == 0) {
            EXPECT_EQ(e["hypervisor"], "kvm") << e.dump(2);
        }
    } else {
        EXPECT_EQ(e["virtualized"].get<bool>(), flag);
    }
#endif
    // Under qemu-user (cross tests) the compiled arch differs from the host's cpuinfo.
    EXPECT_EQ(r.emulated, e["compiled_arch"] != e["host_cpu_arch"]);
    std::cout << e.dump(2) << "\n";
    for (const auto& w : r.warnings) std::cout << "warning: " << w << "\n";
}
