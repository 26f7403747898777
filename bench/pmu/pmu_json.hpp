// pmu_json.hpp: PMU facts as results/SCHEMA.md JSON, and readings for bench/results.
//
//   ctx["ringlab"]["pmu"] = context_json(factory.capability());
//   results::PmuReadings{readings_of(r.driver.counters.get()), readings_of(r.device.counters.get())}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/role_counters.hpp"
#include "pmu/counters.hpp"
#include "pmu/probe.hpp"
#include "results/pmu_section.hpp"

namespace ringlab::pmu {

// "0x412e"
std::string hex(std::uint64_t v);

nlohmann::json to_json(const Encoding& e);   // {"type","config","config1","config2" (hex), "fqname", "exclude_kernel"}
// context.ringlab.pmu: {"hardware_available","reason","pmu","generic","note","privilege",
//   "perf_event_paranoid","events":[{"alias","name","note","group","encoding","available","reason"}]}
nlohmann::json context_json(const Capability& cap);

// One role's counters as the plain readings bench/results writes (entry.ringlab.pmu,
// entry.ringlab.software and the flat per-buffer counters: results/pmu_section.hpp, the
// one writer of that section).  A role without counters gives empty readings.
results::RoleReadings readings_of(const RoleCounters* counters);

}  // namespace ringlab::pmu
