// The packed ring with VIRTIO_F_IN_ORDER, its guest runs (as the engine's dispatch_packed_inorder.cpp).
#include "guest/x86_64/guest_dispatch.hpp"
#include "ringsim/layouts/packed_inorder.hpp"

namespace ringlab::guest::x86 {
GuestRunResult run_guest_packed_inorder(const RunConfig& cfg, double hz) {
    return run_guest_layout<ringsim::PackedInOrderRing>(cfg, hz);
}
}  // namespace ringlab::guest::x86
