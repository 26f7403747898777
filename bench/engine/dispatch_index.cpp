#include "engine/dispatch_layout.hpp"
#include "ringsim/layouts/index_ring.hpp"

namespace ringlab::detail {
RunResult run_index(const RunConfig& cfg, double hz) { return run_layout<ringsim::IndexRing>(cfg, hz); }
}  // namespace ringlab::detail
