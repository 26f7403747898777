// `ringlab topo` and `ringlab env`: what the machine is, before any number is trusted.
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/pmu_glue.hpp"
#include "env/environment.hpp"
#include "guest/kvm_access.hpp"
#include "ringsim/clock.hpp"
#include "topo/topology.hpp"

namespace ringlab::cli {

int cmd_topo(int argc, char** argv) {
    std::vector<OptionSpec> specs = {
        {"json", false, "      print JSON instead of text"},
        {"sysfs-root", true, "DIR read a sysfs tree under DIR instead of / (for inspecting other machines' dumps)"},
        {"help", false, "      this text"},
    };
    Args a(specs, argc, argv, 2);
    if (a.has("help")) {
        std::printf("usage: ringlab topo [options]\n\n%s", Args::usage(specs).c_str());
        return 0;
    }
    a.expect_no_positional();
    topo::Options o;
    if (auto r = a.str("sysfs-root")) {
        std::error_code ec;
        if (!std::filesystem::is_directory(*r, ec))
            throw UsageError("--sysfs-root " + *r + " is not a directory (give the root of a sysfs dump, e.g. /)");
        o.root = *r;
    }
    topo::Topology t = topo::read_topology(o);
    if (a.has("json")) std::printf("%s\n", topo::to_json(t).dump(2).c_str());
    else std::printf("%s", topo::summary_text(t).c_str());
    return 0;
}

nlohmann::json environment_json(const std::vector<int>& measured_cpus) {
    const auto& clk = ringsim::clock::info();
    env::Options o;
    o.timer = env::TimerFacts{clk.name, clk.hz, clk.core_cycles, clk.calibrated, clk.resolution_ticks};
    o.measured_cpus = measured_cpus;
    env::Record rec = env::collect(o);
    nlohmann::json j;
    j["machine_id"] = rec.machine_id;
    j["arch"] = rec.environment.value("arch", env::compiled_arch());
    j["emulated"] = rec.emulated;
    j["environment"] = rec.environment;
    j["warnings"] = rec.warnings;
    return j;
}

// Whether `run --guest kvm` and `exitcost` can work here, and whether this host is itself a guest.
static nlohmann::json kvm_json() {
    auto p = guest::probe_kvm();
    nlohmann::json j;
    j["present"] = p.present;
    j["usable"] = p.usable;
    j["reason"] = p.usable ? nlohmann::json(nullptr) : nlohmann::json(p.reason);
    j["nested"] = p.nested;
    j["hypervisor_cpuid_bit"] = p.hypervisor_bit;
    j["nested_param"] = p.nested_param.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.nested_param);
    return j;
}

int cmd_env(int argc, char** argv) {
    std::vector<OptionSpec> specs = {
        {"json", false, "  print one JSON object: machine_id, arch, emulated, environment, warnings, topology, pmu"},
        {"help", false, "  this text"},
    };
    Args a(specs, argc, argv, 2);
    if (a.has("help")) {
        std::printf("usage: ringlab env [options]\n\n%s", Args::usage(specs).c_str());
        return 0;
    }
    a.expect_no_positional();
    nlohmann::json j = environment_json({});
    j["topology"] = topo::to_json(topo::read_topology());
    j["pmu"] = pmu_probe_json();
    j["kvm"] = kvm_json();
    if (a.has("json")) {
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    std::printf("machine id: %s\narch: %s%s\n", j["machine_id"].get<std::string>().c_str(),
                j["arch"].get<std::string>().c_str(), j["emulated"].get<bool>() ? " (emulated)" : "");
    for (auto& [k, v] : j["environment"].items())
        if (!v.is_object() && !v.is_array()) std::printf("  %-22s %s\n", k.c_str(), v.dump().c_str());
    std::printf("pmu: %s\n", j["pmu"].dump().c_str());
    std::printf("kvm: %s\n", j["kvm"].dump().c_str());
    for (auto& w : j["warnings"]) std::printf("WARNING: %s\n", w.get<std::string>().c_str());
    return 0;
}

}  // namespace ringlab::cli
