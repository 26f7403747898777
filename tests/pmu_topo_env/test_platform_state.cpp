// Platform state (mitigations, microcode, cpuidle, SMT control, isolated CPUs) from scratch
// /proc and /sys trees written here, and its place in the environment record.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "env/environment.hpp"
#include "env/platform_state.hpp"

namespace fs = std::filesystem;
using namespace ringlab::env;

namespace {
struct Tree {
    fs::path root;
    Tree() {
        root = fs::temp_directory_path() / ("ringlab-platform-" + std::to_string(getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root);
    }
    ~Tree() { fs::remove_all(root); }
    void put(const std::string& rel, const std::string& text) {
        fs::create_directories((root / rel).parent_path());
        std::ofstream(root / rel) << text << "\n";
    }
    fs::path proc() const { return root / "proc"; }
    fs::path sys() const { return root / "sys"; }
};
const std::string kCpu = "sys/devices/system/cpu/";
}  // namespace

TEST(PlatformState, ReadsEveryField) {
    Tree t;
    t.put("proc/cpuinfo", "processor\t: 0\nmicrocode\t: 0xa201016\n\nprocessor\t: 1\nmicrocode\t: 0xa201016\n");
    t.put(kCpu + "vulnerabilities/spectre_v2", "Mitigation: Retpolines; IBPB: conditional");
    t.put(kCpu + "vulnerabilities/meltdown", "Not affected");
    t.put(kCpu + "cpuidle/current_driver", "intel_idle");
    t.put(kCpu + "cpuidle/current_governor_ro", "menu");
    const char* names[] = {"POLL", "C1", "C1E", "C6"};
    const int latency[] = {0, 2, 10, 170};
    for (int i = 0; i < 4; ++i) {
        const std::string s = kCpu + "cpu1/cpuidle/state" + std::to_string(i) + "/";
        t.put(s + "name", names[i]);
        t.put(s + "latency", std::to_string(latency[i]));
        t.put(s + "residency", std::to_string(latency[i] * 3));
        t.put(s + "disable", i == 3 ? "1" : "0");   // C6 disabled: the deepest enabled is C1E
    }
    t.put(kCpu + "smt/control", "on");
    t.put(kCpu + "smt/active", "1");
    t.put(kCpu + "isolated", "2-3");
    t.put(kCpu + "nohz_full", "2-3");
    auto j = platform_state(t.proc(), t.sys(), {1, 0});
    EXPECT_EQ(j["vulnerabilities"]["spectre_v2"], "Mitigation: Retpolines; IBPB: conditional");
    EXPECT_EQ(j["vulnerabilities"]["meltdown"], "Not affected");
    EXPECT_EQ(j["microcode"], "0xa201016");
    EXPECT_EQ(j["cpuidle"]["driver"], "intel_idle");
    EXPECT_EQ(j["cpuidle"]["governor"], "menu");
    EXPECT_EQ(j["cpuidle"]["cpu"], 1);
    ASSERT_EQ(j["cpuidle"]["states"].size(), 4u);
    EXPECT_EQ(j["cpuidle"]["states"][3]["latency_us"], 170);
    EXPECT_EQ(j["cpuidle"]["states"][3]["disabled"], true);
    EXPECT_EQ(j["cpuidle"]["deepest_enabled"], "C1E");
    EXPECT_EQ(j["smt_control"], "on");
    EXPECT_EQ(j["smt_active"], true);
    EXPECT_EQ(j["isolated_cpus"], "2-3");
    EXPECT_EQ(j["nohz_full_cpus"], "2-3");
}

TEST(PlatformState, MixedMicrocodeKeepsEveryCpuAndMissingFilesAreNull) {
    Tree t;
    t.put("proc/cpuinfo", "processor\t: 0\nmicrocode\t: 0x1\n\nprocessor\t: 1\nmicrocode\t: 0x2\n");
    t.put(kCpu + "online", "0-1");
    auto j = platform_state(t.proc(), t.sys(), {0, 1});
    EXPECT_EQ(j["microcode"]["cpu0"], "0x1");
    EXPECT_EQ(j["microcode"]["cpu1"], "0x2");
    EXPECT_TRUE(j["vulnerabilities"].is_null());
    EXPECT_TRUE(j["cpuidle"]["driver"].is_null());
    EXPECT_TRUE(j["cpuidle"]["deepest_enabled"].is_null());
    EXPECT_TRUE(j["smt_control"].is_null());
    EXPECT_TRUE(j["isolated_cpus"].is_null());
}

TEST(PlatformState, InTheEnvironmentRecord) {
    Options o;
    o.use_cpuid = false;
    o.emulator = "";
    auto rec = collect(o);   // the real machine: the fields are there, null where sysfs lacks them
    for (const char* k : {"vulnerabilities", "microcode", "cpuidle", "smt_control", "isolated_cpus"})
        EXPECT_TRUE(rec.environment.contains(k)) << k;
    if (fs::is_directory("/sys/devices/system/cpu/vulnerabilities"))
        EXPECT_TRUE(rec.environment["vulnerabilities"].is_object());
}
