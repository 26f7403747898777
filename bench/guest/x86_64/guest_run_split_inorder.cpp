// The split_inorder layout's guest runs, one instantiation per barrier policy (as the engine's dispatch_split_inorder.cpp).
#include "guest/x86_64/guest_dispatch.hpp"
#include "ringsim/layouts/split_inorder.hpp"

namespace ringlab::guest::x86 {
GuestRunResult run_guest_split_inorder(const RunConfig& cfg, double hz) {
    return run_guest_layout<ringsim::SplitInOrderRing>(cfg, hz);
}
}  // namespace ringlab::guest::x86
