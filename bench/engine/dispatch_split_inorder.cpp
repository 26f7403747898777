#include "engine/dispatch_layout.hpp"
#include "ringsim/layouts/split_inorder.hpp"

namespace ringlab::detail {
RunResult run_split_inorder(const RunConfig& cfg, double hz) { return run_layout<ringsim::SplitInOrderRing>(cfg, hz); }
}  // namespace ringlab::detail
