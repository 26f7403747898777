// arch/ppc64le_rows.hpp: what every barrier policy's sites and every primitive emit on
// ppc64le: this architecture's rows of ringsim/barrier_table.hpp (which merges them), as
// `ringlab list` prints them and tests/barriers checks them against objdump.  Data only,
// so it is included on every target (the table describes all three architectures).
#pragma once

#include <array>

#include "ringsim/arch/rows_common.hpp"

namespace ringsim::arch_rows {

// One triple (publish, consume, notify-check) per policy, in kBarrierNames order.
inline constexpr std::array<BarrierSite, 27> kPpc64leSites = [] {
    using namespace table_detail;
    constexpr auto A = Arch::ppc64le;
    constexpr auto pub = SiteKind::publish, con = SiteKind::consume, nc = SiteKind::notify;
    return std::array<BarrierSite, 27>{{
        // compiler: only TSO (x86) keeps store->store and load->load by itself
        {A, "compiler", pub, none, false, "weak ordering: stores may pass"},
        {A, "compiler", con, none, false, "weak ordering: loads may pass"},
        {A, "compiler", nc, none, false, "no store->load order"},
        // smp
        {A, "smp", pub, i("lwsync"), true, "smp_wmb"},
        {A, "smp", con, i("lwsync"), true, "smp_rmb"},
        {A, "smp", nc, i("sync"), true, "smp_mb"},
        // virt: the smp instructions (Linux virt_* on an SMP build)
        {A, "virt", pub, i("lwsync"), true, "virt_wmb = smp_wmb"},
        {A, "virt", con, i("lwsync"), true, "virt_rmb = smp_rmb"},
        {A, "virt", nc, i("sync"), true, "virt_mb = smp_mb"},
        // dma: virtio's choice for a device without weak barriers
        {A, "dma", pub, i("lwsync"), true, "dma_wmb"},
        {A, "dma", con, i("lwsync"), true, "dma_rmb"},
        {A, "dma", nc, i("sync"), true, "mb"},
        // mandatory
        {A, "mandatory", pub, i("sync"), true, "wmb"},
        {A, "mandatory", con, i("sync"), true, "rmb"},
        {A, "mandatory", nc, i("sync"), true, "mb"},
        // acqrel: the 16-bit ring index forms (stlr/ldar for 32/64-bit words)
        {A, "acqrel", pub, i("lwsync"), true, "store-release = lwsync; sth"},
        {A, "acqrel", con, i("isync"), true, "GCC: lhz; cmpw; bne-; isync (Linux: ld; lwsync)"},
        {A, "acqrel", nc, none, false, "nothing orders store->load"},
        // acqrel-seqcst
        {A, "acqrel-seqcst", pub, i("lwsync"), true, "store-release"},
        {A, "acqrel-seqcst", con, i("isync"), true, "load-acquire (GCC's cmp; bne-; isync)"},
        {A, "acqrel-seqcst", nc, i("sync"), true, "seq_cst fence"},
        // branch: both alternatives, selected by a flag read at the site
        {A, "branch", pub, i("lwsync", "sync"), true, "flag ? lwsync : sync"},
        {A, "branch", con, i("lwsync", "sync"), true, "flag ? lwsync : sync"},
        {A, "branch", nc, i("sync"), true, "both alternatives are sync; GCC merges them"},
        // ops: the site is an indirect call; the callee holds the smp or mandatory fence
        {A, "ops", pub, i("bctrl"), true, "bctrl table->publish (smp_wmb | wmb)"},
        {A, "ops", con, i("bctrl"), true, "bctrl table->consume (smp_rmb | rmb)"},
        {A, "ops", nc, i("bctrl"), true, "bctrl table->notify (smp_mb | mb)"},
    }};
}();

// The primitives of arch/ppc64le.hpp, with the timer reads (clock_now, clock_now_end).
inline constexpr std::array<Primitive, 12> kPpc64lePrimitives = [] {
    using namespace table_detail;
    constexpr auto A = Arch::ppc64le;
    return std::array<Primitive, 12>{{
        {A, "compiler_barrier", none},
        {A, "mb", i("sync")},
        {A, "rmb", i("sync")},
        {A, "wmb", i("sync")},
        {A, "dma_rmb", i("lwsync")},
        {A, "dma_wmb", i("lwsync")},
        {A, "smp_mb", i("sync")},
        {A, "smp_rmb", i("lwsync")},
        {A, "smp_wmb", i("lwsync")},
        {A, "cpu_relax", i("or 1,1,1", "or 2,2,2")},
        {A, "clock_now", i("mftb")},
        {A, "clock_now_end", i("mftb")},
    }};
}();

}  // namespace ringsim::arch_rows
