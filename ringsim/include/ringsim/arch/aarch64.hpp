// arch/aarch64.hpp: the barrier primitives on arm64, after Linux's
// arch/arm64/include/asm/barrier.h.  Include "ringsim/arch.hpp", not this file.
//
// arm64 is weakly ordered: every site kind needs an instruction.
//  - dsb waits for completion of the accesses (needed for devices/MMIO) and is
//    what the mandatory barriers use; dmb only orders them and is enough
//    between CPUs.
//  - ish = inner shareable (the CPUs of one OS); osh = outer shareable (also
//    reaches DMA-capable observers), hence dma_* use osh.
//  - the ld / st variants order only load->load|store and store->store.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "ringsim/arch/common.hpp"

#define RINGSIM_ARCH_AARCH64 1
#define RINGSIM_ARCH_HAS_TIMER 1
#define RINGSIM_ARCH_HAS_TIMER_HZ 1

namespace ringsim::arch {

inline constexpr std::optional<Arch> kArch = Arch::aarch64;
inline constexpr const char* kArchName = "aarch64";
inline constexpr const char* kMachineName = kArchName;  // what the binary was compiled for
inline constexpr bool kTso = false;

[[gnu::always_inline]] inline void mb() { asm volatile("dsb sy" ::: "memory"); }
[[gnu::always_inline]] inline void rmb() { asm volatile("dsb ld" ::: "memory"); }
[[gnu::always_inline]] inline void wmb() { asm volatile("dsb st" ::: "memory"); }

[[gnu::always_inline]] inline void dma_rmb() { asm volatile("dmb oshld" ::: "memory"); }
[[gnu::always_inline]] inline void dma_wmb() { asm volatile("dmb oshst" ::: "memory"); }

[[gnu::always_inline]] inline void smp_mb() { asm volatile("dmb ish" ::: "memory"); }
[[gnu::always_inline]] inline void smp_rmb() { asm volatile("dmb ishld" ::: "memory"); }
[[gnu::always_inline]] inline void smp_wmb() { asm volatile("dmb ishst" ::: "memory"); }

// yield: a hint to SMT siblings / the hypervisor that this is a spin-wait.
[[gnu::always_inline]] inline void cpu_relax() { asm volatile("yield" ::: "memory"); }

// The full barriers ringlab-micro compares (fullbarrier/...).
inline constexpr std::array<NamedFence, 2> kFullFences{{{"smp_mb:dmb-ish", &smp_mb}, {"mb:dsb-sy", &mb}}};

// The timer: the generic timer's virtual count, isb first so it is not read early.
inline constexpr const char* kTimerName = "cntvct_el0";
[[gnu::always_inline]] inline std::uint64_t timer_start() {
    std::uint64_t v;
    asm volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v)::"memory");
    return v;
}
[[gnu::always_inline]] inline std::uint64_t timer_end() {
    std::uint64_t v;
    asm volatile("isb\n\tmrs %0, cntvct_el0\n\tisb" : "=r"(v)::"memory");
    return v;
}
// The architecture publishes the generic timer's frequency.
inline std::uint64_t timer_published_hz() {
    std::uint64_t f;
    asm volatile("mrs %0, cntfrq_el0" : "=r"(f));
    return f;
}

}  // namespace ringsim::arch
