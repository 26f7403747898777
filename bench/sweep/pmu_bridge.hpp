// pmu_bridge.hpp: the sweep's view of bench/pmu.
//
// One session per sweep: the capability probe runs once at start (its record
// goes to context.ringlab.pmu), the same CounterFactory serves every run, and
// after each run the per-role groups the engine opened are read into the plain
// PmuReadings that bench/results writes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/role_counters.hpp"
#include "engine/run_result.hpp"
#include "results/entry.hpp"

namespace ringlab::sweep {

class PmuSession {
public:
    virtual ~PmuSession() = default;
    virtual CounterFactory* factory() = 0;             // for RunConfig::counters; may be nullptr
    virtual nlohmann::json probe_json() const = 0;     // context.ringlab.pmu
    virtual std::vector<std::string> warnings() const = 0;  // e.g. "hardware counters unavailable: ..."
    // Reads (and takes no ownership of) the groups in r.driver.counters / r.device.counters.
    virtual results::PmuReadings read(const RunResult& r) const = 0;
};

// `events` are libpfm4 names from --events (empty: the default set for this CPU).
// Throws SpecError for an event list that cannot be parsed at all; events that
// merely cannot count here are recorded as unavailable with the reason.
std::unique_ptr<PmuSession> open_pmu_session(const std::vector<std::string>& events);

}  // namespace ringlab::sweep
