// run_options.hpp: the flags that describe one engine configuration, shared by
// `ringlab run` and `ringlab stress`: the configuration table's command-line rows
// (config/axes.hpp), and their mapping onto RunConfig.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "cli/args.hpp"
#include "engine/engine.hpp"
#include "engine/run_config.hpp"

namespace ringlab::cli {

// One option per field with a flag, one per switch, in the table's order.
std::vector<OptionSpec> run_option_specs();
// --NAME A,B: two CPU numbers; UsageError naming the expected form otherwise.
std::pair<int, int> parse_cpu_pair(const std::string& option, const std::string& value);
// The flags parsed onto a RunConfig, each value in its range (UsageError naming the flag
// and the range otherwise); combinations are check_run_config's, once the command has
// set its own defaults.
RunConfig run_config_from(const Args& a);
// The one check of a command's configuration (ValidConfig::check): UsageError in flag spellings.
ValidConfig check_run_config(const RunConfig& c);

}  // namespace ringlab::cli
