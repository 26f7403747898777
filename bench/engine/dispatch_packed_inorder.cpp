#include "engine/dispatch_layout.hpp"
#include "ringsim/layouts/packed_inorder.hpp"

namespace ringlab::detail {
RunResult run_packed_inorder(const RunConfig& cfg, double hz) { return run_layout<ringsim::PackedInOrderRing>(cfg, hz); }
}  // namespace ringlab::detail
