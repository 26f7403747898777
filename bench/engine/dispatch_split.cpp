#include "engine/dispatch_layout.hpp"
#include "ringsim/layouts/split.hpp"

namespace ringlab::detail {
RunResult run_split(const RunConfig& cfg, double hz) { return run_layout<ringsim::SplitRing>(cfg, hz); }
}  // namespace ringlab::detail
