// watchdog.hpp: the engine's watchdog, run on the calling thread.
//
// It releases the start barrier, then watches the ring's own positions (the
// snapshot every layout gives: what each side published and consumed), so the
// roles write nothing extra for it.  If none moves for --watchdog-ms it looks at why:
//  - a role asleep while its peer's published index shows work for it is a
//    lost notification: report both sides' indices and event words, count it,
//    wake the sleeper, mark the run invalid, carry on;
//  - if the engine's threads used little CPU over the period, they were not
//    stuck but starved (another load, the host's scheduler): note it and keep
//    waiting, up to kMaxStarvedPeriods periods in a row;
//  - anything else is a stall (lost buffers, a protocol bug): report what each
//    side waited for and abort the run.  Nothing waits forever.
#pragma once

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <chrono>
#include <thread>

#include "engine/watch_start.hpp"

namespace ringlab {

template <class Ring, template <class> class Driver, template <class> class Device>
std::uint64_t EngineRun<Ring, Driver, Device>::threads_cpu_ns() const {
    std::uint64_t sum = 0;
    for (const auto& c : thread_clocks_) {
        timespec ts{};
        if (c && clock_gettime(*c, &ts) == 0) sum += std::uint64_t(ts.tv_sec) * 1000000000ull + std::uint64_t(ts.tv_nsec);
    }
    return sum;
}

template <class Ring, template <class> class Driver, template <class> class Device>
bool EngineRun<Ring, Driver, Device>::thread_blocked(int tid) {
    if (tid <= 0) return false;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    std::FILE* f = std::fopen(path, "r");
    if (!f) return false;
    char buf[512];
    const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    const char* close = std::strrchr(buf, ')');  // the name may hold spaces and parentheses
    return close && close[1] == ' ' && (close[2] == 'S' || close[2] == 'D');
}

template <class Ring, template <class> class Driver, template <class> class Device>
void EngineRun<Ring, Driver, Device>::watchdog(RunResult& res, int nthreads) {
    using namespace std::chrono;
    if (!release_start_barrier(ctl_, nthreads, cfg_.watchdog_ms, [] { return false; })) {
        res.watchdog.push_back({"engine", "all threads to reach the start barrier", "", false});
        ctl_.abort.store(true);
        return;
    }

    auto positions = [this] { return ring_positions(ring_); };
    auto last_pos = positions();
    auto last_change = steady_clock::now();
    std::uint64_t cpu_at_change = threads_cpu_ns();
    int starved_periods = 0;
    constexpr int kMaxStarvedPeriods = 10;
    const auto bound = milliseconds(cfg_.watchdog_ms);
    // A lost notification is recognised much sooner than a stall: a sleeper blocked in
    // the kernel, with work pending and no signal queued for it, can only wake by its
    // own timeout.  React after a few times the typical natural pause seen in this run
    // (a wake-up takes tens of microseconds; a kick cost can stretch it), at least
    // kLostFloor and at most the watchdog period, so --inject at --outstanding 1 costs
    // milliseconds per drop, not the 2 s period.
    constexpr auto kLostFloor = milliseconds(5);
    double typical_pause_ns = 0;  // moving average of the pauses between position changes
    bool forced = false;  // the last change followed a watchdog wake: not a natural pause
    int seen_phase = int(Phase::warmup);
    auto sample_steal = [&](std::optional<std::uint64_t>& drv, std::optional<std::uint64_t>& dev) {
        drv = cpu_steal_ns(cfg_.driver_cpu);
        dev = cpu_steal_ns(cfg_.device_cpu);
    };
    while (ctl_.finished.load() < nthreads) {
        std::this_thread::sleep_for(milliseconds(2));
        if (const int ph = ctl_.phase.load(std::memory_order_relaxed); ph != seen_phase) {
            if (seen_phase == int(Phase::warmup)) sample_steal(steal_start_driver_, steal_start_device_);
            if (ph == int(Phase::after)) {
                std::optional<std::uint64_t> d, v;
                sample_steal(d, v);
                if (d && steal_start_driver_ && *d >= *steal_start_driver_) steal_driver_ = *d - *steal_start_driver_;
                if (v && steal_start_device_ && *v >= *steal_start_device_) steal_device_ = *v - *steal_start_device_;
            }
            seen_phase = ph;
        }
        auto pos = positions();
        auto now = steady_clock::now();
        if (pos != last_pos) {
            if (!forced) {
                const double p = double(duration_cast<nanoseconds>(now - last_change).count());
                typical_pause_ns = typical_pause_ns == 0 ? p : 0.9 * typical_pause_ns + 0.1 * p;
            }
            forced = false;
            last_pos = pos;
            last_change = now;
            cpu_at_change = threads_cpu_ns();
            starved_periods = 0;
            continue;
        }
        const auto lost_bound = std::min<nanoseconds>(
            bound, std::max<nanoseconds>(kLostFloor, nanoseconds(std::uint64_t(typical_pause_ns * 4))));
        if (now - last_change >= lost_bound && now - last_change < bound) {
            // Both blocked: the sleeper cannot wake, and the sender is not merely preempted
            // between publishing and kicking (a loaded machine must not fake a loss).
            const bool dev_lost = ctl_.device_sleeping.load() != 0 && ring_.pending_for_device() && !kick_.signalled() &&
                                  thread_blocked(device_tid_.load()) && thread_blocked(driver_tid_.load());
            const bool drv_lost = !dev_lost && ctl_.driver_sleeping.load() != 0 && ring_.pending_for_driver() &&
                                  !call_.signalled() && thread_blocked(driver_tid_.load()) &&
                                  thread_blocked(device_tid_.load());
            if (dev_lost || drv_lost) {
                ++res.lost_notifications;
                ++(dev_lost ? res.injected.detected_kicks : res.injected.detected_calls);
                res.watchdog.push_back({dev_lost ? "device" : "driver",
                                        dev_lost ? "a kick: it slept while buffers were available"
                                                 : "a call: it slept while completions were pending",
                                        describe_snapshot(ring_.snapshot()), true});
                (dev_lost ? kick_ : call_).force_wake();
                forced = true;
                last_change = now;
                cpu_at_change = threads_cpu_ns();
            }
            continue;
        }
        if (now - last_change < bound) continue;
        const std::uint64_t cpu_now = threads_cpu_ns();
        const std::uint64_t used_ns = cpu_now - cpu_at_change;
        const auto period_ns = std::uint64_t(duration_cast<nanoseconds>(now - last_change).count());
        last_change = now;
        cpu_at_change = cpu_now;
        std::string state = describe_snapshot(ring_.snapshot());
        bool drv_sleep = ctl_.driver_sleeping.load() != 0, dev_sleep = ctl_.device_sleeping.load() != 0;
        if (dev_sleep && ring_.pending_for_device()) {
            ++res.lost_notifications;
            ++res.injected.detected_kicks;
            forced = true;
            res.watchdog.push_back({"device", "a kick: it slept while buffers were available", state, true});
            kick_.force_wake();
            continue;
        }
        if (drv_sleep && ring_.pending_for_driver()) {
            ++res.lost_notifications;
            ++res.injected.detected_calls;
            forced = true;
            res.watchdog.push_back({"driver", "a call: it slept while completions were pending", state, true});
            call_.force_wake();
            continue;
        }
        // A polling thread that is stuck spins: it burns CPU.  One that burned less
        // than a quarter of the period was mostly not running at all.
        const bool anyone_polls = !drv_sleep || !dev_sleep;
        if (anyone_polls && used_ns * 4 < period_ns && ++starved_periods <= kMaxStarvedPeriods) {
            if (starved_periods == 1)
                res.watchdog.push_back({"engine", "CPU time: the engine's threads ran " + std::to_string(used_ns / 1000000) +
                                                      " ms in " + std::to_string(period_ns / 1000000) +
                                                      " ms without progress (starved by other load, not stuck); waiting",
                                        state, false});
            continue;
        }
        std::string what = "progress from either side for " + std::to_string(cfg_.watchdog_ms) +
                           " ms (driver " + (drv_sleep ? "asleep" : "polling") + " for completions, device " +
                           (dev_sleep ? "asleep" : "polling") + " for available buffers, nothing pending for either)";
        res.watchdog.push_back({"engine", what, state, false});
        res.problems.push_back("watchdog: no progress for " + std::to_string(cfg_.watchdog_ms) + " ms; aborted");
        ctl_.abort.store(true);
        kick_.force_wake();
        call_.force_wake();
        break;
    }
    // Threads that were aborted exit at their next idle check; give them a bounded time.
    auto join_deadline = steady_clock::now() + seconds(10);
    while (ctl_.finished.load() < nthreads && steady_clock::now() < join_deadline)
        std::this_thread::sleep_for(milliseconds(1));
    if (ctl_.finished.load() < nthreads) {
        std::fprintf(stderr, "ringlab: engine threads did not stop within 10 s after abort; exiting\n");
        std::fflush(stderr);
        std::_Exit(3);
    }
}

}  // namespace ringlab
