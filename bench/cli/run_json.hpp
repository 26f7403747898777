// run_json.hpp: `ringlab run --json FILE`: one run as a results file with a
// single benchmark entry, in the same format the sweep writes, so every tool
// that reads sweep results (the analysis, compare.py) reads this too.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cli/pmu_glue.hpp"
#include "engine/run_result.hpp"

namespace ringlab::cli {

// Throws UsageError (before anything runs) if FILE's directory does not exist or is not writable.
void check_output_path(const std::string& path);

// guest: `run --guest kvm`'s facts; the entry then says host "kvm" and carries them.
void write_run_json(const std::string& path, const RunResult& r, const CliPmu& pmu, int argc, char** argv,
                    const nlohmann::json* guest = nullptr);

}  // namespace ringlab::cli
