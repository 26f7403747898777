// run_options.hpp: the flags that describe one engine configuration, shared by
// `ringlab run` and `ringlab stress`: the configuration table's command-line rows
// (config/axes.hpp), and their mapping onto RunConfig.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "cli/args.hpp"
#include "engine/run_config.hpp"

namespace ringlab::cli {

// One option per field with a flag, one per switch, in the table's order.
std::vector<OptionSpec> run_option_specs();
// --NAME A,B: two CPU numbers; UsageError naming the expected form otherwise.
std::pair<int, int> parse_cpu_pair(const std::string& option, const std::string& value);
// Throws UsageError naming the problem (in flag spellings) and the valid range.
RunConfig run_config_from(const Args& a);
// The table's checks, then the machine's (CPUs): UsageError in flag spellings.
void check_run_config(const RunConfig& c);

}  // namespace ringlab::cli
