// sweep_runner.hpp: runs an expanded sweep under Google Benchmark.
//
// Each configuration is one registered benchmark (UseManualTime; one iteration
// = one buffer), a capturing reporter keeps GB's console output for humans and
// turns every run into a results.json entry with the engine's RunResult, and
// the results directory is rewritten after every configuration.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sweep/sweep_spec.hpp"

namespace ringlab::sweep {

struct SweepPlan {
    SweepSpec spec;
    Expansion expansion;
    std::string preset;                         // "" when --spec
    std::string spec_file;                      // "" when --preset
    std::string out_dir;
    std::vector<std::string> gb_args;           // --benchmark_* flags, passed through
    std::optional<int> gb_repetitions;          // --benchmark_repetitions=N, checked by the front end
    std::optional<std::pair<int, int>> cpus;    // --cpus A,B
    std::string placement_override;             // --placement, "" if none
    std::vector<std::string> events;            // --events
    bool resume = false;
    bool gb_table = false;                      // --gb-table: GB's own console table, not one line per configuration
    std::vector<std::string> command_line;      // for the record
};

// True when the --benchmark_* flags set this GB flag (then the spec's value yields).
bool gb_flag_given(const std::vector<std::string>& gb_args, const std::string& flag);

// Runs the sweep.  Returns the exit status (see sweep_command.hpp).
// Precondition: everything in the plan was validated (no bad input left).
int run_sweep(SweepPlan& plan);

}  // namespace ringlab::sweep
