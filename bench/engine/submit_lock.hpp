// submit_lock.hpp: the lock K submitter threads share around "add buffers, then
// kick" (seed 002, docs/questions.md), with lockstat-style accounting.
//
// A test-and-test-and-set spinlock, as the guest kernel's queue lock is a
// spinlock.  Submitters may share one CPU on small machines, so after a bounded
// spin the waiter yields: otherwise a preempted holder would make waiters burn
// whole time slices and the figures would measure the scheduler.
// How it yields is the Yield policy's: sched_yield() for host threads; a KVM guest
// has no system calls and asks the host to yield its vCPU thread instead
// (bench/guest/x86_64/guest_lock.hpp).  Nothing else here needs an OS: the lock and
// its accounting run unchanged as freestanding guest code.
#pragma once

#include <sched.h>

#include <atomic>
#include <cstdint>

#include "engine/run_result.hpp"
#include "ringsim/arch.hpp"
#include "ringsim/clock.hpp"

namespace ringlab {

struct LockAcquisition {
    std::uint64_t requested = 0, acquired = 0;  // timer ticks
    bool contended = false;
};

// The host threads' yield.
struct HostYield {
    static void yield() { sched_yield(); }
};

template <class Yield>
class BasicSubmitLock {
public:
    LockAcquisition lock() {
        LockAcquisition a;
        a.requested = ringsim::clock::now();
        for (unsigned spins = 0;; ++spins) {
            if (!locked_.load(std::memory_order_relaxed) && !locked_.exchange(true, std::memory_order_acquire))
                break;
            a.contended = true;
            if (spins > 2000) {
                Yield::yield();
                spins = 0;
            } else {
                ringsim::arch::cpu_relax();
            }
        }
        a.acquired = ringsim::clock::now();
        return a;
    }
    // st: where to account this acquisition (nullptr: not a submission, or outside the window).
    void unlock(const LockAcquisition& a, LockStats* st) {
        std::uint64_t released = ringsim::clock::now();
        locked_.store(false, std::memory_order_release);
        if (!st) return;
        ++st->acquisitions;
        if (a.contended) ++st->contentions;
        st->wait.add(a.acquired - a.requested);  // ticks; the engine converts to ns at the end
        st->hold.add(released - a.acquired);
        st->wait_hist.record(a.acquired - a.requested);
        st->hold_hist.record(released - a.acquired);
    }

private:
    alignas(128) std::atomic<bool> locked_{false};
};

using SubmitLock = BasicSubmitLock<HostYield>;

}  // namespace ringlab
