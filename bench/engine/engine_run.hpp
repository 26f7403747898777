// engine_run.hpp: one run of one instantiated ring type, from start to result:
// the shared state, the threads (their loops are in engine_loops.hpp), the watchdog
// on the calling thread (watchdog.hpp), and the collection of the result once the
// threads have finished.
#pragma once

#include <pthread.h>
#include <time.h>

#include <optional>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.hpp"
#include "engine/engine_loops.hpp"
#include "engine/watchdog.hpp"

namespace ringlab {

// Driver / Device: the two role cores.  DriverCore / DeviceCore are the single-descriptor,
// in-order fast path; ChainDriverCore / ChainDeviceCore the chain path (engine_loops.hpp).
//
// Threads that do not stop after an abort keep using this object's memory, so run() then
// throws EngineStuck and the object must not be destroyed: make it with new (run_instance
// in engine.cpp does) and leak it on EngineStuck.
template <class Ring, template <class> class Driver = DriverCore, template <class> class Device = DeviceCore>
class EngineRun {
public:
    EngineRun(const RunConfig& cfg, double timer_hz) : st_(cfg, timer_hz) {}
    EngineRun(const EngineRun&) = delete;
    EngineRun& operator=(const EngineRun&) = delete;

    RunResult run() {
        const RunConfig& cfg = st_.cfg;
        driver_.emplace(st_.ring, st_.pool, st_.plan, st_.ctl);
        device_.emplace(st_.ring, st_.pool, cfg.batch, st_.plan.notify, cfg.device_access == DeviceAccess::barrier,
                        cfg.verify == VerifyMode::full);
        Driver<Ring>& driver = *driver_;
        Device<Ring>& device = *device_;
        if constexpr (requires { driver.set_chain(ChainPlan{}); }) {
            driver.set_chain(chain_plan_of(cfg));
            device.set_chain(chain_plan_of(cfg));
        }
        if (cfg.device_extra_ns) {
            planted_iterations_ = std::uint64_t(double(cfg.device_extra_ns) / planted_ns_per_iteration() + 0.5);
            if constexpr (requires { device.plant_delay(planted_iterations_); }) device.plant_delay(planted_iterations_);
        }
        // Both roles start with notifications off: a role that polls does not want them.
        st_.ring.driver_disable_calls();
        st_.ring.device_disable_kicks();

        const int nthreads = int(cfg.submitters) + 1;
        driver_sides_ = std::vector<RoleSide>(cfg.submitters);
        // An exception must not escape a thread (std::terminate): record it, abort the
        // run, and let the watchdog and the other threads wind down.
        auto guarded = [this](RoleSide& side, auto&& body) {
            try {
                body();
            } catch (const std::exception& e) {
                side.error = std::string("engine thread failed: ") + e.what();
                st_.ctl.abort.store(true);
                st_.ctl.stop.store(true);
                st_.kick.force_wake();
                st_.call.force_wake();
                st_.ctl.finished.fetch_add(1);
            }
        };
        threads_.emplace_back([&, guarded] { guarded(device_side_, [&] { device_loop(st_, device, device_side_); }); });
        for (std::uint32_t i = 0; i < cfg.submitters; ++i)
            threads_.emplace_back(
                [&, guarded, i] { guarded(driver_sides_[i], [&] { driver_loop(st_, driver, driver_sides_[i]); }); });

        std::vector<std::optional<clockid_t>> clocks;  // device first
        for (auto& t : threads_) {
            clockid_t cid{};
            clocks.push_back(pthread_getcpuclockid(t.native_handle(), &cid) == 0 ? std::optional(cid) : std::nullopt);
        }
        Watchdog<Ring> dog({st_.ring, st_.ctl, st_.kick, st_.call, st_.driver_tid, st_.device_tid},
                           {cfg.watchdog_ms, cfg.driver_cpu, cfg.device_cpu, nthreads}, std::move(clocks));
        WatchdogVerdict verdict = dog.watch();
        if (verdict.outcome == WatchdogVerdict::Outcome::threads_stuck) throw EngineStuck{WatchdogVerdict::kStuckSentence};
        for (auto& t : threads_) t.join();
        return collect(verdict);
    }

private:
    // The result, from what the threads left behind and the watchdog's verdict.
    RunResult collect(WatchdogVerdict& verdict) {
        const double hz = st_.hz;
        const Driver<Ring>& driver = *driver_;
        const Device<Ring>& device = *device_;
        RunResult res;
        res.config = st_.cfg;
        res.areas = st_.ring.areas();
        res.watchdog = std::move(verdict.events);
        res.problems = std::move(verdict.problems);
        res.lost_notifications = verdict.lost_notifications;
        res.injected.detected_kicks = verdict.detected_kicks;
        res.injected.detected_calls = verdict.detected_calls;
        for (auto& s : driver_sides_)
            if (!s.error.empty()) res.problems.push_back(s.error);
        if (!device_side_.error.empty()) res.problems.push_back(device_side_.error);
        res.timer_hz = hz;
        res.ticks = driver.window_end > driver.window_start ? driver.window_end - driver.window_start : 0;
        res.buffers = driver.window_buffers;
        res.seconds = double(res.ticks) / hz;
        res.errors = driver.errors;
        res.errors.lost += driver.inflight() + device.errors.lost;
        res.errors.stale += device.errors.stale;
        res.errors.corrupt += device.errors.corrupt;
        res.submissions = driver.window_publishes;
        res.submitted_buffers = driver.window_submitted;
        res.device.suppressed = device_side_.suppressed;
        res.planted_delay_ns = double(planted_iterations_) * planted_ns_per_iteration();
        for (auto& s : driver_sides_) {
            res.driver.cpu_ns += s.cpu_ns;
            res.driver.notifications += s.notifications;
            res.driver.suppressed += s.suppressed;
            res.driver.sleeps += s.sleeps;
            res.driver.spurious_wakeups += s.spurious;
            res.lock.merge(s.lock);
            if (!res.driver.counters) res.driver.counters = std::move(s.counters);
        }
        ticks_to_ns(res.lock.hold);
        ticks_to_ns(res.lock.wait);
        res.lock.hold_hist = res.lock.hold_hist.scaled(1e9 / hz);
        res.lock.wait_hist = res.lock.wait_hist.scaled(1e9 / hz);
        res.device.cpu_ns = device_side_.cpu_ns;
        res.device.notifications = device_side_.notifications;
        res.device.sleeps = device_side_.sleeps;
        res.device.spurious_wakeups = device_side_.spurious;
        res.device.counters = std::move(device_side_.counters);
        res.injected.dropped_kicks = st_.kick.dropped();
        res.injected.dropped_calls = st_.call.dropped();
        // Interference: the first submitter stands for the driver role.
        auto interference = [&](RoleStats& out, const RoleSide& side, std::optional<std::uint64_t> steal) {
            out.involuntary_switches = side.sched_window.involuntary_switches;
            out.runqueue_wait_ns = side.sched_window.runqueue_wait_ns;
            out.steal_ns = steal;
            const double lost_ns = double(out.runqueue_wait_ns.value_or(0)) + double(steal.value_or(0));
            out.contended = res.seconds > 0 && lost_ns > kContendedShare * res.seconds * 1e9;
        };
        interference(res.driver, driver_sides_.front(), verdict.steal_driver_ns);
        interference(res.device, device_side_, verdict.steal_device_ns);
        if (st_.plan.latency && driver.latency_ticks.count()) res.latency = driver.latency_ticks.scaled(1e9 / hz);
        res.latency_sample_every = st_.plan.latency_every;
        if (!driver.window_closed()) res.problems.push_back("the timed window never completed");
        if (res.errors.total()) res.problems.push_back(std::to_string(res.errors.total()) + " verification errors");
        if (res.lost_notifications)
            res.problems.push_back(std::to_string(res.lost_notifications) + " lost notifications");
        res.valid = res.problems.empty();
        return res;
    }

    void ticks_to_ns(DurationStats& d) const {
        double f = 1e9 / st_.hz;
        d.min_ns = std::uint64_t(double(d.min_ns) * f);
        d.max_ns = std::uint64_t(double(d.max_ns) * f);
        d.total_ns = std::uint64_t(double(d.total_ns) * f);
    }

    LoopState<Ring> st_;
    std::optional<Driver<Ring>> driver_;
    std::optional<Device<Ring>> device_;
    std::vector<RoleSide> driver_sides_;
    RoleSide device_side_;
    std::vector<std::thread> threads_;
    std::uint64_t planted_iterations_ = 0;
};

}  // namespace ringlab
