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
//
// --vcpus 2 --submitters 2 (seed 002 inside the guest): two vCPUs run the driver
// loop on the one ring and the one DriverCore, each step under a submit lock that
// lives in guest memory (guest_lock.hpp), with the kick inside the lock or, with
// --kick-unlocked, after it is released: the threads engine's driver_loop with
// vCPUs for threads.  Both vCPU threads are pinned to the driver CPU, as the threads
// engine pins every submitter (the device keeps its CPU to itself).  Only vCPU 0 takes
// the call interrupt (the IOAPIC sends it to APIC 0) and so only vCPU 0 halts; vCPU 1
// polls, as the threads engine's submitters all poll (engine_loops.hpp driver_wait).
#pragma once

#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/buffer_pool.hpp"
#include "engine/cpu_affinity.hpp"
#include "engine/engine_loops.hpp"
#include "engine/notifier.hpp"
#include "engine/run_control.hpp"
#include "engine/run_result.hpp"
#include "engine/wait_policy.hpp"
#include "engine/watch_start.hpp"
#include "guest/guest.hpp"
#include "guest/x86_64/guest_lock.hpp"
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
// One per vCPU: with two, each is that vCPU's results area (its kicks, its lock figures),
// in guest memory, read by the host after the run.
template <class Ring>
struct GuestDriverJob {
    DriverCore<Ring>* driver = nullptr;
    Ring* ring = nullptr;
    RunControl* ctl = nullptr;
    GuestSubmitLock* lock = nullptr;  // two vCPUs: the lock they share; one: none
    bool notify = false, sleep = false, mmio = false, kick_unlocked = false;
    std::uint64_t drop_threshold = 0, rng = 0x9e3779b97f4a7c15ull;
    // Written by the guest only; the window's figures like the threads engine's.
    alignas(128) std::uint64_t kicks = 0, suppressed = 0, sleeps = 0, spurious = 0, dropped = 0, doorbells = 0;
    LockStats lock_stats;  // this vCPU's submitting acquisitions in the window, in TSC ticks
};

// The driver loop, run inside the guest.  The same steps and sleep protocol as the
// threads engine's driver_loop; only the kick (a doorbell write), the sleep (hlt until
// the call interrupt) and the lock's yield (guest_lock.hpp) differ.  With a lock, the
// sleep protocol's ring accesses (enable calls, re-check, disable) are driver-side
// state and are made under it too; the halt itself is not.
template <class Ring, bool Locked>
std::uint64_t guest_driver_main(void* p) {
    auto& j = *static_cast<GuestDriverJob<Ring>*>(p);
    DriverCore<Ring>& drv = *j.driver;
    Ring& ring = *j.ring;
    RunControl& ctl = *j.ctl;
    // One vCPU: no lock, and no test for one in its loop.
    auto lock = [&j] {
        if constexpr (Locked) return j.lock->lock();
        else return LockAcquisition{};
    };
    auto unlock = [&j](const LockAcquisition& a, LockStats* st) {
        if constexpr (Locked) j.lock->unlock(a, st);
        else (void)a, (void)st, (void)j;
    };
    ctl.ready.fetch_add(1);
    while (!ctl.go.load(std::memory_order_acquire)) {
        if (ctl.abort.load(std::memory_order_relaxed)) break;
        ringsim::arch::cpu_relax();
    }
    bool flush = false;
    while (!ctl.abort.load(std::memory_order_relaxed)) {
        LockAcquisition held = lock();
        StepResult r = drv.step(flush);
        const bool in_window = ctl.phase.load(std::memory_order_relaxed) == int(Phase::window);
        // As the threads engine: account only acquisitions that submitted, in the window.
        LockStats* acct = r.published && in_window ? &j.lock_stats : nullptr;
        const bool kick_inside = r.kick && !j.kick_unlocked;
        if (!kick_inside) unlock(held, acct);
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
        if (kick_inside) unlock(held, acct);  // the guest exited with the lock held (seed 002)
        flush = false;
        if (r.done) break;
        if (r.did_work) continue;
        if (!j.sleep) {
            ringsim::arch::cpu_relax();
            continue;
        }
        held = lock();
        if (drv.room() > 0 && !drv.window_closed()) {  // never sleep on a partly filled batch
            unlock(held, nullptr);
            flush = true;
            continue;
        }
        // Sleep protocol: note the calls taken, enable calls, full barrier, re-check
        // (inside driver_enable_calls); the halt returns at once if a call came after `seen`.
        const std::uint64_t seen = guest_irqs();
        if (ring.driver_enable_calls()) {
            ring.driver_disable_calls();
            unlock(held, nullptr);
            continue;
        }
        ctl.driver_sleeping.store(1, std::memory_order_seq_cst);
        unlock(held, nullptr);
        if (in_window) ++j.sleeps;
        guest_halt_unless(seen);
        ctl.driver_sleeping.store(0, std::memory_order_relaxed);
        held = lock();
        ring.driver_disable_calls();
        const bool spurious = in_window && !ring.pending_for_driver() && !ctl.abort.load(std::memory_order_relaxed);
        unlock(held, nullptr);
        if (spurious) ++j.spurious;
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
        plan_.refill = cfg.submitters == 1;
    }

    GuestRunResult run() {
        GuestRunResult out;
        RunResult& res = out.run;
        res.config = cfg_;
        const int nv = int(cfg_.vcpus);
        DriverCore<Ring> driver(ring_, pool_, plan_, ctl_);
        DeviceCore<Ring> device(ring_, pool_, cfg_.batch, plan_.notify, cfg_.device_access == DeviceAccess::barrier,
                                cfg_.verify == VerifyMode::full);
        ring_.driver_disable_calls();
        ring_.device_disable_kicks();
        // One results area per vCPU, allocated before the VM so that its memory is in a slot.
        std::vector<std::unique_ptr<GuestDriverJob<Ring>>> jobs;
        for (int i = 0; i < nv; ++i) {
            auto job = std::make_unique<GuestDriverJob<Ring>>();
            job->driver = &driver;
            job->ring = &ring_;
            job->ctl = &ctl_;
            job->lock = nv > 1 ? &lock_ : nullptr;
            job->kick_unlocked = cfg_.kick_mode == KickMode::unlocked;
            job->notify = plan_.notify;
            job->sleep = cfg_.call_path == CallPath::irqfd && i == 0;  // the call interrupt reaches vCPU 0 only
            job->mmio = cfg_.doorbell == Doorbell::mmio;
            job->drop_threshold =
                cfg_.drop_kick > 0 ? std::uint64_t(cfg_.drop_kick * 18446744073709551615.0) : 0;
            job->rng ^= 0xd1b54a32d192ed03ull * std::uint64_t(i);
            jobs.push_back(std::move(job));
        }

        // Everything the guest touches exists now: build the VM over it.
        VmOptions vo;
        vo.vcpus = nv;
        Vm vm(vo);
        if (cfg_.kick_path == KickPath::ioeventfd) {
            if (cfg_.doorbell == Doorbell::mmio) vm.ioeventfd_mmio(kMmioDoorbellGpa, 4, kick_.fd());
            else vm.ioeventfd_pio(kPortDoorbell, kick_.fd());
        }
        if (cfg_.call_path == CallPath::irqfd) vm.irqfd_call(call_.fd());
        std::vector<std::unique_ptr<Vcpu>> cpus;
        for (int i = 0; i < nv; ++i)
            cpus.push_back(std::make_unique<Vcpu>(
                vm, nv > 1 ? &guest_driver_main<Ring, true> : &guest_driver_main<Ring, false>, jobs[i].get(), i));

        const bool device_sleeps = cfg_.wait != WaitMode::spin;
        RoleSide device_side;
        std::thread dev([&] { device_thread(device, device_side); });
        // Every vCPU thread on the driver CPU, as the threads engine pins every submitter.
        std::vector<std::unique_ptr<VcpuThread>> vts;
        for (int i = 0; i < nv; ++i)
            vts.push_back(std::make_unique<VcpuThread>(*cpus[i], cfg_.driver_cpu, [this, device_sleeps, i](kvm_run& run) {
                // The submit lock's yield (guest_lock.hpp): give the host CPU to the other vCPU.
                if (run.exit_reason == KVM_EXIT_IO && run.io.port == kPortYield) {
                    yields_[i].fetch_add(1, std::memory_order_relaxed);
                    sched_yield();
                    return true;
                }
                // --kick exit: the doorbell reaches user space; signal the device from here.
                const bool doorbell = (run.exit_reason == KVM_EXIT_IO && run.io.port == kPortDoorbell) ||
                                      (run.exit_reason == KVM_EXIT_MMIO && run.mmio.phys_addr == kMmioDoorbellGpa);
                if (doorbell) kick_.signal(device_sleeps);
                return doorbell;
            }));
        clockid_t cid{};
        if (pthread_getcpuclockid(dev.native_handle(), &cid) == 0) dev_clock_ = cid;
        for (auto& vt : vts)
            vcpu_clocks_.push_back(pthread_getcpuclockid(vt->native_handle(), &cid) == 0 ? std::optional(cid)
                                                                                         : std::nullopt);

        watchdog(res, vts);
        // Bounded: an aborted guest returns at its next look at ctl.abort, a halted one
        // once the call eventfd wakes it; one that does neither is stopped.
        for (auto& vt : vts) {
            if (vt->wait_for(5000)) continue;
            call_.force_wake();
            if (!vt->wait_for(1000))
                vt->stop("the guest did not return within 5 s after the run ended; the watchdog stopped its vCPU");
        }
        for (auto& vt : vts) vt->join();
        ctl_.stop.store(true);
        const VcpuThread* bad = nullptr;
        for (auto& vt : vts)
            if (!bad && vt->end() != GuestEnd::done) bad = vt.get();
        if (bad) ctl_.abort.store(true);
        kick_.force_wake();
        dev.join();
        if (bad) {
            std::string why = bad->sentence();
            if (nv > 1) why = "vCPU " + std::to_string(bad->index()) + ": " + why;
            throw GuestFailure(why);
        }
        for (auto& vt : vts)
            if (!vt->pin_error().empty()) res.problems.push_back(vt->pin_error());
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
        GuestFacts& f = out.guest;
        for (int i = 0; i < nv; ++i) {
            const GuestDriverJob<Ring>& j = *jobs[i];
            res.driver.notifications += j.kicks;
            res.driver.suppressed += j.suppressed;
            res.driver.sleeps += j.sleeps;
            res.driver.spurious_wakeups += j.spurious;
            res.lock.merge(j.lock_stats);
            f.doorbells += j.doorbells;
            f.kicks_dropped += j.dropped;
            VcpuFacts v;
            v.index = i;
            v.cpu = cfg_.driver_cpu;
            v.apic_id = i;
            v.takes_calls = cfg_.call_path == CallPath::irqfd && i == 0;
            v.doorbells = j.doorbells;
            v.kicks = j.kicks;
            v.exits_io = vts[i]->exits().io;
            v.exits_mmio = vts[i]->exits().mmio;
            v.yields = yields_[i].load();
            v.lock_acquisitions = j.lock_stats.acquisitions;
            v.lock_contentions = j.lock_stats.contentions;
            v.lock_hold_mean_ns = j.lock_stats.hold.mean_ns() * 1e9 / hz_;
            v.lock_hold_max_ns = double(j.lock_stats.hold.max_ns) * 1e9 / hz_;
            v.lock_wait_mean_ns = j.lock_stats.wait.mean_ns() * 1e9 / hz_;
            v.lock_wait_max_ns = double(j.lock_stats.wait.max_ns) * 1e9 / hz_;
            f.vcpus.push_back(v);
        }
        // The guest recorded ticks (it reads the TSC); the results are in ns, as the threads engine's.
        ticks_to_ns(res.lock.hold);
        ticks_to_ns(res.lock.wait);
        res.lock.hold_hist = res.lock.hold_hist.scaled(1e9 / hz_);
        res.lock.wait_hist = res.lock.wait_hist.scaled(1e9 / hz_);
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

        for (auto& vt : vts) {
            f.exits_io += vt->exits().io;
            f.exits_mmio += vt->exits().mmio;
            f.exits_intr += vt->exits().intr;
        }
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

    void ticks_to_ns(DurationStats& d) const {
        const double f = 1e9 / hz_;
        d.min_ns = std::uint64_t(double(d.min_ns) * f);
        d.max_ns = std::uint64_t(double(d.max_ns) * f);
        d.total_ns = std::uint64_t(double(d.total_ns) * f);
    }

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

    // The threads engine's watchdog, for the guest's vCPUs and one device thread.
    void watchdog(RunResult& res, std::vector<std::unique_ptr<VcpuThread>>& vts) {
        using namespace std::chrono;
        const int nthreads = int(vts.size()) + 1;
        auto any_finished = [&vts] {
            for (auto& vt : vts)
                if (vt->finished()) return true;
            return false;
        };
        if (!release_start_barrier(ctl_, nthreads, cfg_.watchdog_ms, any_finished)) {
            res.watchdog.push_back({"engine", "the guest and the device thread to reach the start barrier", "", false});
            res.problems.push_back("watchdog: the start barrier was never reached");
            ctl_.abort.store(true);
            return;
        }
        auto positions = [this] { return ring_positions(ring_); };
        // Once a vCPU has ended its thread's clock reads 0: then the time it recorded at its end.
        auto vcpu_now = [&] {
            std::uint64_t sum = 0;
            for (std::size_t i = 0; i < vts.size(); ++i) {
                const std::uint64_t n = clock_ns(vcpu_clocks_[i]);
                sum += n ? n : vts[i]->cpu_ns_at_end();
            }
            return sum;
        };
        auto cpu_now = [&] { return clock_ns(dev_clock_) + vcpu_now(); };
        // The vCPU thread that ran least: one that holds a doorbell it has not rung yet (in
        // the middle of its exit) while the host does not run it delays the kick, it does
        // not lose it.
        auto least_vcpu_now = [&] {
            std::vector<std::uint64_t> each;
            for (std::size_t i = 0; i < vts.size(); ++i) {
                const std::uint64_t n = clock_ns(vcpu_clocks_[i]);
                each.push_back(n ? n : vts[i]->cpu_ns_at_end());
            }
            return each;
        };
        auto vcpu_at_change = least_vcpu_now();
        std::uint64_t dev_at_change = clock_ns(dev_clock_);
        auto last_pos = positions();
        auto last_change = steady_clock::now();
        std::uint64_t cpu_at_change = cpu_now();
        int starved = 0;
        const auto bound = milliseconds(cfg_.watchdog_ms);
        int seen_phase = int(Phase::warmup);
        std::uint64_t vcpu_at_window = 0;
        // The vCPU threads' CPU time over the window, sampled here as the phase word moves
        // (the guest cannot read its host thread's clock).
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
        bool woke_for_end = false;
        while (ctl_.finished.load() < nthreads) {
            follow();
            bool ended_badly = false, all_ended = true;
            for (auto& vt : vts) {
                all_ended = all_ended && vt->finished();
                ended_badly = ended_badly || (vt->finished() && vt->end() != GuestEnd::done);
            }
            // A vCPU ended without leaving its loop (a fault or an exit it could not make), or
            // every vCPU has returned (every buffer is done): nothing more can happen, and the
            // device, perhaps asleep on its kick eventfd, is told so (a guest cannot wake it).
            if (ended_badly || all_ended) {
                ctl_.abort.store(true);
                kick_.force_wake();
                break;
            }
            // A vCPU left its loop (every buffer is done) while vCPU 0 halts: nothing will
            // call it any more, so wake it to see that it is done too.
            if (ctl_.stop.load(std::memory_order_acquire) && ctl_.driver_sleeping.load() && !woke_for_end &&
                vts.size() > 1) {
                call_.force_wake();
                woke_for_end = true;
            }
            std::this_thread::sleep_for(milliseconds(2));
            auto pos = positions();
            auto now = steady_clock::now();
            if (pos != last_pos) {
                last_pos = pos;
                last_change = now;
                cpu_at_change = cpu_now();
                vcpu_at_change = least_vcpu_now();
                dev_at_change = clock_ns(dev_clock_);
                starved = 0;
                continue;
            }
            if (now - last_change < bound) continue;
            const std::uint64_t c = cpu_now(), used = c - cpu_at_change;
            const auto period = std::uint64_t(duration_cast<nanoseconds>(now - last_change).count());
            const auto vcpu_c = least_vcpu_now();
            std::uint64_t vcpu_least = ~0ull;
            for (std::size_t i = 0; i < vcpu_c.size(); ++i)
                vcpu_least = std::min(vcpu_least, vcpu_c[i] >= vcpu_at_change[i] ? vcpu_c[i] - vcpu_at_change[i] : 0);
            const std::uint64_t dev_c = clock_ns(dev_clock_), dev_used = dev_c >= dev_at_change ? dev_c - dev_at_change : 0;
            last_change = now;
            cpu_at_change = c;
            vcpu_at_change = vcpu_c;
            dev_at_change = dev_c;
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
            // Buffers published while the device sleeps, and a vCPU that is not halted got
            // almost no CPU: its doorbell may be on its way (the vCPU preempted in its exit).
            if (dev_sleep && ring_.pending_for_device() && !drv_sleep && vcpu_least * 4 < period && ++starved <= 10) {
                if (starved == 1)
                    res.watchdog.push_back({"engine", "a vCPU thread to run: it ran " + std::to_string(vcpu_least / 1000000) +
                                                          " ms in " + std::to_string(period / 1000000) +
                                                          " ms while the device slept with buffers published (a kick "
                                                          "delayed, not lost); waiting",
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
            // The sum above hides one starved thread behind a spinning one (with 2 vCPUs, or
            // polling vCPUs while the awake device gets no CPU from a busier process on its
            // CPU): an awake side that ran under a quarter of the period is starved too.
            const bool dev_starved = !dev_sleep && dev_used * 4 < period;
            const bool vcpu_starved = !drv_sleep && vcpu_least * 4 < period;
            if ((dev_starved || vcpu_starved) && ++starved <= 10) {
                if (starved == 1)
                    res.watchdog.push_back({"engine", std::string("CPU time: the ") +
                                                          (dev_starved ? "device thread ran " + std::to_string(dev_used / 1000000)
                                                                       : "least-run vCPU thread ran " +
                                                                             std::to_string(vcpu_least / 1000000)) +
                                                          " ms in " + std::to_string(period / 1000000) +
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
    std::optional<clockid_t> dev_clock_;
    std::vector<std::optional<clockid_t>> vcpu_clocks_;
    std::uint64_t vcpu_cpu_ns_ = 0;
    GuestSubmitLock lock_;  // the submitters' lock of a 2-vCPU guest, in guest memory (this object)
    std::array<std::atomic<std::uint64_t>, kMaxVcpus> yields_{};  // yield exits, by vCPU
};

}  // namespace ringlab::guest::x86
