// The split layout's guest runs, one instantiation per barrier policy (as the engine's dispatch_split.cpp).
#include "guest/x86_64/guest_dispatch.hpp"
#include "ringsim/layouts/split.hpp"

namespace ringlab::guest::x86 {
GuestRunResult run_guest_split(const RunConfig& cfg, double hz) {
    return run_guest_layout<ringsim::SplitRing>(cfg, hz);
}
}  // namespace ringlab::guest::x86
