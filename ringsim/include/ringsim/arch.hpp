// arch.hpp: selects the barrier primitives of the architecture being compiled
// for, by the compiler's predefined macros.  Every file in ringsim that needs
// a fence includes this one; the per-architecture files are the only place
// inline assembly for fences lives (as Linux's arch/*/include/asm/barrier.h).
//
// Each architecture file includes arch/common.hpp (the Arch enum and names,
// compiler_barrier) and defines, in namespace ringsim::arch:
//   mb, rmb, wmb, dma_rmb, dma_wmb, smp_mb, smp_rmb, smp_wmb, cpu_relax
//                        (always-inline functions)
//   kArch (std::optional<Arch>), kArchName, kMachineName, kTso
//   kTimerName, timer_start, timer_end (with RINGSIM_ARCH_HAS_TIMER), and
//   timer_published_hz (with RINGSIM_ARCH_HAS_TIMER_HZ)
// arch/defaults.hpp then fills in what a file left out (as asm-generic does).
// Only these files hold per-architecture code.
// Define RINGSIM_FORCE_GENERIC_ARCH to build the C++-fence fallback anywhere
// (useful to compare it with a real port).
#pragma once

#if defined(RINGSIM_FORCE_GENERIC_ARCH)
#include "ringsim/arch/generic.hpp"
#elif defined(__x86_64__)
#include "ringsim/arch/x86_64.hpp"
#elif defined(__aarch64__)
#include "ringsim/arch/aarch64.hpp"
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
#include "ringsim/arch/ppc64le.hpp"
#else
#include "ringsim/arch/generic.hpp"
#endif
// Defaults for what the architecture file does not define (the timer, ...).
#include "ringsim/arch/defaults.hpp"
