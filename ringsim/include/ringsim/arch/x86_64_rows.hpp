// arch/x86_64_rows.hpp: what every barrier policy's sites and every primitive emit on
// x86_64: this architecture's rows of ringsim/barrier_table.hpp (which merges them), as
// `ringlab list` prints them and tests/barriers checks them against objdump.  Data only,
// so it is included on every target (the table describes all three architectures).
#pragma once

#include <array>

#include "ringsim/arch/rows_common.hpp"

namespace ringsim::arch_rows {

// One triple (publish, consume, notify-check) per policy, in kBarrierNames order.
inline constexpr std::array<BarrierSite, 27> kX86_64Sites = [] {
    using namespace table_detail;
    constexpr auto A = Arch::x86_64;
    constexpr auto pub = SiteKind::publish, con = SiteKind::consume, nc = SiteKind::notify;
    return std::array<BarrierSite, 27>{{
        // compiler: only x86's TSO keeps store->store and load->load by itself.
        {A, "compiler", pub, none, true, "TSO keeps store->store"},
        {A, "compiler", con, none, true, "TSO keeps load->load"},
        {A, "compiler", nc, none, false, "TSO reorders store->load: lost notifications"},
        // smp
        {A, "smp", pub, none, true, "smp_wmb = compiler barrier"},
        {A, "smp", con, none, true, "smp_rmb = compiler barrier"},
        {A, "smp", nc, i("lock addl"), true, "smp_mb = lock addl $0,-132(%rsp)"},
        // virt: the smp instructions (Linux virt_* on an SMP build)
        {A, "virt", pub, none, true, "virt_wmb = smp_wmb"},
        {A, "virt", con, none, true, "virt_rmb = smp_rmb"},
        {A, "virt", nc, i("lock addl"), true, "virt_mb = smp_mb"},
        // dma: virtio's choice for a device without weak barriers
        {A, "dma", pub, none, true, "dma_wmb = compiler barrier"},
        {A, "dma", con, none, true, "dma_rmb = compiler barrier"},
        {A, "dma", nc, i("mfence"), true, "mb"},
        // mandatory
        {A, "mandatory", pub, i("sfence"), true, "wmb"},
        {A, "mandatory", con, i("lfence"), true, "rmb"},
        {A, "mandatory", nc, i("mfence"), true, "mb"},
        // acqrel: the 16-bit ring index forms (stlr/ldar for 32/64-bit words)
        {A, "acqrel", pub, none, true, "store-release = plain mov"},
        {A, "acqrel", con, none, true, "load-acquire = plain mov"},
        {A, "acqrel", nc, none, false, "nothing orders store->load"},
        // acqrel-seqcst
        {A, "acqrel-seqcst", pub, none, true, "store-release = plain mov"},
        {A, "acqrel-seqcst", con, none, true, "load-acquire = plain mov"},
        {A, "acqrel-seqcst", nc, i("lock orq"), true, "seq_cst fence: GCC 12 lock orq $0,(%rsp); older GCC/clang mfence"},
        // branch: both alternatives, selected by a flag read at the site
        {A, "branch", pub, i("sfence"), true, "flag ? compiler barrier : sfence"},
        {A, "branch", con, i("lfence"), true, "flag ? compiler barrier : lfence"},
        {A, "branch", nc, i("lock addl", "mfence"), true, "flag ? lock addl : mfence"},
        // ops: the site is an indirect call; the callee holds the smp or mandatory fence
        {A, "ops", pub, i("call"), true, "call *table->publish (smp_wmb | wmb)"},
        {A, "ops", con, i("call"), true, "call *table->consume (smp_rmb | rmb)"},
        {A, "ops", nc, i("call"), true, "call *table->notify (smp_mb | mb)"},
    }};
}();

// The primitives of arch/x86_64.hpp, with the timer reads (clock_now, clock_now_end).
inline constexpr std::array<Primitive, 12> kX86_64Primitives = [] {
    using namespace table_detail;
    constexpr auto A = Arch::x86_64;
    return std::array<Primitive, 12>{{
        {A, "compiler_barrier", none},
        {A, "mb", i("mfence")},
        {A, "rmb", i("lfence")},
        {A, "wmb", i("sfence")},
        {A, "dma_rmb", none},
        {A, "dma_wmb", none},
        {A, "smp_mb", i("lock addl")},
        {A, "smp_rmb", none},
        {A, "smp_wmb", none},
        {A, "cpu_relax", i("pause")},
        {A, "clock_now", i("lfence", "rdtsc")},
        {A, "clock_now_end", i("rdtscp", "lfence")},
    }};
}();

}  // namespace ringsim::arch_rows
