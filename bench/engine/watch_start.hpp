// watch_start.hpp: the pieces of a watchdog that the threads engine (watchdog.hpp)
// and the KVM guest run (guest/x86_64/guest_run.hpp) share: releasing the start
// barrier with a bound, and the ring positions whose movement counts as progress.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <thread>

#include "engine/run_control.hpp"
#include "ringsim/concepts.hpp"

namespace ringlab {

// Waits (bounded: five watchdog periods, at least 5 s) until `nthreads` threads are at
// the start barrier, then releases them.  Returns false, releasing nothing, when the
// bound passes or gave_up() says a thread can no longer arrive.
template <class GaveUp>
bool release_start_barrier(RunControl& ctl, int nthreads, std::uint32_t watchdog_ms, GaveUp gave_up) {
    using namespace std::chrono;
    const auto deadline = steady_clock::now() + milliseconds(std::max<std::uint32_t>(watchdog_ms, 1000) * 5);
    while (ctl.ready.load() < nthreads) {
        if (gave_up() || steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(microseconds(200));
    }
    ctl.go.store(true, std::memory_order_release);
    return true;
}

// What each side published and consumed: the watchdog's measure of progress.
template <class Ring>
std::array<std::uint32_t, 4> ring_positions(const Ring& ring) {
    ringsim::RingSnapshot p = ring.snapshot();
    return {p.driver_published, p.device_seen, p.device_published, p.driver_seen};
}

}  // namespace ringlab
