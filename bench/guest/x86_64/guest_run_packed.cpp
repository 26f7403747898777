// The packed layout's guest runs, one instantiation per barrier policy (as the engine's dispatch_packed.cpp).
#include "guest/x86_64/guest_dispatch.hpp"
#include "ringsim/layouts/packed.hpp"

namespace ringlab::guest::x86 {
GuestRunResult run_guest_packed(const RunConfig& cfg, double hz) {
    return run_guest_layout<ringsim::PackedRing>(cfg, hz);
}
}  // namespace ringlab::guest::x86
