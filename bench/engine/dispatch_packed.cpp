#include "engine/dispatch_layout.hpp"
#include "ringsim/layouts/packed.hpp"

namespace ringlab::detail {
RunResult run_packed(const RunConfig& cfg, double hz) { return run_layout<ringsim::PackedRing>(cfg, hz); }
}  // namespace ringlab::detail
