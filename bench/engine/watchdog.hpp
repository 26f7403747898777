// watchdog.hpp: the engine's watchdog, a class of its own run on the calling thread.
//
// It releases the start barrier, then watches the ring's own positions (the
// snapshot every layout gives: what each side published and consumed), so the
// roles write nothing extra for it.  If none moves for the watchdog period it looks at why:
//  - a role asleep while its peer's published index shows work for it is a
//    lost notification: record both sides' indices and event words, count it,
//    wake the sleeper, carry on (the run is then invalid);
//  - if the engine's threads used little CPU over the period, they were not
//    stuck but starved (another load, the host's scheduler): note it and keep
//    waiting, up to kMaxStarvedPeriods periods in a row;
//  - anything else is a stall (lost buffers, a protocol bug): record what each
//    side waited for and abort the run.  Nothing waits forever.
//
// It prints nothing and never ends the process: watch() returns a verdict, and the
// engine turns it into the run's result (or, for threads that would not stop, into an
// EngineStuck the front end reports).
#pragma once

#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/interference.hpp"
#include "engine/notifier.hpp"
#include "engine/run_control.hpp"
#include "engine/run_result.hpp"
#include "engine/watch_start.hpp"
#include "ringsim/concepts.hpp"

namespace ringlab {

std::string describe_snapshot(const ringsim::RingSnapshot& s);

struct WatchdogVerdict {
    enum class Outcome {
        finished,       // every thread left its loop (the run may still have lost notifications)
        start_failed,   // not every thread reached the start barrier: nothing was released
        stalled,        // no progress and nothing pending: the run was aborted, the threads stopped
        threads_stuck,  // aborted, and the threads did not stop within kJoinBound
    };
    Outcome outcome = Outcome::finished;
    std::vector<WatchdogEvent> events;  // what it saw, in order
    std::vector<std::string> problems;  // what makes the run invalid, for RunResult::problems
    std::uint64_t lost_notifications = 0, detected_kicks = 0, detected_calls = 0;
    // Steal time of each role's CPU over the window (sampled at the phase changes).
    std::optional<std::uint64_t> steal_driver_ns, steal_device_ns;

    // One sentence for threads_stuck (what the front end prints before exit status 3).
    static constexpr const char* kStuckSentence = "engine threads did not stop within 10 s after abort";
};

template <class Ring>
class Watchdog {
public:
    // What it watches.  It reads all of these and writes only the control words (abort,
    // go) and the notifiers' force_wake.
    struct Watched {
        const Ring& ring;
        RunControl& ctl;
        Notifier& kick;
        Notifier& call;
        const std::atomic<int>& driver_tid;
        const std::atomic<int>& device_tid;
    };
    struct Settings {
        std::uint32_t period_ms = 2000;  // --watchdog-ms
        int driver_cpu = -1, device_cpu = -1;
        int nthreads = 2;                // threads that must reach the start barrier and finish
    };
    static constexpr auto kJoinBound = std::chrono::seconds(10);

    Watchdog(Watched w, Settings s, std::vector<std::optional<clockid_t>> thread_clocks)
        : w_(w), s_(s), clocks_(std::move(thread_clocks)) {}

    // Releases the start barrier, watches until every thread has finished, and says how it went.
    WatchdogVerdict watch() {
        WatchdogVerdict v;
        if (!release_start_barrier(w_.ctl, s_.nthreads, s_.period_ms, [] { return false; })) {
            v.outcome = WatchdogVerdict::Outcome::start_failed;
            v.events.push_back({"engine", "all threads to reach the start barrier", "", false});
            w_.ctl.abort.store(true);
            return v;
        }
        watch_running(v);
        // Threads that were aborted exit at their next idle check; give them a bounded time.
        const auto join_deadline = std::chrono::steady_clock::now() + kJoinBound;
        while (w_.ctl.finished.load() < s_.nthreads && std::chrono::steady_clock::now() < join_deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (w_.ctl.finished.load() < s_.nthreads) {
            v.outcome = WatchdogVerdict::Outcome::threads_stuck;
            v.problems.push_back(WatchdogVerdict::kStuckSentence);
        }
        return v;
    }

private:
    void watch_running(WatchdogVerdict& v) {
        using namespace std::chrono;
        auto positions = [this] { return ring_positions(w_.ring); };
        auto last_pos = positions();
        auto last_change = steady_clock::now();
        std::uint64_t cpu_at_change = threads_cpu_ns();
        int starved_periods = 0;
        constexpr int kMaxStarvedPeriods = 10;
        const auto bound = milliseconds(s_.period_ms);
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
        std::optional<std::uint64_t> steal_start_driver, steal_start_device;
        auto sample_steal = [&](std::optional<std::uint64_t>& drv, std::optional<std::uint64_t>& dev) {
            drv = cpu_steal_ns(s_.driver_cpu);
            dev = cpu_steal_ns(s_.device_cpu);
        };
        auto lost = [&](bool device, std::string state) {
            ++v.lost_notifications;
            ++(device ? v.detected_kicks : v.detected_calls);
            v.events.push_back({device ? "device" : "driver",
                                device ? "a kick: it slept while buffers were available"
                                       : "a call: it slept while completions were pending",
                                std::move(state), true});
            (device ? w_.kick : w_.call).force_wake();
            forced = true;
        };
        while (w_.ctl.finished.load() < s_.nthreads) {
            std::this_thread::sleep_for(milliseconds(2));
            if (const int ph = w_.ctl.phase.load(std::memory_order_relaxed); ph != seen_phase) {
                if (seen_phase == int(Phase::warmup)) sample_steal(steal_start_driver, steal_start_device);
                if (ph == int(Phase::after)) {
                    std::optional<std::uint64_t> d, dv;
                    sample_steal(d, dv);
                    if (d && steal_start_driver && *d >= *steal_start_driver) v.steal_driver_ns = *d - *steal_start_driver;
                    if (dv && steal_start_device && *dv >= *steal_start_device) v.steal_device_ns = *dv - *steal_start_device;
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
                const bool dev_lost = w_.ctl.device_sleeping.load() != 0 && w_.ring.pending_for_device() &&
                                      !w_.kick.signalled() && thread_blocked(w_.device_tid.load()) &&
                                      thread_blocked(w_.driver_tid.load());
                const bool drv_lost = !dev_lost && w_.ctl.driver_sleeping.load() != 0 && w_.ring.pending_for_driver() &&
                                      !w_.call.signalled() && thread_blocked(w_.driver_tid.load()) &&
                                      thread_blocked(w_.device_tid.load());
                if (dev_lost || drv_lost) {
                    lost(dev_lost, describe_snapshot(w_.ring.snapshot()));
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
            std::string state = describe_snapshot(w_.ring.snapshot());
            const bool drv_sleep = w_.ctl.driver_sleeping.load() != 0, dev_sleep = w_.ctl.device_sleeping.load() != 0;
            if (dev_sleep && w_.ring.pending_for_device()) {
                lost(true, std::move(state));
                continue;
            }
            if (drv_sleep && w_.ring.pending_for_driver()) {
                lost(false, std::move(state));
                continue;
            }
            // A polling thread that is stuck spins: it burns CPU.  One that burned less
            // than a quarter of the period was mostly not running at all.
            const bool anyone_polls = !drv_sleep || !dev_sleep;
            if (anyone_polls && used_ns * 4 < period_ns && ++starved_periods <= kMaxStarvedPeriods) {
                if (starved_periods == 1)
                    v.events.push_back({"engine", "CPU time: the engine's threads ran " + std::to_string(used_ns / 1000000) +
                                                      " ms in " + std::to_string(period_ns / 1000000) +
                                                      " ms without progress (starved by other load, not stuck); waiting",
                                        state, false});
                continue;
            }
            std::string what = "progress from either side for " + std::to_string(s_.period_ms) +
                               " ms (driver " + (drv_sleep ? "asleep" : "polling") + " for completions, device " +
                               (dev_sleep ? "asleep" : "polling") + " for available buffers, nothing pending for either)";
            v.events.push_back({"engine", what, state, false});
            v.problems.push_back("watchdog: no progress for " + std::to_string(s_.period_ms) + " ms; aborted");
            v.outcome = WatchdogVerdict::Outcome::stalled;
            w_.ctl.abort.store(true);
            w_.kick.force_wake();
            w_.call.force_wake();
            break;
        }
    }

    // CPU time used so far by the engine's threads, for telling a stuck thread
    // (spinning, burning CPU) from a starved one (not scheduled).
    std::uint64_t threads_cpu_ns() const {
        std::uint64_t sum = 0;
        for (const auto& c : clocks_) {
            timespec ts{};
            if (c && clock_gettime(*c, &ts) == 0)
                sum += std::uint64_t(ts.tv_sec) * 1000000000ull + std::uint64_t(ts.tv_nsec);
        }
        return sum;
    }

    // Whether a thread is blocked in the kernel ('S'/'D' in /proc), not merely preempted.
    static bool thread_blocked(int tid) {
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

    Watched w_;
    Settings s_;
    std::vector<std::optional<clockid_t>> clocks_;
};

}  // namespace ringlab
