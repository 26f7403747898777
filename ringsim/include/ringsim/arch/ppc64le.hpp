// arch/ppc64le.hpp: the barrier primitives on 64-bit POWER, after Linux's
// arch/powerpc/include/asm/barrier.h.  Include "ringsim/arch.hpp", not this file.
//
// POWER is weakly ordered and has two useful fences:
//  - sync (heavyweight, hwsync): orders everything, including store->load and
//    accesses to caching-inhibited (device) memory; the mandatory barriers and
//    smp_mb use it.
//  - lwsync: orders load->load, load->store and store->store for ordinary
//    memory, but not store->load; enough for smp_rmb/smp_wmb and dma_*.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "ringsim/arch/common.hpp"

#define RINGSIM_ARCH_PPC64LE 1
#define RINGSIM_ARCH_HAS_TIMER 1

namespace ringsim::arch {

inline constexpr std::optional<Arch> kArch = Arch::ppc64le;
inline constexpr const char* kArchName = "ppc64le";
inline constexpr const char* kMachineName = kArchName;  // what the binary was compiled for
inline constexpr bool kTso = false;

// Linux uses sync for all three: lwsync does not order caching-inhibited accesses.
[[gnu::always_inline]] inline void mb() { asm volatile("sync" ::: "memory"); }
[[gnu::always_inline]] inline void rmb() { asm volatile("sync" ::: "memory"); }
[[gnu::always_inline]] inline void wmb() { asm volatile("sync" ::: "memory"); }

[[gnu::always_inline]] inline void dma_rmb() { asm volatile("lwsync" ::: "memory"); }
[[gnu::always_inline]] inline void dma_wmb() { asm volatile("lwsync" ::: "memory"); }

[[gnu::always_inline]] inline void smp_mb() { asm volatile("sync" ::: "memory"); }
[[gnu::always_inline]] inline void smp_rmb() { asm volatile("lwsync" ::: "memory"); }
[[gnu::always_inline]] inline void smp_wmb() { asm volatile("lwsync" ::: "memory"); }

// Drop the SMT thread priority to low while spinning, then back to medium,
// so the sibling threads of this core get the issue slots (Linux's
// HMT_low(); HMT_medium()).
[[gnu::always_inline]] inline void cpu_relax() { asm volatile("or 1,1,1\n\tor 2,2,2" ::: "memory"); }

// The full barriers ringlab-micro compares (fullbarrier/...).  lwsync does not order
// store->load: listed for its cost, not as an alternative.
inline constexpr std::array<NamedFence, 2> kFullFences{{{"smp_mb:sync", &smp_mb}, {"lwsync:not-full", &smp_wmb}}};

// The timer: the timebase (mftb orders nothing, and needs nothing more at the end).
inline constexpr const char* kTimerName = "timebase";
[[gnu::always_inline]] inline std::uint64_t timer_start() {
    std::uint64_t v;
    asm volatile("mftb %0" : "=r"(v)::"memory");
    return v;
}
[[gnu::always_inline]] inline std::uint64_t timer_end() { return timer_start(); }

}  // namespace ringsim::arch
