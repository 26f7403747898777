// arch/x86_64.hpp: the barrier primitives on x86-64, after Linux's
// arch/x86/include/asm/barrier.h.  Include "ringsim/arch.hpp", not this file.
//
// x86 is TSO: the only reordering the hardware does is a store followed by a
// later load (store buffer forwarding).  So the SMP read and write barriers
// only have to stop the compiler, and only smp_mb needs an instruction.
#pragma once

#include <array>
#include <cpuid.h>
#include <cstdint>
#include <cstring>
#include <optional>

#include "ringsim/arch/common.hpp"

#define RINGSIM_ARCH_X86_64 1
#define RINGSIM_ARCH_HAS_TIMER 1
#define RINGSIM_ARCH_HAS_HYPERVISOR_ID 1

namespace ringsim::arch {

inline constexpr std::optional<Arch> kArch = Arch::x86_64;
inline constexpr const char* kArchName = "x86_64";
inline constexpr const char* kMachineName = kArchName;  // what the binary was compiled for
// Total store order: store->store and load->load are kept by the hardware.
inline constexpr bool kTso = true;

// Mandatory barriers: also order accesses to I/O and write-combining memory,
// which is why Linux keeps them distinct from the smp_* family.
[[gnu::always_inline]] inline void mb() { asm volatile("mfence" ::: "memory"); }
[[gnu::always_inline]] inline void rmb() { asm volatile("lfence" ::: "memory"); }
[[gnu::always_inline]] inline void wmb() { asm volatile("sfence" ::: "memory"); }

// Coherent DMA memory is ordinary write-back memory: TSO already orders it.
[[gnu::always_inline]] inline void dma_rmb() { compiler_barrier(); }
[[gnu::always_inline]] inline void dma_wmb() { compiler_barrier(); }

// A locked read-modify-write drains the store buffer like mfence but is
// cheaper on most cores.  The target is a dead stack slot: user space has a
// 128-byte red zone below %rsp that leaf functions may use, so we go 4 bytes
// beyond it (as Linux's tools/virtio/ringtest does) to avoid a false
// dependency on live data.
[[gnu::always_inline]] inline void smp_mb() { asm volatile("lock; addl $0,-132(%%rsp)" ::: "memory", "cc"); }
[[gnu::always_inline]] inline void smp_rmb() { compiler_barrier(); }
[[gnu::always_inline]] inline void smp_wmb() { compiler_barrier(); }

// pause: tells the core it is in a spin-wait (saves power, avoids the memory
// order machine clear when the awaited line changes).
[[gnu::always_inline]] inline void cpu_relax() { asm volatile("pause" ::: "memory"); }

// The full barriers ringlab-micro compares (fullbarrier/...).
inline constexpr std::array<NamedFence, 2> kFullFences{{{"smp_mb:lock-addl", &smp_mb}, {"mb:mfence", &mb}}};

// The timer (ringsim/clock.hpp says why the fences): the TSC, read as the start and as
// the end of a timed region.
inline constexpr const char* kTimerName = "rdtsc";
[[gnu::always_inline]] inline std::uint64_t timer_start() {
    std::uint32_t lo, hi;
    asm volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return (std::uint64_t(hi) << 32) | lo;
}
[[gnu::always_inline]] inline std::uint64_t timer_end() {
    std::uint32_t lo, hi, aux;
    asm volatile("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi), "=c"(aux)::"memory");
    return (std::uint64_t(hi) << 32) | lo;
}

// Whether the CPU says it runs under a hypervisor (CPUID.1:ECX bit 31), and the
// hypervisor's 12-byte vendor signature (CPUID leaf 0x40000000: "KVMKVMKVM", ...),
// empty when the bit is clear.  The environment record and the KVM probe ask these.
inline std::optional<bool> hypervisor_bit() {
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return std::nullopt;
    return ((c >> 31) & 1u) != 0;
}
inline std::array<char, 13> hypervisor_signature() {
    std::array<char, 13> sig{};
    if (hypervisor_bit() != true) return sig;
    unsigned a = 0, b = 0, c = 0, d = 0;
    __cpuid(0x40000000, a, b, c, d);
    std::memcpy(sig.data() + 0, &b, 4);
    std::memcpy(sig.data() + 4, &c, 4);
    std::memcpy(sig.data() + 8, &d, 4);
    return sig;
}

}  // namespace ringsim::arch
