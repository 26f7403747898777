// guest_lock.hpp: the submit lock of a 2-vCPU guest (seed 002 inside the guest).
//
// The engine's own lock (engine/submit_lock.hpp: test-and-test-and-set, lockstat-style
// accounting on the TSC), instantiated for guest code: it lives in guest memory, is
// taken by ring-3 code on either vCPU, and needs no libc.  Only its yield differs.
// A host thread that has spun long calls sched_yield(); a vCPU cannot make system
// calls, so it writes the yield port instead: an exit to ringlab's vCPU thread, which
// calls sched_yield() and re-enters.  That is a paravirtual yield, what KVM's
// pause-loop exiting and Linux's PV spinlocks do for a guest whose lock holder was
// preempted by the host; without it two vCPUs sharing one host CPU would spin out
// whole time slices and the lock figures would measure the host scheduler.
#pragma once

#include "engine/submit_lock.hpp"
#include "guest/x86_64/guest_ops.hpp"

namespace ringlab::guest::x86 {

struct GuestYield {
    static void yield() { guest_outb(kPortYield, 0); }
};

using GuestSubmitLock = BasicSubmitLock<GuestYield>;

}  // namespace ringlab::guest::x86
