// arch/aarch64_rows.hpp: what every barrier policy's sites and every primitive emit on
// aarch64: this architecture's rows of ringsim/barrier_table.hpp (which merges them), as
// `ringlab list` prints them and tests/barriers checks them against objdump.  Data only,
// so it is included on every target (the table describes all three architectures).
#pragma once

#include <array>

#include "ringsim/arch/rows_common.hpp"

namespace ringsim::arch_rows {

// One triple (publish, consume, notify-check) per policy, in kBarrierNames order.
inline constexpr std::array<BarrierSite, 27> kAarch64Sites = [] {
    using namespace table_detail;
    constexpr auto A = Arch::aarch64;
    constexpr auto pub = SiteKind::publish, con = SiteKind::consume, nc = SiteKind::notify;
    return std::array<BarrierSite, 27>{{
        // compiler: only TSO (x86) keeps store->store and load->load by itself
        {A, "compiler", pub, none, false, "weak ordering: stores may pass"},
        {A, "compiler", con, none, false, "weak ordering: loads may pass"},
        {A, "compiler", nc, none, false, "no store->load order"},
        // smp
        {A, "smp", pub, i("dmb ishst"), true, "smp_wmb"},
        {A, "smp", con, i("dmb ishld"), true, "smp_rmb"},
        {A, "smp", nc, i("dmb ish"), true, "smp_mb"},
        // virt: the smp instructions (Linux virt_* on an SMP build)
        {A, "virt", pub, i("dmb ishst"), true, "virt_wmb = smp_wmb"},
        {A, "virt", con, i("dmb ishld"), true, "virt_rmb = smp_rmb"},
        {A, "virt", nc, i("dmb ish"), true, "virt_mb = smp_mb"},
        // dma: virtio's choice for a device without weak barriers
        {A, "dma", pub, i("dmb oshst"), true, "dma_wmb"},
        {A, "dma", con, i("dmb oshld"), true, "dma_rmb"},
        {A, "dma", nc, i("dsb sy"), true, "mb"},
        // mandatory
        {A, "mandatory", pub, i("dsb st"), true, "wmb"},
        {A, "mandatory", con, i("dsb ld"), true, "rmb"},
        {A, "mandatory", nc, i("dsb sy"), true, "mb"},
        // acqrel: the 16-bit ring index forms (stlr/ldar for 32/64-bit words)
        {A, "acqrel", pub, i("stlrh"), true, "store-release"},
        {A, "acqrel", con, i("ldarh"), true, "load-acquire (ldaprh with -march=armv8.3-a+rcpc)"},
        {A, "acqrel", nc, none, false, "nothing orders store->load"},
        // acqrel-seqcst
        {A, "acqrel-seqcst", pub, i("stlrh"), true, "store-release"},
        {A, "acqrel-seqcst", con, i("ldarh"), true, "load-acquire"},
        {A, "acqrel-seqcst", nc, i("dmb ish"), true, "seq_cst fence"},
        // branch: both alternatives, selected by a flag read at the site
        {A, "branch", pub, i("dmb ishst", "dsb st"), true, "flag ? dmb ishst : dsb st"},
        {A, "branch", con, i("dmb ishld", "dsb ld"), true, "flag ? dmb ishld : dsb ld"},
        {A, "branch", nc, i("dmb ish", "dsb sy"), true, "flag ? dmb ish : dsb sy"},
        // ops: the site is an indirect call; the callee holds the smp or mandatory fence
        {A, "ops", pub, i("blr"), true, "blr table->publish (smp_wmb | wmb)"},
        {A, "ops", con, i("blr"), true, "blr table->consume (smp_rmb | rmb)"},
        {A, "ops", nc, i("blr"), true, "blr table->notify (smp_mb | mb)"},
    }};
}();

// The primitives of arch/aarch64.hpp, with the timer reads (clock_now, clock_now_end).
inline constexpr std::array<Primitive, 12> kAarch64Primitives = [] {
    using namespace table_detail;
    constexpr auto A = Arch::aarch64;
    return std::array<Primitive, 12>{{
        {A, "compiler_barrier", none},
        {A, "mb", i("dsb sy")},
        {A, "rmb", i("dsb ld")},
        {A, "wmb", i("dsb st")},
        {A, "dma_rmb", i("dmb oshld")},
        {A, "dma_wmb", i("dmb oshst")},
        {A, "smp_mb", i("dmb ish")},
        {A, "smp_rmb", i("dmb ishld")},
        {A, "smp_wmb", i("dmb ishst")},
        {A, "cpu_relax", i("yield")},
        {A, "clock_now", i("isb", "mrs")},
        {A, "clock_now_end", i("isb", "mrs")},
    }};
}();

}  // namespace ringsim::arch_rows
