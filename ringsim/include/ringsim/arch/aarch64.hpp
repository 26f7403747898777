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

#define RINGSIM_ARCH_AARCH64 1

namespace ringsim::arch {

inline constexpr const char* kArchName = "aarch64";
inline constexpr bool kTso = false;

[[gnu::always_inline]] inline void compiler_barrier() { asm volatile("" ::: "memory"); }

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

}  // namespace ringsim::arch
