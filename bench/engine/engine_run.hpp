// engine_run.hpp: one run of one instantiated ring type: threads, pinning,
// start barrier, warm-up, timed window, notifications, and the watchdog.
//
// The calling thread is the watchdog: every few milliseconds it reads the ring's
// positions (each layout's snapshot) and writes nothing the roles read, so it costs
// the measurement next to nothing.  Every wait in the engine is bounded by it.
#pragma once

#include <pthread.h>
#include <unistd.h>
#include <time.h>

#include <chrono>
#include <optional>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "engine/buffer_pool.hpp"
#include "engine/chain_plan.hpp"
#include "engine/cpu_affinity.hpp"
#include "engine/device_side.hpp"
#include "engine/driver_side.hpp"
#include "engine/interference.hpp"
#include "engine/notifier.hpp"
#include "engine/planted_delay.hpp"
#include "engine/run_control.hpp"
#include "engine/run_result.hpp"
#include "engine/submit_lock.hpp"
#include "engine/wait_policy.hpp"
#include "ringsim/arch.hpp"
#include "ringsim/clock.hpp"

namespace ringlab {

std::string describe_snapshot(const ringsim::RingSnapshot& s);
void print_areas(const std::vector<ringsim::Area>& areas);

// Driver / Device: the two role cores.  DriverCore / DeviceCore are the single-descriptor,
// in-order fast path; ChainDriverCore / ChainDeviceCore (chain_*.hpp) the chain path.
template <class Ring, template <class> class Driver = DriverCore, template <class> class Device = DeviceCore>
class EngineRun {
public:
    EngineRun(const RunConfig& cfg, double timer_hz)
        : cfg_(cfg), hz_(timer_hz),
          ring_(ringsim::RingOptions{cfg.ring_size, cfg.cache_line, cfg.notify, cfg.sg, uses_indirect(cfg),
                                     uses_chain_path(cfg)}),
          pool_(driver_pool_size(cfg.outstanding, cfg.batch) * segments_per_buffer(cfg), cfg.payload_bytes,
                cfg.cache_line),
          kick_(ns_to_ticks(cfg.kick_cost_ns), cfg.drop_kick, 0x9e3779b97f4a7c15ull),
          call_(ns_to_ticks(cfg.kick_cost_ns), cfg.drop_call, 0xd1b54a32d192ed03ull) {
        plan_.batch = cfg.batch;
        plan_.outstanding = cfg.outstanding;
        plan_.warmup = cfg.warmup_buffers;
        plan_.window = cfg.duration_s > 0 ? ~0ull : cfg.buffers;
        plan_.window_ticks = cfg.duration_s > 0 ? std::uint64_t(cfg.duration_s * hz_) : 0;
        plan_.latency = cfg.latency == LatencyMode::on ||
                        (cfg.latency == LatencyMode::automatic && cfg.outstanding == 1);
        plan_.latency_every = latency_sample_every(cfg.outstanding);
        plan_.notify = cfg.notify != ringsim::NotifyMode::poll;
        plan_.verify_payload = cfg.verify == VerifyMode::full;
        if (cfg.verbose) print_areas(ring_.areas());
    }

    RunResult run() {
        RunResult res;
        res.config = cfg_;
        Driver<Ring> driver(ring_, pool_, plan_, ctl_);
        Device<Ring> device(ring_, pool_, cfg_.batch, plan_.notify,
                            cfg_.device_access == DeviceAccess::barrier, cfg_.verify == VerifyMode::full);
        if constexpr (requires { driver.set_chain(ChainPlan{}); }) {
            driver.set_chain(chain_plan_of(cfg_));
            device.set_chain(chain_plan_of(cfg_));
        }
        std::uint64_t planted_iterations = 0;
        if (cfg_.device_extra_ns) {
            planted_iterations = std::uint64_t(double(cfg_.device_extra_ns) / planted_ns_per_iteration() + 0.5);
            if constexpr (requires { device.plant_delay(planted_iterations); }) device.plant_delay(planted_iterations);
        }
        // Both roles start with notifications off: a role that polls does not want them.
        ring_.driver_disable_calls();
        ring_.device_disable_kicks();

        const int nthreads = int(cfg_.submitters) + 1;
        std::vector<RoleSide> driver_sides(cfg_.submitters);
        RoleSide device_side;
        std::vector<std::thread> threads;
        std::string pin_error;
        // An exception must not escape a thread (std::terminate): record it, abort the
        // run, and let the watchdog and the other threads wind down.
        auto guarded = [&](RoleSide& side, auto&& body) {
            try {
                body();
            } catch (const std::exception& e) {
                side.error = std::string("engine thread failed: ") + e.what();
                ctl_.abort.store(true);
                ctl_.stop.store(true);
                kick_.force_wake();
                call_.force_wake();
                ctl_.finished.fetch_add(1);
            }
        };
        threads.emplace_back([&] { guarded(device_side, [&] { device_thread(device, device_side); }); });
        for (std::uint32_t i = 0; i < cfg_.submitters; ++i)
            threads.emplace_back(
                [&, i] { guarded(driver_sides[i], [&] { driver_thread(driver, driver_sides[i]); }); });

        for (auto& t : threads) {
            clockid_t cid{};
            thread_clocks_.push_back(pthread_getcpuclockid(t.native_handle(), &cid) == 0 ? std::optional(cid)
                                                                                          : std::nullopt);
        }
        watchdog(res, nthreads);
        for (auto& t : threads) t.join();

        // --- collect ---
        for (auto& s : driver_sides)
            if (!s.error.empty()) res.problems.push_back(s.error);
        if (!device_side.error.empty()) res.problems.push_back(device_side.error);
        res.timer_hz = hz_;
        res.ticks = driver.window_end > driver.window_start ? driver.window_end - driver.window_start : 0;
        res.buffers = driver.window_buffers;
        res.seconds = double(res.ticks) / hz_;
        res.errors = driver.errors;
        res.errors.lost += driver.inflight() + device.errors.lost;
        res.errors.stale += device.errors.stale;
        res.errors.corrupt += device.errors.corrupt;
        res.submissions = driver.window_publishes;
        res.submitted_buffers = driver.window_submitted;
        res.device.suppressed = device_side.suppressed;
        res.planted_delay_ns = double(planted_iterations) * planted_ns_per_iteration();
        for (auto& s : driver_sides) {
            res.driver.cpu_ns += s.cpu_ns;
            res.driver.notifications += s.notifications;
            res.driver.suppressed += s.suppressed;
            res.driver.sleeps += s.sleeps;
            res.driver.spurious_wakeups += s.spurious;
            res.lock.acquisitions += s.lock.acquisitions;
            res.lock.contentions += s.lock.contentions;
            res.lock.hold.merge(s.lock.hold);
            res.lock.wait.merge(s.lock.wait);
            res.lock.hold_hist.merge(s.lock.hold_hist);
            res.lock.wait_hist.merge(s.lock.wait_hist);
            if (!res.driver.counters) res.driver.counters = std::move(s.counters);
        }
        ticks_to_ns(res.lock.hold);
        ticks_to_ns(res.lock.wait);
        res.lock.hold_hist = res.lock.hold_hist.scaled(1e9 / hz_);
        res.lock.wait_hist = res.lock.wait_hist.scaled(1e9 / hz_);
        res.device.cpu_ns = device_side.cpu_ns;
        res.device.notifications = device_side.notifications;
        res.device.sleeps = device_side.sleeps;
        res.device.spurious_wakeups = device_side.spurious;
        res.device.counters = std::move(device_side.counters);
        res.injected.dropped_kicks = kick_.dropped();
        res.injected.dropped_calls = call_.dropped();
        // Interference: the first submitter stands for the driver role.
        auto interference = [&](RoleStats& out, const RoleSide& side, std::optional<std::uint64_t> steal) {
            out.involuntary_switches = side.sched_window.involuntary_switches;
            out.runqueue_wait_ns = side.sched_window.runqueue_wait_ns;
            out.steal_ns = steal;
            const double lost_ns = double(out.runqueue_wait_ns.value_or(0)) + double(steal.value_or(0));
            out.contended = res.seconds > 0 && lost_ns > kContendedShare * res.seconds * 1e9;
        };
        interference(res.driver, driver_sides.front(), steal_driver_);
        interference(res.device, device_side, steal_device_);
        if (plan_.latency && driver.latency_ticks.count()) res.latency = driver.latency_ticks.scaled(1e9 / hz_);
        res.latency_sample_every = plan_.latency_every;
        if (!driver.window_closed()) res.problems.push_back("the timed window never completed");
        if (res.errors.total()) res.problems.push_back(std::to_string(res.errors.total()) + " verification errors");
        if (res.lost_notifications)
            res.problems.push_back(std::to_string(res.lost_notifications) + " lost notifications");
        res.valid = res.problems.empty();
        return res;
    }

private:
    struct alignas(128) RoleSide {  // written by its own thread only: one line pair each
        // Notification counters cover the timed window only, like the buffers they are divided by.
        std::uint64_t cpu_ns = 0, notifications = 0, suppressed = 0, sleeps = 0, spurious = 0;
        std::uint64_t cpu_at_start = 0;
        ThreadSchedSample sched_at_start, sched_window;  // window start; then end minus start
        int seen_phase = int(Phase::warmup);
        LockStats lock;
        std::unique_ptr<RoleCounters> counters;
        std::string error;
    };

    // Submitters sharing the lock poll (one sleeping on the call eventfd would not wake
    // the others); --wait applies to the device then.
    WaitMode driver_wait() const { return cfg_.submitters > 1 ? WaitMode::spin : cfg_.wait; }

    std::uint64_t ns_to_ticks(std::uint64_t ns) const { return std::uint64_t(double(ns) * hz_ / 1e9); }
    void ticks_to_ns(DurationStats& d) const {
        double f = 1e9 / hz_;
        d.min_ns = std::uint64_t(double(d.min_ns) * f);
        d.max_ns = std::uint64_t(double(d.max_ns) * f);
        d.total_ns = std::uint64_t(double(d.total_ns) * f);
    }

    // Pins, opens the PMU group, and waits (bounded) for every thread.
    bool start(RoleSide& side, Role role, int cpu) {
        side.error = pin_this_thread(cpu);
        if (side.error.empty() && cfg_.counters) side.counters = cfg_.counters->open_for_this_thread(role);
        ctl_.ready.fetch_add(1);
        while (!ctl_.go.load(std::memory_order_acquire)) {
            if (ctl_.abort.load(std::memory_order_relaxed)) return false;
            ringsim::arch::cpu_relax();
        }
        return side.error.empty();
    }

    // Window bookkeeping per thread: CPU time and PMU counters follow the phase word.
    void follow_phase(RoleSide& side) {
        int p = ctl_.phase.load(std::memory_order_relaxed);
        if (p == side.seen_phase) return;
        if (side.seen_phase == int(Phase::warmup)) {
            side.sched_at_start = sample_this_thread();
            side.cpu_at_start = thread_cpu_ns();
            if (side.counters) side.counters->start();
        }
        if (p == int(Phase::after)) {
            if (side.counters) side.counters->stop();
            side.cpu_ns = thread_cpu_ns() - side.cpu_at_start;
            const ThreadSchedSample end = sample_this_thread();
            auto diff = [](std::optional<std::uint64_t> a, std::optional<std::uint64_t> b) -> std::optional<std::uint64_t> {
                if (a && b && *b >= *a) return *b - *a;
                return std::nullopt;
            };
            side.sched_window.runqueue_wait_ns = diff(side.sched_at_start.runqueue_wait_ns, end.runqueue_wait_ns);
            side.sched_window.involuntary_switches = diff(side.sched_at_start.involuntary_switches, end.involuntary_switches);
        }
        side.seen_phase = p;
    }

    void device_thread(Device<Ring>& dev, RoleSide& side) {
        device_tid_.store(int(gettid()));
        if (start(side, Role::device, cfg_.device_cpu)) {
            WaitPolicy wait(cfg_.wait, cfg_.spin_ns, hz_, cfg_.watchdog_ms);
            const bool deliver = driver_wait() != WaitMode::spin;  // a spinning driver reads no eventfd
            for (;;) {
                DeviceStep s = dev.step();
                if (s.processed) {
                    follow_phase(side);
                    const bool in_window = side.seen_phase == int(Phase::window);
                    if (s.call) {
                        if (call_.signal(deliver) && in_window) ++side.notifications;
                    } else if (plan_.notify && in_window) {
                        ++side.suppressed;
                    }
                    wait.reset();
                    continue;
                }
                follow_phase(side);
                if (ctl_.abort.load(std::memory_order_relaxed)) break;
                if (ctl_.stop.load(std::memory_order_acquire) && !ring_.pending_for_device()) break;
                if (!wait.should_sleep()) continue;
                // Sleep protocol: enable kicks, full barrier, re-check (inside device_enable_kicks).
                if (ring_.device_enable_kicks()) {
                    ring_.device_disable_kicks();
                    continue;
                }
                if (ctl_.stop.load(std::memory_order_acquire)) break;
                ctl_.device_sleeping.store(1, std::memory_order_seq_cst);
                const bool slept_in_window = side.seen_phase == int(Phase::window);
                if (slept_in_window) ++side.sleeps;
                kick_.wait(wait.sleep_timeout_ms());
                ctl_.device_sleeping.store(0, std::memory_order_relaxed);
                ring_.device_disable_kicks();
                if (slept_in_window && !ring_.pending_for_device() && !ctl_.stop.load(std::memory_order_relaxed) &&
                    !ctl_.abort.load(std::memory_order_relaxed))
                    ++side.spurious;
                wait.reset();
            }
        }
        follow_phase(side);
        ctl_.finished.fetch_add(1);
    }

    void driver_thread(Driver<Ring>& drv, RoleSide& side) {
        const bool locked = cfg_.submitters > 1;
        const bool kick_unlocked = cfg_.kick_mode == KickMode::unlocked;
        const bool deliver = cfg_.wait != WaitMode::spin;  // a spinning device reads no eventfd
        driver_tid_.store(int(gettid()));  // with several submitters none sleeps (driver_wait)
        if (start(side, Role::driver, cfg_.driver_cpu)) {
            WaitPolicy wait(driver_wait(), cfg_.spin_ns, hz_, cfg_.watchdog_ms);
            bool flush = false;
            for (;;) {
                LockAcquisition held;
                if (locked) held = lock_.lock();
                StepResult r = drv.step(flush);
                follow_phase(side);
                // Account only acquisitions that submitted, inside the window: seed 002's question
                // is how long "add, then kick" holds the lock, not how often an idle poller takes it.
                LockStats* acct = r.published && side.seen_phase == int(Phase::window) ? &side.lock : nullptr;
                if (locked && (kick_unlocked || !r.kick)) lock_.unlock(held, acct);
                const bool in_window = side.seen_phase == int(Phase::window);
                if (r.kick) {
                    if (kick_.signal(deliver) && in_window) ++side.notifications;
                } else if (r.published && plan_.notify && in_window) {
                    ++side.suppressed;
                }
                if (locked && !kick_unlocked && r.kick) lock_.unlock(held, acct);
                flush = false;
                if (r.done) break;
                if (r.did_work) {
                    wait.reset();
                    continue;
                }
                if (ctl_.abort.load(std::memory_order_relaxed)) break;
                if (!wait.should_sleep()) continue;
                // Never sleep on a partly filled batch: publish it first.
                if (drv.room() > 0 && !drv.window_closed()) {
                    flush = true;
                    continue;
                }
                if (ring_.driver_enable_calls()) {
                    ring_.driver_disable_calls();
                    continue;
                }
                ctl_.driver_sleeping.store(1, std::memory_order_seq_cst);
                const bool slept_in_window = side.seen_phase == int(Phase::window);
                if (slept_in_window) ++side.sleeps;
                call_.wait(wait.sleep_timeout_ms());
                ctl_.driver_sleeping.store(0, std::memory_order_relaxed);
                ring_.driver_disable_calls();
                if (slept_in_window && !ring_.pending_for_driver() && !ctl_.abort.load(std::memory_order_relaxed))
                    ++side.spurious;
                wait.reset();
            }
        }
        follow_phase(side);
        // A submitter leaves only when every buffer is drained (shared state) or on abort:
        // either way the device may finish; wake it in case it sleeps.
        ctl_.finished.fetch_add(1);
        ctl_.stop.store(true, std::memory_order_release);
        kick_.force_wake();
    }

    void watchdog(RunResult& res, int nthreads);
    // CPU time used so far by the engine's threads (device first), for telling a
    // stuck thread (spinning, burning CPU) from a starved one (not scheduled).
    std::uint64_t threads_cpu_ns() const;

    // Whether a thread is blocked in the kernel ('S'/'D' in /proc), not merely preempted.
    static bool thread_blocked(int tid);
    // The sleeper's tid, for telling a lost notification from a delayed wake-up.
    std::atomic<int> device_tid_{0}, driver_tid_{0};
    // Steal time of each role's CPU at the window's start (the watchdog samples it).
    std::optional<std::uint64_t> steal_start_driver_, steal_start_device_, steal_driver_, steal_device_;

    std::vector<std::optional<clockid_t>> thread_clocks_;
    RunConfig cfg_;
    double hz_;
    Ring ring_;
    BufferPool pool_;
    Notifier kick_, call_;
    SubmitLock lock_;
    DriverPlan plan_;
    RunControl ctl_;
};

}  // namespace ringlab

#include "engine/watchdog.hpp"
