// planted_delay.hpp: a known, finely graded extra cost for the device, for
// `ringlab answer --calibrate` only.  A chain of dependent adds costs one add's
// latency per iteration and reads no clock, so even a few ns can be planted
// (a clock read alone costs about 10 ns in a VM).  Its rate is measured once.
#pragma once

#include <cstdint>

namespace ringlab {

[[gnu::always_inline]] inline void planted_chain(std::uint64_t iterations) {
    std::uint64_t x = 0;
    for (std::uint64_t i = 0; i < iterations; ++i) {
        x += i;
        asm volatile("" : "+r"(x));  // keeps every add, in order: nothing to fold or vectorise
    }
}

// ns per iteration of planted_chain on this CPU: the fastest of a few timed runs
// (a run another process interrupted is slower, never faster).  Measured on first use.
double planted_ns_per_iteration();

}  // namespace ringlab
