// exitcost: each kind of guest-to-host and host-to-guest notification alone.
//
// The guest (ring 3 of the KVM guest, running this file's guest_main) times each
// exit with its own TSC; the device thread (a host thread on the other CPU) answers
// the kinds that need a second party.  The kinds are taken in interleaved blocks,
// round after round, so that a machine changing speed affects them all alike.
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "engine/cpu_affinity.hpp"
#include "guest/guest.hpp"
#include "guest/x86_64/boundary.hpp"
#include "guest/x86_64/exitcost_job.hpp"
#include "guest/x86_64/guest_ops.hpp"
#include "guest/x86_64/vcpu_thread.hpp"
#include "guest/x86_64/vm.hpp"
#include "ringsim/arch.hpp"
#include "ringsim/clock.hpp"

namespace ringlab::guest {

using namespace x86;

std::vector<std::pair<std::string, std::string>> exit_kinds() {
    return {
        {"pio", "guest outb to a port nobody claims in the kernel: exit to user space and back (QEMU without ioeventfd)"},
        {"mmio", "guest store to an unbacked page: MMIO exit to user space and back"},
        {"ioeventfd-pio", "guest outb to a port bound with KVM_IOEVENTFD: the kernel signals an eventfd and resumes the guest"},
        {"ioeventfd-pio-wake", "from the guest's ioeventfd PIO doorbell to the device thread returning from poll+read of the eventfd"},
        {"ioeventfd-mmio", "guest store to an MMIO page bound with KVM_IOEVENTFD"},
        {"ioeventfd-mmio-wake", "from the guest's ioeventfd MMIO doorbell to the device thread returning from poll+read"},
        {"irqfd-hlt-wake", "from the device's irqfd write to the halted guest running again after its interrupt handler"},
    };
}

namespace {

inline void wait_ack(ExitCostJob& j, std::uint64_t v) {
    while (j.ack.load(std::memory_order_acquire) != v && !j.abort.load(std::memory_order_relaxed))
        ringsim::arch::cpu_relax();
}

void enter_phase(ExitCostJob& j, std::uint32_t p) {
    j.phase.store(p, std::memory_order_release);
    while (j.phase_ack.load(std::memory_order_acquire) != p && !j.abort.load(std::memory_order_relaxed))
        ringsim::arch::cpu_relax();
}

// Guest side of the TSC ping-pong: 64 rounds, the one with the shortest round trip wins.
void guest_tsc(ExitCostJob& j, int which) {
    enter_phase(j, kTsc);
    std::uint64_t best = ~0ull;
    std::int64_t off = 0;
    for (std::uint64_t i = 1; i <= 64; ++i) {
        std::uint64_t t1 = ringsim::clock::now();
        j.req.store(i, std::memory_order_release);
        wait_ack(j, i);
        std::uint64_t t2 = ringsim::clock::now_end();
        std::uint64_t h = j.host_tsc.load(std::memory_order_acquire);
        if (t2 - t1 < best) {
            best = t2 - t1;
            off = std::int64_t(t1 / 2 + t2 / 2) - std::int64_t(h);
        }
    }
    j.tsc_offset[which] = off;
    j.tsc_rtt[which] = best;
    j.req.store(0);
    j.ack.store(0);
}

void record(ExitCostJob& j, int kind, std::uint64_t v) { j.samples[kind][j.count[kind]++] = v; }

std::uint64_t guest_main(void* p) {
    auto& j = *static_cast<ExitCostJob*>(p);
    guest_tsc(j, 0);
    const std::int64_t off = j.tsc_offset[0];
    for (std::uint32_t r = 0; r < j.rounds && !j.abort.load(); ++r) {
        enter_phase(j, kPlain);
        if (j.want[kPio])
            for (std::uint32_t i = 0; i < j.per_block; ++i) {
                std::uint64_t t0 = ringsim::clock::now();
                guest_outb(kPortExit, 0);
                record(j, kPio, ringsim::clock::now_end() - t0);
            }
        if (j.want[kMmio])
            for (std::uint32_t i = 0; i < j.per_block; ++i) {
                std::uint64_t t0 = ringsim::clock::now();
                guest_mmio_write(kMmioExitGpa, 1);
                record(j, kMmio, ringsim::clock::now_end() - t0);
            }
        for (int mmio = 0; mmio < 2; ++mmio) {
            const int cost = mmio ? kIoeventfdMmio : kIoeventfdPio, wake = cost + 1;
            if (!j.want[cost] && !j.want[wake]) continue;
            enter_phase(j, mmio ? kWakeMmio : kWakePio);
            for (std::uint32_t i = 0; i < j.per_block && !j.abort.load(std::memory_order_relaxed); ++i) {
                const std::uint64_t n = j.ack.load() + 1;
                std::uint64_t t0 = ringsim::clock::now();
                if (mmio) guest_mmio_write(kMmioDoorbell2Gpa, 1);
                else guest_outb(kPortDoorbell2, 0);
                std::uint64_t t1 = ringsim::clock::now_end();
                wait_ack(j, n);
                record(j, cost, t1 - t0);
                record(j, wake, std::uint64_t(std::int64_t(j.host_tsc.load()) + off - std::int64_t(t0)));
            }
        }
        if (j.want[kIrqfdHlt]) {
            enter_phase(j, kIrq);
            for (std::uint32_t i = 0; i < j.per_block && !j.abort.load(std::memory_order_relaxed); ++i) {
                const std::uint64_t seen = guest_irqs();
                j.req.store(i + 1 + r * j.per_block, std::memory_order_release);
                while (guest_irqs() == seen && !j.abort.load(std::memory_order_relaxed)) guest_halt_unless(seen);
                std::uint64_t t1 = ringsim::clock::now_end();
                record(j, kIrqfdHlt, std::uint64_t(std::int64_t(t1) - (std::int64_t(j.host_tsc.load()) + off)));
                j.ack.store(i + 1 + r * j.per_block, std::memory_order_release);
            }
        }
    }
    guest_tsc(j, 1);
    j.phase.store(kFinished);
    return 0;
}

// The device thread: answers whatever phase the guest announced.
void device_main(ExitCostJob& j, int cpu, int efd_pio, int efd_mmio, int irqfd, std::string& err) {
    if (cpu >= 0) err = pin_this_thread(cpu);
    std::uint32_t seen_phase = kIdle;
    std::uint64_t last_req = 0, served = 0;
    while (!j.abort.load(std::memory_order_relaxed)) {
        std::uint32_t p = j.phase.load(std::memory_order_acquire);
        if (p != seen_phase) {
            seen_phase = p;
            last_req = j.req.load();
            j.phase_ack.store(p, std::memory_order_release);
            if (p == kFinished) return;
        }
        if (p == kTsc) {
            std::uint64_t r = j.req.load(std::memory_order_acquire);
            if (r != last_req) {
                last_req = r;
                j.host_tsc.store(ringsim::clock::now(), std::memory_order_relaxed);
                j.ack.store(r, std::memory_order_release);
            }
        } else if (p == kWakePio || p == kWakeMmio) {
            pollfd pf{p == kWakePio ? efd_pio : efd_mmio, POLLIN, 0};
            if (poll(&pf, 1, 1) == 1) {
                std::uint64_t v = 0;
                if (read(pf.fd, &v, 8) == 8) {
                    j.host_tsc.store(ringsim::clock::now_end(), std::memory_order_relaxed);
                    j.ack.store(j.ack.load() + 1, std::memory_order_release);
                }
            }
        } else if (p == kIrq) {
            std::uint64_t r = j.req.load(std::memory_order_acquire);
            if (r != last_req && r > served) {
                last_req = r;
                // Give the guest time to reach hlt: the wake-up is what is measured.
                std::uint64_t until = ringsim::clock::now() + j.irq_delay_ticks;
                while (ringsim::clock::now() < until) ringsim::arch::cpu_relax();
                j.host_tsc.store(ringsim::clock::now(), std::memory_order_release);
                std::uint64_t one = 1;
                if (write(irqfd, &one, 8) != 8) err = "write to the irqfd failed";
                served = r;
            } else {
                ringsim::arch::cpu_relax();
            }
        } else {
            ringsim::arch::cpu_relax();
        }
    }
}

ExitKindCost summarize(int kind, const ExitCostJob& j, double hz) {
    auto names = exit_kinds();
    ExitKindCost c;
    c.kind = names[std::size_t(kind)].first;
    c.what = names[std::size_t(kind)].second;
    std::vector<double> v;
    for (std::uint64_t i = 0; i < j.count[kind]; ++i) v.push_back(double(std::int64_t(j.samples[kind][i])) * 1e9 / hz);
    c.samples = v.size();
    if (v.empty()) return c;
    std::sort(v.begin(), v.end());
    auto pct = [&](double q) { return v[std::min(v.size() - 1, std::size_t(q * double(v.size() - 1) + 0.5))]; };
    c.p50_ns = pct(0.5);
    c.p99_ns = pct(0.99);
    c.min_ns = v.front();
    c.max_ns = v.back();
    double sum = 0;
    for (double x : v) sum += x;
    c.mean_ns = sum / double(v.size());
    return c;
}

int kind_index(const std::string& k) {
    auto names = exit_kinds();
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i].first == k) return int(i);
    return -1;
}

}  // namespace

ExitCostResult measure_exitcost(const ExitCostOptions& o) {
    const double hz = ringsim::clock::info().hz;
    ExitCostJob job;
    job.rounds = std::max<std::uint32_t>(1, o.rounds);
    job.per_block = std::max<std::uint32_t>(1, (o.iterations + job.rounds - 1) / job.rounds);
    job.irq_delay_ticks = std::uint64_t(hz * 200e-6);
    std::vector<std::vector<std::uint64_t>> store(kKinds);
    for (int k = 0; k < kKinds; ++k) {
        bool want = o.kinds.empty();
        for (const auto& name : o.kinds) {
            int i = kind_index(name);
            if (i < 0) throw GuestUnavailable("unknown exit kind '" + name + "'");
            if (i == k) want = true;
        }
        job.want[k] = want;
        store[std::size_t(k)].assign(std::size_t(job.per_block) * job.rounds, 0);
        job.samples[k] = store[std::size_t(k)].data();
    }
    // The wake kinds come with their cost kinds (the same doorbell write).
    if (job.want[kIoeventfdPioWake]) job.want[kIoeventfdPio] = true;
    if (job.want[kIoeventfdMmioWake]) job.want[kIoeventfdMmio] = true;
    if (job.want[kIoeventfdPio]) job.want[kIoeventfdPioWake] = true;
    if (job.want[kIoeventfdMmio]) job.want[kIoeventfdMmioWake] = true;

    Fd efd_pio(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)), efd_mmio(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
        irqfd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (efd_pio.get() < 0 || efd_mmio.get() < 0 || irqfd.get() < 0) throw GuestUnavailable("eventfd failed");

    // Everything the guest touches exists from here on: build the VM.
    Vm vm;
    vm.ioeventfd_pio(kPortDoorbell2, efd_pio.get());
    vm.ioeventfd_mmio(kMmioDoorbell2Gpa, 4, efd_mmio.get());
    vm.irqfd_call(irqfd.get());
    Vcpu cpu(vm, &guest_main, &job);

    std::string dev_err;
    std::thread dev([&] { device_main(job, o.device_cpu, efd_pio.get(), efd_mmio.get(), irqfd.get(), dev_err); });
    VcpuThread vt(cpu, o.vcpu_cpu, [](kvm_run& run) {
        if (run.exit_reason == KVM_EXIT_IO) return run.io.port == kPortExit;
        return run.exit_reason == KVM_EXIT_MMIO && run.mmio.phys_addr == kMmioExitGpa;
    });
    const bool ended = vt.wait_for(o.watchdog_ms);
    if (!ended) vt.stop("the exitcost guest did not finish within " + std::to_string(o.watchdog_ms) +
                        " ms (phase " + std::to_string(job.phase.load()) + "); the watchdog stopped its vCPU");
    vt.join();
    job.abort.store(true);
    dev.join();
    if (vt.end() != GuestEnd::done) throw GuestFailure(vt.sentence());
    if (!vt.pin_error().empty()) throw GuestUnavailable(vt.pin_error());
    if (!dev_err.empty()) throw GuestUnavailable(dev_err);

    ExitCostResult res;
    res.timer_hz = hz;
    for (int k = 0; k < kKinds; ++k)
        if (job.want[k]) res.kinds.push_back(summarize(k, job, hz));
    res.tsc = tsc_check(job.tsc_offset, job.tsc_rtt, hz);
    res.halts = vm.mailbox().halts;
    res.halts_skipped = vm.mailbox().halts_skipped;
    res.irqs = vm.mailbox().irqs;
    res.user_exits_io = vt.exits().io;
    res.user_exits_mmio = vt.exits().mmio;
    res.boundary = boundary_sentence();
    return res;
}

}  // namespace ringlab::guest
