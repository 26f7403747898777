// entry.hpp: one RunResult -> one entry of the results contract (results/SCHEMA.md).
//
// Shared by `ringlab sweep` (Google Benchmark entries) and `ringlab run --json`,
// so it needs neither Google Benchmark nor libpfm4 (library ringlab_results, bench/results).
// PMU readings come in as plain data (PmuReadings) so that this library does
// not depend on how bench/pmu opens or reads its counters.
//
// The contract's rule: never NaN or Infinity.  A value that could not be
// measured is JSON null, and `nulls[field]` says why.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/histogram.hpp"
#include "engine/run_result.hpp"
#include "results/atomic_write.hpp"
#include "results/pmu_section.hpp"
#include "results/schema.hpp"
#include "sweep/sweep_spec.hpp"

namespace ringlab::results {

// What the caller knows besides the RunResult.
struct EntryExtras {
    std::string placement = "auto";   // the placement axis value asked for
    std::string relation;             // smt | same-l2 | same-l3 | cross-l3 | cross-socket | cross-numa | same-cpu | "" (unknown)
    const PmuReadings* pmu = nullptr; // nullptr: no PMU capture in this run
};

// Collects field -> reason for the values written as null.
class Nulls {
public:
    // v if finite, else null (recording reason).
    nlohmann::json number(const std::string& field, std::optional<double> v, const std::string& reason);
    void add(const std::string& field, const std::string& reason) { j_[field] = reason; }
    const nlohmann::json& json() const { return j_; }
    bool empty() const { return j_.empty(); }

private:
    nlohmann::json j_ = nlohmann::json::object();
};

// The flat counters of a benchmark entry (SCHEMA.md "Counters"): name -> number or null.
nlohmann::json export_counters(const RunResult& r, const EntryExtras& x, Nulls& nulls);

// entry.ringlab (SCHEMA.md), with its "nulls" object filled from `nulls` (pass the same
// Nulls used for export_counters so the reasons of the flat counters are in it too).
nlohmann::json export_entry_ringlab(const RunResult& r, const EntryExtras& x, Nulls& nulls);

// The configuration part of entry.ringlab is config::to_json, and the --inject text
// config::inject_text (config/axes.hpp).

// A latency histogram for histograms.json: count, min, max, percentiles and
// the non-empty buckets as [lower, upper, count] (all ns).
nlohmann::json histogram_to_json(const Histogram& h);

// Enum names as the contract spells them.
const char* notify_name(ringsim::NotifyMode m);
const char* wait_name(WaitMode m);
const char* kick_mode_name(KickMode m);
const char* device_access_name(DeviceAccess m);

}  // namespace ringlab::results

namespace ringlab::results {

// One Google Benchmark-format iteration entry for a single run (repetitions 1), as
// `ringlab run --json` writes it.
nlohmann::json single_entry(const RunResult& r, const EntryExtras& x);

}  // namespace ringlab::results

namespace ringlab::sweep {

// The axes of a RunConfig as a SweepConfig (placement given), so a single run
// gets the same benchmark name a sweep would give it.
SweepConfig config_of(const RunConfig& c, const std::string& placement);

}  // namespace ringlab::sweep
