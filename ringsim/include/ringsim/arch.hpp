// arch.hpp: selects the barrier primitives of the architecture being compiled
// for, by the compiler's predefined macros.  Every file in ringsim that needs
// a fence includes this one; the per-architecture files are the only place
// inline assembly for fences lives (as Linux's arch/*/include/asm/barrier.h).
//
// Each architecture file defines, in namespace ringsim::arch:
//   compiler_barrier, mb, rmb, wmb, dma_rmb, dma_wmb, smp_mb, smp_rmb, smp_wmb,
//   cpu_relax   (always-inline functions)
//   kArchName   (constexpr const char*), kTso (constexpr bool)
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
