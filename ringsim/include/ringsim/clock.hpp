// clock.hpp: the cycle timer ringlab's timed windows and latency samples use.
//
//   now()      read at the start of a timed region
//   now_end()  read at the end of a timed region
//   info()     what the ticks are (name, ticks per second), calibrated once
//
// | arch    | source       | start          | end              | ticks are            |
// |---------|--------------|----------------|------------------|----------------------|
// | x86_64  | TSC          | lfence; rdtsc  | rdtscp; lfence   | constant-rate TSC    |
// | aarch64 | cntvct_el0   | isb; mrs       | isb; mrs         | generic timer, fixed |
// | ppc64   | timebase     | mftb           | mftb             | timebase, fixed      |
// | other   | steady_clock | now()          | now()            | nanoseconds          |
//
// Why the fences on x86: rdtsc is not serializing, so the core may execute it
// before earlier instructions finish or after later ones start.  lfence before
// rdtsc waits for everything earlier to complete, so the window does not open
// early.  rdtscp waits for everything earlier to execute before it reads the
// counter (it does not stop later instructions from starting), so the lfence
// after it keeps the following code from leaking into the window.  The same
// reasoning gives the isb before reading cntvct_el0 on arm64.
//
// None of these counts core cycles: the TSC runs at a constant reference rate
// on every x86 of the last 15 years (invariant TSC), regardless of turbo or
// frequency scaling; arm64's generic timer and POWER's timebase are fixed
// low-frequency clocks (often 25-1000 MHz and 512 MHz).  So core_cycles is
// false and ticks must be converted with hz; count core cycles with the PMU.
#pragma once

#include <cstdint>
#include <string>

#include "ringsim/arch.hpp"

namespace ringsim::clock {

struct ClockInfo {
    std::string name;          // rdtsc | cntvct_el0 | timebase | steady_clock
    double hz = 0;             // ticks per second
    bool core_cycles = false;  // true only if a tick is one core clock cycle
    bool calibrated = false;   // hz was measured against CLOCK_MONOTONIC_RAW
    // The smallest step seen between two back-to-back reads.  On bare metal that is the
    // read's own cost, a few tens of ticks of a counter that moves by one; a virtualised
    // or emulated counter may move in coarse steps (a KVM guest seen while writing this:
    // 26 ticks = 10 ns), and then every single-sample figure, such as a latency
    // percentile, is a multiple of the step while averages over many samples are not.
    std::uint64_t resolution_ticks = 0;
};

// The reads themselves are the architecture's (ringsim/arch/<arch>.hpp, or the
// steady_clock default of arch/defaults.hpp): the only place timer asm lives.
inline constexpr const char* kName = arch::kTimerName;
[[gnu::always_inline]] inline std::uint64_t now() { return arch::timer_start(); }
[[gnu::always_inline]] inline std::uint64_t now_end() { return arch::timer_end(); }

// Measures ticks per second against CLOCK_MONOTONIC_RAW over about `ms`
// milliseconds (the best of a few short rounds, to dodge preemption).
ClockInfo calibrate(int ms = 50);

// calibrate() once per process, cached (thread-safe).
const ClockInfo& info();

// Convenience: ticks to nanoseconds with the cached calibration.
inline double to_ns(double ticks) { return ticks * 1e9 / info().hz; }

}  // namespace ringsim::clock
