// watchdog.hpp: the engine's watchdog, run on the calling thread.
//
// It releases the start barrier, then watches the two progress words.  If
// neither role makes progress for --watchdog-ms it looks at why:
//  - a role asleep while its peer's published index shows work for it is a
//    lost notification: report both sides' indices and event words, count it,
//    wake the sleeper, mark the run invalid, carry on;
//  - anything else is a stall (lost buffers, a protocol bug): report what each
//    side waited for and abort the run.  Nothing waits forever.
#pragma once

#include <chrono>
#include <thread>

namespace ringlab {

template <class Ring>
void EngineRun<Ring>::watchdog(RunResult& res, int nthreads) {
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

    std::uint64_t last_d = ~0ull, last_v = ~0ull;
    auto last_change = steady_clock::now();
    const auto bound = milliseconds(cfg_.watchdog_ms);
    while (ctl_.finished.load() < nthreads) {
        std::this_thread::sleep_for(milliseconds(2));
        std::uint64_t d = ctl_.driver_progress.load(std::memory_order_relaxed);
        std::uint64_t v = ctl_.device_progress.load(std::memory_order_relaxed);
        auto now = steady_clock::now();
        if (d != last_d || v != last_v) {
            last_d = d;
            last_v = v;
            last_change = now;
            continue;
        }
        if (now - last_change < bound) continue;
        last_change = now;
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
