// result_export.hpp: one RunResult -> the results contract (results/SCHEMA.md).
//
// Shared by `ringlab sweep` (Google Benchmark entries) and `ringlab run --json`,
// so it needs neither Google Benchmark nor libpfm4 (library ringlab_results).
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

namespace ringlab::results {

inline constexpr int kSchemaVersion = 1;
// Google Benchmark's own JSON format version (context.json_schema_version), which GB 1.8.4
// and later write.  ringlab writes that format itself, whatever GB is installed, and the
// version is the one of the format it writes: 1.
inline constexpr int kGbJsonSchemaVersion = 1;

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

// The configuration part of entry.ringlab is config::to_json (config/axes.hpp).
// --inject as given ("drop-kick=0.01,drop-call=0.5"), "" when nothing is injected.
std::string inject_spec(const RunConfig& c);

// A latency histogram for histograms.json: count, min, max, percentiles and
// the non-empty buckets as [lower, upper, count] (all ns).
nlohmann::json histogram_to_json(const Histogram& h);

// Replaces every non-finite number anywhere in j by null (a last line of defence;
// callers record reasons before this).  Returns how many it replaced.
std::size_t scrub_non_finite(nlohmann::json& j);

// Writes j to path through a temporary file in the same directory, then rename(2),
// so a reader (or a crash) never sees half a file.  Throws std::runtime_error.
void write_json_atomically(const std::string& path, const nlohmann::json& j, int indent = 2);

// Enum names as the contract spells them.
const char* notify_name(ringsim::NotifyMode m);
const char* wait_name(WaitMode m);
const char* kick_mode_name(KickMode m);
const char* device_access_name(DeviceAccess m);

}  // namespace ringlab::results
