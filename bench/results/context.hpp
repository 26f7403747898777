// context.hpp: the context of a results file (results/SCHEMA.md, "Context"): Google
// Benchmark's fields, read from the OS, and context.ringlab; the relation of a CPU pair.
// The one producer of the context: `ringlab run --json` and the sweep both use
// make_context, and nothing else writes GB's context fields.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/run_result.hpp"
#include "results/schema.hpp"

namespace ringlab::results {

// Now, as Google Benchmark writes context.date: 2024-01-31T12:00:00+01:00.
std::string local_date();

// Now in UTC, formatted by strftime(fmt).
std::string utc_now(const char* fmt);

// "20261121T210000Z-ab12cd": UTC time + 6 random hex digits.
std::string new_run_id();

// The context object: Google Benchmark's fields (date, host_name, executable,
// num_cpus, mhz_per_cpu, cpu_scaling_enabled, caches, load_avg, library_build_type,
// json_schema_version)
// and context.ringlab {schema_version, run_id, started_at, machine_id, emulated,
// environment, pmu, warnings, topology}.  `measured_cpus` feed the environment's
// SMT-sibling and governor warnings; `timer` (from a RunResult) its timer record.
nlohmann::json make_context(const std::vector<int>& measured_cpus, nlohmann::json pmu_probe,
                            const std::vector<std::string>& extra_warnings, const RunResult* timer_from = nullptr);

// The environment part of context.ringlab (machine_id, emulated, environment,
// warnings = the environment's then extra_warnings), as make_context writes it.
// The sweep calls it again once a run has told it the timer.
void set_environment(nlohmann::json& ringlab, const std::vector<int>& measured_cpus,
                     const std::vector<std::string>& extra_warnings, const RunResult* timer_from = nullptr);

// What two CPUs share ("smt", "same-l3", ...), from this machine's topology (read
// once); "" when it cannot be read or a CPU is unknown.
std::string relation_of(int cpu_a, int cpu_b);

}  // namespace ringlab::results
