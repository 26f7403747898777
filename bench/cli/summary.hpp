// summary.hpp: the human-readable report of one run, for stdout.
#pragma once

#include <cstdio>

#include "engine/run_result.hpp"

namespace ringlab::cli {

void print_run_summary(std::FILE* out, const RunResult& r);

}  // namespace ringlab::cli
