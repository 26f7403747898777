// pmu_json.hpp: PMU facts and readings as results/SCHEMA.md JSON.
//
//   ctx["ringlab"]["pmu"]   = context_json(factory.capability());
//   entry["ringlab"]["pmu"] = entry_pmu_json(r.driver.counters.get(), r.device.counters.get());
//   entry["ringlab"]["software"] = entry_software_json(...same...);
//   for (auto& c : per_buffer_counters(Role::driver, r.driver.counters.get(), r.buffers)) ...
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/role_counters.hpp"
#include "pmu/counters.hpp"
#include "pmu/probe.hpp"

namespace ringlab::pmu {

// "0x412e"
std::string hex(std::uint64_t v);

nlohmann::json to_json(const Encoding& e);   // {"type","config","config1","config2" (hex), "fqname", "exclude_kernel"}
// context.ringlab.pmu: {"hardware_available","reason","pmu","generic","note","privilege",
//   "perf_event_paranoid","events":[{"alias","name","note","group","encoding","available","reason"}]}
nlohmann::json context_json(const Capability& cap);

nlohmann::json to_json(const HardwareReading& r);  // {"alias","name","value","raw","enabled_ns","running_ns","scaled","multiplexed","reason"}
nlohmann::json to_json(const SoftwareReading& r);  // {"task_clock_ns","context_switches","cpu_migrations","page_faults","reason"}

// entry.ringlab.pmu: {"driver":[...], "device":[...]}; a role without PMU counters gets [].
nlohmann::json entry_pmu_json(const RoleCounters* driver, const RoleCounters* device);
// entry.ringlab.software: {"driver":{...}, "device":{...}}; a role without counters gets null.
nlohmann::json entry_software_json(const RoleCounters* driver, const RoleCounters* device);

// Flat counters for a Google Benchmark entry: "pmu_<role>_<alias>_per_buffer"
// (alias with '-' and '.' as '_'); value null with a reason when it did not count.
struct FlatCounter {
    std::string name;
    std::optional<double> value;
    std::string reason;
};
std::vector<FlatCounter> per_buffer_counters(Role role, const RoleCounters* c, std::uint64_t buffers);

}  // namespace ringlab::pmu
