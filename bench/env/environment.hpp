// environment.hpp: the `context.ringlab.environment` record of results/SCHEMA.md.
//
// Everything a reader needs to trust (or distrust) a number: build, CPU,
// kernel, frequency policy, virtualization, emulation, and a stable machine id.
// All inputs come from injectable roots so tests can feed fake /proc and /sys
// trees; the defaults read the real machine.
//
//   ringlab::env::Options o;  o.timer = {...};  o.measured_cpus = {2, 3};
//   auto rec = ringlab::env::collect(o);
//   ctx["ringlab"]["environment"] = rec.environment;
//   ctx["ringlab"]["machine_id"] = rec.machine_id;   // also inside environment
//   ctx["ringlab"]["emulated"] = rec.emulated;
//   for (auto& w : rec.warnings) ctx["ringlab"]["warnings"].push_back(w);
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ringlab::env {

// Timer facts are the engine's business; the caller passes them in.
struct TimerFacts {
    std::string name;        // rdtsc | cntvct_el0 | timebase | steady_clock
    double freq_hz = 0;
    bool core_cycles = false;
    bool calibrated = false;
    std::uint64_t resolution_ticks = 0;  // smallest step between two reads (ringsim ClockInfo)
};

struct Options {
    std::filesystem::path proc_root = "/proc";
    std::filesystem::path sys_root = "/sys";
    std::optional<TimerFacts> timer;
    std::vector<int> measured_cpus;                 // for the SMT-sibling and governor warnings
    // Emulator name (qemu-user wrappers set RINGLAB_EMULATOR); default: that env var.
    std::optional<std::string> emulator;
    // Architecture this binary was compiled for; default: the compiler's.
    std::optional<std::string> compiled_arch;
    // Ask the CPU itself (x86 CPUID hypervisor leaf) in addition to the files.
    // Default: only when proc_root is the real /proc.
    std::optional<bool> use_cpuid;
    // Process may use hardware counters regardless of perf_event_paranoid
    // (root / CAP_PERFMON). Default: effective uid 0.
    std::optional<bool> privileged;
};

// CPU identity parsed from /proc/cpuinfo.
struct CpuIdentity {
    std::string arch;        // x86_64 | aarch64 | ppc64le | unknown (what cpuinfo describes)
    std::string vendor;      // intel | amd | arm | ampere | fujitsu | hisilicon | ibm | ...
    std::string model;       // model name / part name / POWER line
    std::string microarch;   // skylake-x, zen4, neoverse-n1, power9, ... or "unknown"
    std::string detail;      // family/model/stepping, MIDR implementer/part, or PVR
    bool hypervisor_flag = false;
};
CpuIdentity parse_cpuinfo(const std::string& text);

struct Record {
    nlohmann::json environment;        // the context.ringlab.environment object
    std::string machine_id;            // "<arch>-<vendor>-<8 hex>"
    bool emulated = false;
    std::vector<std::string> warnings;
};
Record collect(const Options& opt = {});

// Architecture this binary was compiled for ("x86_64", "aarch64", "ppc64le", ...).
std::string compiled_arch();

// Kernel command-line value of a key ("isolcpus=2-3" -> "2-3"), if present.
std::optional<std::string> cmdline_value(const std::string& cmdline, const std::string& key);
// isolcpus may carry flags ("managed_irq,domain,2-3"): the CPU-list part only.
std::string isolcpus_cpus(const std::string& value);

// Hardware-facts-only id: no hostname, no kernel, no serials.
std::string machine_id(const std::string& arch, const std::string& vendor, const std::string& model,
                       int cores, const std::vector<std::uint64_t>& cache_sizes);

}  // namespace ringlab::env
