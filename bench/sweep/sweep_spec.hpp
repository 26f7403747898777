// sweep_spec.hpp: sweep specs (presets and --spec files) and their expansion
// into configurations.
//
// A spec names the values of each axis.  Expansion is the cartesian product of
// those values (per row, when the spec has rows), minus the combinations that
// make no sense (pruned, each with a reason that --dry-run prints), in an order
// shuffled by a recorded seed so that slow drifts of the machine (thermal,
// frequency) do not line up with one axis.
//
// This file needs neither Google Benchmark nor libpfm4: the spec tests run in
// every build, cross-architecture ones included.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/axes.hpp"
#include "engine/run_config.hpp"

namespace ringlab::sweep {

// Bad spec, unknown axis or value, bad flag: the command exits 2 with what().
struct SpecError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The sweep's axes are the configuration table's axis rows (config/axes.hpp), in the
// order benchmark names carry them.
std::vector<const config::Field*> axes();
const config::Field* find_axis(const std::string& name);

// Barrier policies that break an ordering on purpose (to show notifications
// being lost); they run only in a row that sets "allow_unsafe": true.
bool is_unsafe_barrier(const std::string& name);

// Placement values besides the relations themselves.
inline constexpr const char* kPlacementAll = "all";    // every relation this machine has
inline constexpr const char* kPlacementAuto = "auto";  // the engine's default pair

// One value of one axis, parsed and checked once when the spec is read: its canonical
// text (as names and --dry-run print it) and a RunConfig holding it, from which
// expansion copies that field.
struct AxisValue {
    std::string text;
    RunConfig value;
    bool operator==(const AxisValue& o) const { return text == o.text; }
};

// One point of the product: the engine's configuration (CPUs not yet chosen: placement
// is the runner's job) and the placement.
struct SweepConfig {
    RunConfig run;
    std::string placement = kPlacementAuto;
    std::string row;                   // the row it came from ("" for a spec without rows)

    // An axis's value as text (as in names and specs).
    std::string at(const std::string& axis) const;
    // ring/layout:<l>/barrier:<b>/notify:<n>/batch:<k>/ring:<N>/placement:<p>[/<axis>:<v>...]
    std::string benchmark_name() const;
    RunConfig to_run_config() const { return run; }
    nlohmann::json to_json() const;    // entry.ringlab.config (without cpus)
};

struct Pruned {
    SweepConfig config;
    std::string reason;
};

// Per-spec settings (not axes: they do not change what is measured, only how long).
struct SweepSettings {
    std::uint64_t buffers = 200000;    // per run (one GB iteration = one buffer)
    double duration_s = 0;             // > 0: about this long per run (GB min_time grows the buffer count)
    double min_time = 0;               // > 0: let GB grow the buffer count to this many seconds
    int repetitions = 1;
    std::uint64_t warmup_buffers = 0;  // 0 = the engine's automatic warm-up
    std::string latency = "auto";      // auto | on | off
    std::uint32_t watchdog_ms = 2000;
    bool measure_floor = true;
    std::uint64_t spin_ns = 20000;     // hybrid wait: spin this long before sleeping
    nlohmann::json to_json() const;
};

struct Row {
    std::string name;
    std::map<std::string, std::vector<AxisValue>> axes;  // every axis, defaults filled in
    bool allow_unsafe = false;
    SweepSettings settings;  // the spec's settings, with the row's own overrides applied
};

// "exclude" entries: a partial assignment; any config matching all of it is pruned.
struct Exclusion {
    std::map<std::string, std::string> match;  // axis -> canonical text
    std::string reason;
};

struct SweepSpec {
    const Row& row_of(const SweepConfig& c) const;  // the row a configuration came from

    std::string name;
    std::string description;
    std::vector<Row> rows;
    std::vector<Exclusion> exclusions;
    SweepSettings settings;            // spec-level (rows may override)
    nlohmann::json source;             // the spec as read, for spec.json
};

// Parses and checks a spec: unknown keys, axes or values throw SpecError naming the valid ones.
SweepSpec parse_spec(const nlohmann::json& j);
SweepSpec parse_spec_text(const std::string& text, const std::string& origin);
SweepSpec load_spec_file(const std::string& path);

// Presets compiled into the binary from bench/presets/*.json.
std::vector<std::string> preset_names();
std::optional<std::string> preset_text(const std::string& name);
SweepSpec load_preset(const std::string& name);  // SpecError naming the presets if unknown

// Replaces the placement axis of every row (the --placement flag).
void override_placement(SweepSpec& spec, const std::string& placement);

// Why a configuration makes no sense, or "" if it is fine.
std::string prune_reason(const SweepConfig& c, const Row& row, const std::vector<Exclusion>& ex);

struct Expansion {
    std::vector<SweepConfig> configs;  // shuffled, duplicates across rows removed
    std::vector<Pruned> pruned;
    std::uint64_t seed = 0;
    std::uint64_t combinations = 0;    // before pruning and de-duplication
    std::uint64_t duplicates = 0;
};
// The relations this machine offers (from ringlab_topo), for the placement axis:
// "all" becomes one configuration per available relation, and an explicit
// relation the machine lacks is pruned.  Without it (unit tests), placements stay as written.
struct PlacementChoices {
    std::vector<std::string> available;  // e.g. {"same-l3"} on a small VM
};
// The size of the product over every row (placement "all" counted as its widest
// fan-out), saturating at UINT64_MAX: what expand() would visit, without building it.
std::uint64_t count_combinations(const SweepSpec& spec);
Expansion expand(const SweepSpec& spec, std::uint64_t seed, const PlacementChoices* placements = nullptr);

// Deterministic Fisher-Yates (std::shuffle differs between standard libraries).
void shuffle_configs(std::vector<SweepConfig>& v, std::uint64_t seed);

// A rough per-run time estimate for --dry-run, in seconds.
double estimate_seconds(const SweepConfig& c, const SweepSettings& s);
// 1.5s, 2m05s, 1h02m03s: a time estimate as --dry-run prints it.
std::string estimate_text(double seconds);

}  // namespace ringlab::sweep
