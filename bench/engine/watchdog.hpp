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

#include <array>
#include <chrono>
#include <thread>

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
void EngineRun<Ring, Driver, Device>::watchdog(RunResult& res, int nthreads) {
    using namespace std::chrono;
    auto deadline = steady_clock::now() + milliseconds(std::max<std::uint32_t>(cfg_.watchdog_ms, 1000) * 5);
    while (ctl_.ready.load() < nthreads) {
        if (steady_clock::now() > deadline) {
            res.watchdog.push_back({"engine", "all threads to reach the start barrier", "", false});
            ctl_.abort.store(true);
            return;
        }
        std::this_thread::sleep_for(microseconds(200));
    }
    ctl_.go.store(true, std::memory_order_release);

    auto positions = [this] {
        ringsim::RingSnapshot p = ring_.snapshot();
        return std::array<std::uint32_t, 4>{p.driver_published, p.device_seen, p.device_published, p.driver_seen};
    };
    auto last_pos = positions();
    auto last_change = steady_clock::now();
    std::uint64_t cpu_at_change = threads_cpu_ns();
    int starved_periods = 0;
    constexpr int kMaxStarvedPeriods = 10;
    const auto bound = milliseconds(cfg_.watchdog_ms);
    while (ctl_.finished.load() < nthreads) {
        std::this_thread::sleep_for(milliseconds(2));
        auto pos = positions();
        auto now = steady_clock::now();
        if (pos != last_pos) {
            last_pos = pos;
            last_change = now;
            cpu_at_change = threads_cpu_ns();
            starved_periods = 0;
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
            res.watchdog.push_back({"device", "a kick: it slept while buffers were available", state, true});
            kick_.force_wake();
            continue;
        }
        if (drv_sleep && ring_.pending_for_driver()) {
            ++res.lost_notifications;
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
