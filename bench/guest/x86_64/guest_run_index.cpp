// The index layout's guest runs, one instantiation per barrier policy (as the engine's dispatch_index.cpp).
#include "guest/x86_64/guest_dispatch.hpp"
#include "ringsim/layouts/index_ring.hpp"

namespace ringlab::guest::x86 {
GuestRunResult run_guest_index(const RunConfig& cfg, double hz) {
    return run_guest_layout<ringsim::IndexRing>(cfg, hz);
}
}  // namespace ringlab::guest::x86
