// guest_run.hpp: one ring run with the driver inside the KVM guest.
//
// The driver is the engine's own DriverCore<Ring>, the same ringsim layout and
// barrier policy as the threads path; it runs in the guest vCPU (ring 3), on the
// same memory the host sees (vm.hpp), so the device thread (the engine's
// DeviceCore, a host thread) reaches the ring through its ordinary pointers, as a
// vhost device reaches guest memory through its mapping.
//   kicks: the guest writes a doorbell (PIO port or MMIO page).  --kick ioeventfd
//          binds it to the kick eventfd with KVM_IOEVENTFD (the kernel signals it);
//          --kick exit lets it exit to user space, where the vCPU thread signals it.
//   calls: --call irqfd binds the call eventfd with KVM_IRQFD to an IOAPIC pin; a
//          sleeping guest halts and takes the interrupt.  --call poll: the guest polls.
// The watchdog (the calling thread) reads the ring's positions as the threads
// engine's does, wakes a sleeper that lost its notification, and stops a vCPU that
// never returns.
#pragma once

#include <poll.h>
#include <pthread.h>
#include <time.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "engine/buffer_pool.hpp"
#include "engine/cpu_affinity.hpp"
#include "engine/engine_loops.hpp"
#include "engine/notifier.hpp"
#include "engine/run_control.hpp"
#include "engine/run_result.hpp"
#include "engine/wait_policy.hpp"
#include "engine/watch_start.hpp"
#include "guest/guest.hpp"
#include "guest/x86_64/guest_ops.hpp"
#include "guest/x86_64/vcpu_thread.hpp"
#include "guest/x86_64/vm.hpp"
#include "ringsim/arch.hpp"
#include "ringsim/clock.hpp"

namespace ringlab {
std::string describe_snapshot(const ringsim::RingSnapshot& s);
}

namespace ringlab::guest::x86 {

// What the guest function gets: pointers to the run's shared state and its own counters.
template <class Ring>
struct GuestDriverJob {
    DriverCore<Ring>* driver = nullptr;
    Ring* ring = nullptr;
    RunControl* ctl = nullptr;
    bool notify = false, sleep = false, mmio = false;
    std::uint64_t drop_threshold = 0, rng = 0x9e3779b97f4a7c15ull;
    // Written by the guest only; the window's figures like the threads engine's.
    alignas(128) std::uint64_t kicks = 0, suppressed = 0, sleeps = 0, spurious = 0, dropped = 0, doorbells = 0;
};

// The driver loop, run inside the guest.  The same steps and sleep protocol as the
// threads engine's driver_thread; only the kick (a doorbell write) and the sleep (hlt
// until the call interrupt) differ.
template <class Ring>
std::uint64_t guest_driver_main(void* p) {
    auto& j = *static_cast<GuestDriverJob<Ring>*>(p);
    DriverCore<Ring>& drv = *j.driver;
    Ring& ring = *j.ring;
    RunControl& ctl = *j.ctl;
    ctl.ready.fetch_add(1);
    while (!ctl.go.load(std::memory_order_acquire)) {
        if (ctl.abort.load(std::memory_order_relaxed)) break;
        ringsim::arch::cpu_relax();
    }
    bool flush = false;
    while (!ctl.abort.load(std::memory_order_relaxed)) {
        StepResult r = drv.step(flush);
        const bool in_window = ctl.phase.load(std::memory_order_relaxed) == int(Phase::window);
        if (r.kick) {
            j.rng ^= j.rng << 13;
            j.rng ^= j.rng >> 7;
            j.rng ^= j.rng << 17;
            if (j.drop_threshold && j.rng < j.drop_threshold) {
                ++j.dropped;  // --inject drop-kick: the doorbell is not written
            } else {
                if (j.mmio) guest_mmio_write(kMmioDoorbellGpa, 1);
                else guest_outb(kPortDoorbell, 1);
                ++j.doorbells;
                if (in_window) ++j.kicks;
            }
        } else if (r.published && j.notify && in_window) {
            ++j.suppressed;
        }
        flush = false;
        if (r.done) break;
        if (r.did_work) continue;
        if (!j.sleep) {
            ringsim::arch::cpu_relax();
            continue;
        }
        if (drv.room() > 0 && !drv.window_closed()) {  // never sleep on a partly filled batch
            flush = true;
            continue;
        }
        // Sleep protocol: note the calls taken, enable calls, full barrier, re-check
        // (inside driver_enable_calls); the halt returns at once if a call came after `seen`.
        const std::uint64_t seen = guest_irqs();
        if (ring.driver_enable_calls()) {
            ring.driver_disable_calls();
            continue;
        }
        ctl.driver_sleeping.store(1, std::memory_order_seq_cst);
        if (in_window) ++j.sleeps;
        guest_halt_unless(seen);
        ctl.driver_sleeping.store(0, std::memory_order_relaxed);
        ring.driver_disable_calls();
        if (in_window && !ring.pending_for_driver() && !ctl.abort.load(std::memory_order_relaxed)) ++j.spurious;
    }
    ctl.finished.fetch_add(1);
    ctl.stop.store(true, std::memory_order_release);
    return 0;
}

template <class Ring>
class GuestRun {
public:
    GuestRun(const RunConfig& cfg, double hz)
        : cfg_(cfg), hz_(hz), ring_(ringsim::RingOptions{cfg.ring_size, cfg.cache_line, cfg.notify}),
          pool_(driver_pool_size(cfg.outstanding, cfg.batch), cfg.payload_bytes, cfg.cache_line),
          kick_(0, 0, 0x9e3779b97f4a7c15ull), call_(0, cfg.drop_call, 0xd1b54a32d192ed03ull) {
        plan_.batch = cfg.batch;
        plan_.outstanding = cfg.outstanding;
        plan_.warmup = cfg.warmup_buffers;
        plan_.window = cfg.duration_s > 0 ? ~0ull : cfg.buffers;
        plan_.window_ticks = cfg.duration_s > 0 ? std::uint64_t(cfg.duration_s * hz_) : 0;
        plan_.latency = cfg.latency == LatencyMode::on ||
                        (cfg.latency == LatencyMode::automatic && cfg.outstanding == 1);
        plan_.notify = cfg.notify != ringsim::NotifyMode::poll;
        plan_.verify_payload = cfg.verify == VerifyMode::full;
    }

    GuestRunResult run() {
        GuestRunResult out;
        RunResult& res = out.run;
        res.config = cfg_;
        DriverCore<Ring> driver(ring_, pool_, plan_, ctl_);
        DeviceCore<Ring> device(ring_, pool_, cfg_.batch, plan_.notify, cfg_.device_access == DeviceAccess::barrier,
                                cfg_.verify == VerifyMode::full);
        ring_.driver_disable_calls();
        ring_.device_disable_kicks();
        GuestDriverJob<Ring> job;
        job.driver = &driver;
        job.ring = &ring_;
        job.ctl = &ctl_;
        job.notify = plan_.notify;
        job.sleep = cfg_.call_path == CallPath::irqfd;
        job.mmio = cfg_.doorbell == Doorbell::mmio;
        job.drop_threshold = cfg_.drop_kick > 0 ? std::uint64_t(cfg_.drop_kick * 18446744073709551615.0) : 0;

        // Everything the guest touches exists now: build the VM over it.
        Vm vm;
        if (cfg_.kick_path == KickPath::ioeventfd) {
            if (job.mmio) vm.ioeventfd_mmio(kMmioDoorbellGpa, 4, kick_.fd());
            else vm.ioeventfd_pio(kPortDoorbell, kick_.fd());
        }
        if (cfg_.call_path == CallPath::irqfd) vm.irqfd_call(call_.fd());
        Vcpu cpu(vm, &guest_driver_main<Ring>, &job);

        const bool device_sleeps = cfg_.wait != WaitMode::spin;
        RoleSide device_side;
        std::thread dev([&] { device_thread(device, device_side); });
        // --kick exit: the doorbell reaches user space; signal the device from here.
        VcpuThread vt(cpu, cfg_.driver_cpu, [&](kvm_run& run) {
            const bool doorbell = (run.exit_reason == KVM_EXIT_IO && run.io.port == kPortDoorbell) ||
                                  (run.exit_reason == KVM_EXIT_MMIO && run.mmio.phys_addr == kMmioDoorbellGpa);
            if (doorbell) kick_.signal(device_sleeps);
            return doorbell;
        });
        clockid_t cid{};
        if (pthread_getcpuclockid(dev.native_handle(), &cid) == 0) dev_clock_ = cid;
        if (pthread_getcpuclockid(vt.native_handle(), &cid) == 0) vcpu_clock_ = cid;

        watchdog(res, vt);
        // Bounded: an aborted guest returns at its next look at ctl.abort, a halted one
        // once the call eventfd wakes it; one that does neither is stopped.
        if (!vt.wait_for(5000)) {
            call_.force_wake();
            if (!vt.wait_for(1000))
                vt.stop("the guest did not return within 5 s after the run ended; the watchdog stopped its vCPU");
        }
        vt.join();
        ctl_.stop.store(true);
        if (vt.end() != GuestEnd::done) ctl_.abort.store(true);
        kick_.force_wake();
        dev.join();
        if (vt.end() != GuestEnd::done) throw GuestFailure(vt.sentence());
        if (!vt.pin_error().empty()) res.problems.push_back(vt.pin_error());
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
        res.driver.notifications = job.kicks;
        res.driver.suppressed = job.suppressed;
        res.driver.sleeps = job.sleeps;
        res.driver.spurious_wakeups = job.spurious;
        res.driver.cpu_ns = vcpu_cpu_ns_;
        res.device.cpu_ns = device_side.cpu_ns;
        res.device.notifications = device_side.notifications;
        res.device.suppressed = device_side.suppressed;
        res.device.sleeps = device_side.sleeps;
        res.device.spurious_wakeups = device_side.spurious;
        if (plan_.latency && driver.latency_ticks.count()) res.latency = driver.latency_ticks.scaled(1e9 / hz_);
        if (!driver.window_closed()) res.problems.push_back("the timed window never completed");
        if (res.errors.total()) res.problems.push_back(std::to_string(res.errors.total()) + " verification errors");
        if (res.lost_notifications)
            res.problems.push_back(std::to_string(res.lost_notifications) + " lost notifications");
        res.valid = res.problems.empty();

        GuestFacts& f = out.guest;
        f.exits_io = vt.exits().io;
        f.exits_mmio = vt.exits().mmio;
        f.exits_intr = vt.exits().intr;
        f.doorbells = job.doorbells;
        f.kicks_dropped = job.dropped;
        f.irqs = vm.mailbox().irqs;
        f.halts = vm.mailbox().halts;
        f.halts_skipped = vm.mailbox().halts_skipped;
        return out;
    }

private:
    struct alignas(128) RoleSide {
        std::uint64_t cpu_ns = 0, notifications = 0, suppressed = 0, sleeps = 0, spurious = 0, cpu_at_start = 0;
        int seen_phase = int(Phase::warmup);
        std::string error;
    };

    static std::uint64_t clock_ns(std::optional<clockid_t> c) {
        timespec ts{};
        if (!c || clock_gettime(*c, &ts) != 0) return 0;
        return std::uint64_t(ts.tv_sec) * 1000000000ull + std::uint64_t(ts.tv_nsec);
    }

    void follow_phase(RoleSide& side) {
        int p = ctl_.phase.load(std::memory_order_relaxed);
        if (p == side.seen_phase) return;
        if (side.seen_phase == int(Phase::warmup)) side.cpu_at_start = thread_cpu_ns();
        if (p == int(Phase::after)) side.cpu_ns = thread_cpu_ns() - side.cpu_at_start;
        side.seen_phase = p;
    }

    // The engine's device loop (engine_run.hpp), with the call going to the irqfd.
    void device_thread(DeviceCore<Ring>& dev, RoleSide& side) {
        side.error = pin_this_thread(cfg_.device_cpu);
        ctl_.ready.fetch_add(1);
        while (!ctl_.go.load(std::memory_order_acquire) && !ctl_.abort.load(std::memory_order_relaxed))
            ringsim::arch::cpu_relax();
        WaitPolicy wait(cfg_.wait, cfg_.spin_ns, hz_, cfg_.watchdog_ms);
        const bool deliver = cfg_.call_path == CallPath::irqfd;  // a polling guest reads no interrupt
        while (!ctl_.abort.load(std::memory_order_relaxed)) {
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
            if (ctl_.stop.load(std::memory_order_acquire) && !ring_.pending_for_device()) break;
            if (!wait.should_sleep()) continue;
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
        follow_phase(side);
        ctl_.finished.fetch_add(1);
    }

    // The threads engine's watchdog, for one guest and one device thread.
    void watchdog(RunResult& res, VcpuThread& vt) {
        using namespace std::chrono;
        if (!release_start_barrier(ctl_, 2, cfg_.watchdog_ms, [&vt] { return vt.finished(); })) {
            res.watchdog.push_back({"engine", "the guest and the device thread to reach the start barrier", "", false});
            res.problems.push_back("watchdog: the start barrier was never reached");
            ctl_.abort.store(true);
            return;
        }
        auto positions = [this] { return ring_positions(ring_); };
        auto cpu_now = [this] { return clock_ns(dev_clock_) + clock_ns(vcpu_clock_); };
        auto last_pos = positions();
        auto last_change = steady_clock::now();
        std::uint64_t cpu_at_change = cpu_now();
        int starved = 0;
        const auto bound = milliseconds(cfg_.watchdog_ms);
        int seen_phase = int(Phase::warmup);
        std::uint64_t vcpu_at_window = 0;
        // The vCPU thread's CPU time over the window, sampled here as the phase word moves
        // (the guest cannot read its host thread's clock).
        // Once the guest has ended its thread's clock reads 0: then the time it recorded at its end.
        auto vcpu_now = [&] {
            const std::uint64_t n = clock_ns(vcpu_clock_);
            return n ? n : vt.cpu_ns_at_end();
        };
        auto follow = [&] {
            int p = ctl_.phase.load(std::memory_order_relaxed);
            if (p == seen_phase) return;
            if (seen_phase == int(Phase::warmup)) vcpu_at_window = vcpu_now();
            if (p == int(Phase::after)) {
                const std::uint64_t end = vcpu_now();
                vcpu_cpu_ns_ = end > vcpu_at_window ? end - vcpu_at_window : 0;
            }
            seen_phase = p;
        };
        while (ctl_.finished.load() < 2) {
            follow();
            if (vt.finished()) {  // the guest ended without leaving its loop: a fault or an exit it could not make
                ctl_.abort.store(true);
                break;
            }
            std::this_thread::sleep_for(milliseconds(2));
            auto pos = positions();
            auto now = steady_clock::now();
            if (pos != last_pos) {
                last_pos = pos;
                last_change = now;
                cpu_at_change = cpu_now();
                starved = 0;
                continue;
            }
            if (now - last_change < bound) continue;
            const std::uint64_t c = cpu_now(), used = c - cpu_at_change;
            const auto period = std::uint64_t(duration_cast<nanoseconds>(now - last_change).count());
            last_change = now;
            cpu_at_change = c;
            std::string state = describe_snapshot(ring_.snapshot());
            const bool drv_sleep = ctl_.driver_sleeping.load() != 0, dev_sleep = ctl_.device_sleeping.load() != 0;
            // A kick that was delivered (the eventfd is readable) but whose device thread has
            // not run yet is a starved thread on a loaded machine, not a lost notification.
            if (dev_sleep && ring_.pending_for_device() && kick_signalled() && ++starved <= 10) {
                if (starved == 1)
                    res.watchdog.push_back({"engine", "the device thread to run: its kick was delivered " +
                                                          std::to_string(cfg_.watchdog_ms) +
                                                          " ms ago and it has not woken (starved, not lost); waiting",
                                            state, false});
                continue;
            }
            if (dev_sleep && ring_.pending_for_device()) {
                ++res.lost_notifications;
                res.watchdog.push_back({"device", "a kick: it slept while buffers were available", state, true});
                kick_.force_wake();
                continue;
            }
            if (drv_sleep && ring_.pending_for_driver()) {
                ++res.lost_notifications;
                res.watchdog.push_back({"driver", "a call: the guest halted while completions were pending", state, true});
                call_.force_wake();
                continue;
            }
            if ((!drv_sleep || !dev_sleep) && used * 4 < period && ++starved <= 10) {
                if (starved == 1)
                    res.watchdog.push_back({"engine", "CPU time: the vCPU and device threads ran " +
                                                          std::to_string(used / 1000000) + " ms in " +
                                                          std::to_string(period / 1000000) +
                                                          " ms without progress (starved, not stuck); waiting",
                                            state, false});
                continue;
            }
            res.watchdog.push_back({"engine",
                                    std::string("progress from either side for ") + std::to_string(cfg_.watchdog_ms) +
                                        " ms (guest driver " + (drv_sleep ? "halted" : "polling") + ", device " +
                                        (dev_sleep ? "asleep" : "polling") + ")",
                                    state, false});
            res.problems.push_back("watchdog: no progress for " + std::to_string(cfg_.watchdog_ms) + " ms; aborted");
            ctl_.abort.store(true);
            kick_.force_wake();
            call_.force_wake();
            break;
        }
        follow();
    }

    // Whether the kick eventfd holds a signal not yet read (poll does not consume it).
    bool kick_signalled() const {
        pollfd p{kick_.fd(), POLLIN, 0};
        return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
    }

    RunConfig cfg_;
    double hz_;
    Ring ring_;
    BufferPool pool_;
    Notifier kick_, call_;
    DriverPlan plan_;
    RunControl ctl_;
    std::optional<clockid_t> dev_clock_, vcpu_clock_;
    std::uint64_t vcpu_cpu_ns_ = 0;
};

}  // namespace ringlab::guest::x86
