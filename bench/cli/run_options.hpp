// run_options.hpp: the flags that describe one engine configuration, shared by
// `ringlab run` and `ringlab stress`, and their mapping onto RunConfig.
#pragma once

#include <string>
#include <vector>

#include "cli/args.hpp"
#include "engine/run_config.hpp"

namespace ringlab::cli {

std::vector<OptionSpec> run_option_specs();
// Throws UsageError naming the problem and the valid range.
RunConfig run_config_from(const Args& a);


}  // namespace ringlab::cli
