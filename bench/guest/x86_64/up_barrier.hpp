// up_barrier.hpp: --guest-barriers up, seed 004's uniprocessor guest.
//
// Linux without CONFIG_SMP defines smp_mb/smp_wmb/smp_rmb as barrier(), a compiler
// barrier, while virt_* (and mb/wmb/rmb, dma_*) keep their instructions.  In ringlab's
// policies that changes `smp` alone, and only on the guest's side of the ring: the
// device is the SMP host and keeps its fences.  On x86 smp_wmb and smp_rmb are compiler
// barriers already (TSO), so the one instruction a UP build removes is smp_mb at the
// driver's notify-checks: site E (publish the avail index, then read the device's event
// word or flags: did it ask for a kick?) and site H (re-enable calls, then re-read the
// used index).  Without it the store can still sit in the store buffer when the load
// reads, and each side can miss the other's update: a lost kick or call (the
// store-buffering case TSO allows).  The layouts route the driver's notify-checks
// through ringsim::detail::driver_notify_check<B>, which calls this one.
#pragma once

#include "ringsim/barriers.hpp"

namespace ringlab::guest::x86 {

struct UpSmpBarrier : ringsim::SmpBarrier {
    static constexpr bool safe_notify = false;  // on the driver's side: a compiler barrier cannot order store->load
    [[gnu::always_inline]] static void driver_notify_check() { ringsim::arch::compiler_barrier(); }
};

}  // namespace ringlab::guest::x86
