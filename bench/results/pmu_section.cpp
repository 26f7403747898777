// pmu_section.cpp: PmuReadings -> the PMU part of an entry (results/SCHEMA.md).
#include "results/pmu_section.hpp"

#include <cctype>
#include <cmath>

#include "results/entry.hpp"

namespace ringlab::results {

namespace {

nlohmann::json hardware_json(const std::vector<CounterReading>& v, const std::string& role, Nulls& nulls) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& c : v) {
        std::string field = "pmu." + role + "." + c.alias;
        nlohmann::json e = {{"alias", c.alias},         {"name", c.name},
                            {"enabled_ns", c.enabled_ns}, {"running_ns", c.running_ns},
                            {"scaled", c.scaled},       {"multiplexed", c.multiplexed}};
        e["value"] = nulls.number(field, c.value, c.reason.empty() ? "counter did not count" : c.reason);
        if (!c.reason.empty()) e["reason"] = c.reason;
        a.push_back(std::move(e));
    }
    return a;
}

nlohmann::json software_json(const std::optional<SoftwareReading>& s, const std::string& role, Nulls& nulls) {
    if (!s) {
        nulls.add("software." + role, "no software counters (PMU capture not set up for this run)");
        return nullptr;
    }
    const std::string why = s->reason.empty() ? "software event unavailable" : s->reason;
    return {{"task_clock_ns", nulls.number("software." + role + ".task_clock_ns", s->task_clock_ns, why)},
            {"context_switches", nulls.number("software." + role + ".context_switches", s->context_switches, why)},
            {"cpu_migrations", nulls.number("software." + role + ".cpu_migrations", s->cpu_migrations, why)},
            {"page_faults", nulls.number("software." + role + ".page_faults", s->page_faults, why)}};
}

}  // namespace

std::string flat_pmu_counter_name(const std::string& role, const std::string& alias) {
    std::string a = alias;
    for (auto& ch : a)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    return "pmu_" + role + "_" + a + "_per_buffer";
}

void write_pmu_section(nlohmann::json& e, const PmuReadings* pmu, Nulls& nulls) {
    if (pmu) {
        e["pmu"] = {{"driver", hardware_json(pmu->driver.hardware, "driver", nulls)},
                    {"device", hardware_json(pmu->device.hardware, "device", nulls)}};
        e["software"] = {{"driver", software_json(pmu->driver.software, "driver", nulls)},
                         {"device", software_json(pmu->device.software, "device", nulls)}};
    } else {
        e["pmu"] = nullptr;
        e["software"] = nullptr;
        nulls.add("pmu", "no PMU capture in this run");
        nulls.add("software", "no PMU capture in this run");
    }
}

void add_flat_pmu_counters(nlohmann::json& c, const PmuReadings& pmu, std::uint64_t buffers) {
    if (!buffers) return;
    auto add = [&](const RoleReadings& rr, const char* role) {
        for (const auto& hw : rr.hardware)
            if (hw.value && std::isfinite(*hw.value)) c[flat_pmu_counter_name(role, hw.alias)] = *hw.value / double(buffers);
    };
    add(pmu.driver, "driver");
    add(pmu.device, "device");
}

}  // namespace ringlab::results
