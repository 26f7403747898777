// arch/generic.hpp: the fallback for an architecture ringsim does not know,
// in terms of C++ fences (the role of Linux's asm-generic/barrier.h).
// Include "ringsim/arch.hpp", not this file.
//
// These are correct by the C++ memory model but coarser than a real port:
// there is no separate "mandatory" or "DMA" strength in C++, so those map to
// the nearest fence.  A release fence followed by a relaxed store gives
// store->store; a relaxed load followed by an acquire fence gives load->load.
#pragma once

#include <array>
#include <atomic>
#include <optional>

#include "ringsim/arch/common.hpp"

#define RINGSIM_ARCH_GENERIC 1

namespace ringsim::arch {

inline constexpr std::optional<Arch> kArch = std::nullopt;  // no port: no barrier table rows
inline constexpr const char* kArchName = "generic";
// What the binary was compiled for, though ringsim has no port for it.
#if defined(__x86_64__)
inline constexpr const char* kMachineName = "x86_64";
#elif defined(__aarch64__)
inline constexpr const char* kMachineName = "aarch64";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
inline constexpr const char* kMachineName = "ppc64le";
#elif defined(__powerpc64__)
inline constexpr const char* kMachineName = "ppc64";
#elif defined(__riscv) && __riscv_xlen == 64
inline constexpr const char* kMachineName = "riscv64";
#else
inline constexpr const char* kMachineName = "unknown";
#endif
// Unknown hardware: assume nothing beyond what C++ guarantees.
inline constexpr bool kTso = false;

[[gnu::always_inline]] inline void mb() { std::atomic_thread_fence(std::memory_order_seq_cst); }
[[gnu::always_inline]] inline void rmb() { std::atomic_thread_fence(std::memory_order_acquire); }
[[gnu::always_inline]] inline void wmb() { std::atomic_thread_fence(std::memory_order_release); }

[[gnu::always_inline]] inline void dma_rmb() { std::atomic_thread_fence(std::memory_order_acquire); }
[[gnu::always_inline]] inline void dma_wmb() { std::atomic_thread_fence(std::memory_order_release); }

[[gnu::always_inline]] inline void smp_mb() { std::atomic_thread_fence(std::memory_order_seq_cst); }
[[gnu::always_inline]] inline void smp_rmb() { std::atomic_thread_fence(std::memory_order_acquire); }
[[gnu::always_inline]] inline void smp_wmb() { std::atomic_thread_fence(std::memory_order_release); }

[[gnu::always_inline]] inline void cpu_relax() { compiler_barrier(); }

// The full barriers ringlab-micro compares (fullbarrier/...).
inline constexpr std::array<NamedFence, 1> kFullFences{{{"smp_mb", &smp_mb}}};

}  // namespace ringsim::arch
