// run_options.hpp: the flags that describe one engine configuration, shared by
// `ringlab run` and `ringlab stress`, and their mapping onto RunConfig.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "cli/args.hpp"
#include "engine/run_config.hpp"

namespace ringlab::cli {

std::vector<OptionSpec> run_option_specs();
// --NAME A,B: two CPU numbers; UsageError naming the expected form otherwise.
std::pair<int, int> parse_cpu_pair(const std::string& option, const std::string& value);
// Throws UsageError naming the problem and the valid range.
RunConfig run_config_from(const Args& a);
// --indirect off|on|auto[=K] and --completion in-order|reverse|random[:SEED] into c (the
// sweep's axis values use the same spellings); UsageError otherwise.
void parse_indirect(const std::string& value, RunConfig& c);
void parse_completion(const std::string& value, RunConfig& c);


}  // namespace ringlab::cli
