// arch/generic.hpp: the fallback for an architecture ringsim does not know,
// in terms of C++ fences (the role of Linux's asm-generic/barrier.h).
// Include "ringsim/arch.hpp", not this file.
//
// These are correct by the C++ memory model but coarser than a real port:
// there is no separate "mandatory" or "DMA" strength in C++, so those map to
// the nearest fence.  A release fence followed by a relaxed store gives
// store->store; a relaxed load followed by an acquire fence gives load->load.
#pragma once

#include <atomic>

#define RINGSIM_ARCH_GENERIC 1

namespace ringsim::arch {

inline constexpr const char* kArchName = "generic";
// Unknown hardware: assume nothing beyond what C++ guarantees.
inline constexpr bool kTso = false;

[[gnu::always_inline]] inline void compiler_barrier() { std::atomic_signal_fence(std::memory_order_seq_cst); }

[[gnu::always_inline]] inline void mb() { std::atomic_thread_fence(std::memory_order_seq_cst); }
[[gnu::always_inline]] inline void rmb() { std::atomic_thread_fence(std::memory_order_acquire); }
[[gnu::always_inline]] inline void wmb() { std::atomic_thread_fence(std::memory_order_release); }

[[gnu::always_inline]] inline void dma_rmb() { std::atomic_thread_fence(std::memory_order_acquire); }
[[gnu::always_inline]] inline void dma_wmb() { std::atomic_thread_fence(std::memory_order_release); }

[[gnu::always_inline]] inline void smp_mb() { std::atomic_thread_fence(std::memory_order_seq_cst); }
[[gnu::always_inline]] inline void smp_rmb() { std::atomic_thread_fence(std::memory_order_acquire); }
[[gnu::always_inline]] inline void smp_wmb() { std::atomic_thread_fence(std::memory_order_release); }

[[gnu::always_inline]] inline void cpu_relax() { compiler_barrier(); }

}  // namespace ringsim::arch
