// pmu_section.hpp: the PMU section of an entry (results/SCHEMA.md): entry.ringlab.pmu,
// entry.ringlab.software, and the flat pmu_<role>_<alias>_per_buffer counters.
//
// Readings come in as plain data, so this library needs neither libpfm4 nor
// perf_event_open: bench/pmu fills them (pmu::readings_of) from the groups it opened.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ringlab::results {

class Nulls;

// One hardware counter of one role, as bench/pmu read it.
struct CounterReading {
    std::string alias;       // e.g. "cycles", "llc_misses"
    std::string name;        // the libpfm4 event name
    std::optional<double> value;  // scaled if multiplexed; nullopt = did not count
    std::uint64_t enabled_ns = 0, running_ns = 0;
    bool scaled = false;     // value was scaled by enabled/running
    bool multiplexed = false;  // running < enabled: the kernel time-shared the PMU
    std::string reason;      // why value is missing, if it is
};

// Software events of one role (always collected when bench/pmu is present).
struct SoftwareReading {
    std::optional<double> task_clock_ns, context_switches, cpu_migrations, page_faults;
    std::string reason;      // why they are missing, if they are
};

struct RoleReadings {
    std::vector<CounterReading> hardware;
    std::optional<SoftwareReading> software;
};

struct PmuReadings {
    RoleReadings driver, device;
};

// Sets entry_ringlab["pmu"] and ["software"]; with no readings (pmu == nullptr) both are
// null and `nulls` says why.
void write_pmu_section(nlohmann::json& entry_ringlab, const PmuReadings* pmu, Nulls& nulls);

// Adds the flat per-buffer counters of the counters that counted to `counters`
// ("pmu_<role>_<alias>_per_buffer", alias with every other character than [A-Za-z0-9_]
// as '_'); the rest stay in entry.ringlab.pmu with their reasons.
void add_flat_pmu_counters(nlohmann::json& counters, const PmuReadings& pmu, std::uint64_t buffers);

// The flat counter name of one hardware counter.
std::string flat_pmu_counter_name(const std::string& role, const std::string& alias);

}  // namespace ringlab::results
