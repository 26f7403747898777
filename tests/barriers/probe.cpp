// probe.cpp: one extern "C", noinline function per barrier policy and site
// kind, compiled for every architecture and disassembled by check_disasm.py to
// prove that each site emits what barrier_table.hpp says it does.
//
// Each probe is the site in its real setting: publish = fence + store of the
// index, consume = load of the index + fence, notify-check = a store, the
// fence, then a load (so an indirect call cannot become a tail call).
#include <cstdint>

#include "ringsim/barriers.hpp"

#define RINGSIM_PROBE(sym, Policy)                                                          \
    extern "C" [[gnu::noinline]] void probe_##sym##_publish(std::uint16_t* p, std::uint16_t v) { \
        Policy::publish_store(p, v);                                                        \
    }                                                                                       \
    extern "C" [[gnu::noinline]] std::uint16_t probe_##sym##_consume(const std::uint16_t* p) { \
        return Policy::consume_load(p);                                                     \
    }                                                                                       \
    extern "C" [[gnu::noinline]] std::uint16_t probe_##sym##_notify(std::uint16_t* a,       \
                                                                    const std::uint16_t* b) { \
        ringsim::detail::store_relaxed(a, std::uint16_t{1});                                \
        Policy::notify_check();                                                             \
        return ringsim::detail::load_relaxed(b);                                            \
    }

// Symbol names: the policy name with '-' -> '_' (check_disasm.py does the same).
RINGSIM_PROBE(compiler, ringsim::CompilerBarrier)
RINGSIM_PROBE(smp, ringsim::SmpBarrier)
RINGSIM_PROBE(virt, ringsim::VirtBarrier)
RINGSIM_PROBE(dma, ringsim::DmaBarrier)
RINGSIM_PROBE(mandatory, ringsim::MandatoryBarrier)
RINGSIM_PROBE(acqrel, ringsim::AcqRelBarrier)
RINGSIM_PROBE(acqrel_seqcst, ringsim::AcqRelSeqCstBarrier)
RINGSIM_PROBE(branch, ringsim::BranchBarrier)
RINGSIM_PROBE(ops, ringsim::OpsBarrier)

// The primitives of arch/<arch>.hpp and the timer reads, alone (kPrimitiveTable).
#include "ringsim/clock.hpp"

#define RINGSIM_PRIM(fn) \
    extern "C" [[gnu::noinline]] void prim_##fn() { ringsim::arch::fn(); }
RINGSIM_PRIM(compiler_barrier)
RINGSIM_PRIM(mb)
RINGSIM_PRIM(rmb)
RINGSIM_PRIM(wmb)
RINGSIM_PRIM(dma_rmb)
RINGSIM_PRIM(dma_wmb)
RINGSIM_PRIM(smp_mb)
RINGSIM_PRIM(smp_rmb)
RINGSIM_PRIM(smp_wmb)
RINGSIM_PRIM(cpu_relax)
extern "C" [[gnu::noinline]] std::uint64_t prim_clock_now() { return ringsim::clock::now(); }
extern "C" [[gnu::noinline]] std::uint64_t prim_clock_now_end() { return ringsim::clock::now_end(); }
