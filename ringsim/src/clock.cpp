// clock.cpp: calibration of the cycle timer (see clock.hpp).
#include "ringsim/clock.hpp"

#include <time.h>

#include <algorithm>
#include <cmath>

namespace ringsim::clock {
namespace {

std::uint64_t raw_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return std::uint64_t(ts.tv_sec) * 1'000'000'000ull + std::uint64_t(ts.tv_nsec);
}

// One round: ticks and nanoseconds over about `ns`, each end bracketed by two
// CLOCK_MONOTONIC_RAW reads so a preemption between them shows as a wide bracket.
struct Round { double hz; std::uint64_t bracket_ns; };

Round measure(std::uint64_t ns) {
    const std::uint64_t a0 = raw_ns();
    const std::uint64_t t0 = now();
    const std::uint64_t a1 = raw_ns();
    std::uint64_t b0, t1, b1;
    do {
        b0 = raw_ns();
        t1 = now_end();
        b1 = raw_ns();
    } while (b0 - a1 < ns);
    // Midpoints of the brackets estimate when each tick read happened.
    const double elapsed_ns = (double(b0) + double(b1)) / 2 - (double(a0) + double(a1)) / 2;
    return {double(t1 - t0) * 1e9 / elapsed_ns, (a1 - a0) + (b1 - b0)};
}

// The smallest nonzero difference between two consecutive reads (0: it never moved).
std::uint64_t smallest_step() {
    std::uint64_t best = ~0ull, prev = now();
    for (int i = 0; i < 4000; ++i) {
        const std::uint64_t t = now();
        if (t > prev && t - prev < best) best = t - prev;
        prev = t;
    }
    return best == ~0ull ? 0 : best;
}

}  // namespace

ClockInfo calibrate(int ms) {
    ClockInfo ci;
    ci.name = kName;
    ci.core_cycles = false;  // see clock.hpp: no supported source counts core cycles
    if (ms < 5) ms = 5;
    constexpr int kRounds = 5;
    const std::uint64_t per_round_ns = std::uint64_t(ms) * 1'000'000ull / kRounds;
    Round best{0, ~0ull};
    for (int i = 0; i < kRounds; ++i) {
        Round r = measure(per_round_ns);
        if (r.bracket_ns < best.bracket_ns) best = r;
    }
    ci.hz = best.hz;
    ci.calibrated = best.hz > 0 && std::isfinite(best.hz);
    ci.resolution_ticks = smallest_step();
    if (arch::kTimerTicksAreNs) {
        // steady_clock ticks are nanoseconds by definition: nothing to calibrate.
        ci.hz = 1e9;
        ci.calibrated = false;
    } else if (const double f = double(arch::timer_published_hz());
               f > 0 && std::fabs(f - ci.hz) / f < 0.01) {
        // Where the architecture publishes the counter's frequency (arm64's cntfrq_el0),
        // prefer the exact figure when the measurement confirms it (within 1%).
        ci.hz = f;
    }
    return ci;
}

const ClockInfo& info() {
    static const ClockInfo cached = calibrate();
    return cached;
}

}  // namespace ringsim::clock
