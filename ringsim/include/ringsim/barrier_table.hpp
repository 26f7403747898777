// barrier_table.hpp: what every barrier policy's sites compile to, on every
// architecture ringsim supports, and whether the site is safe there.
//
// This is data, not code: `ringlab list` prints it, and tests/barriers
// dumps it as JSON and checks it against the disassembly of probe functions
// built with g++ 12 for x86_64, aarch64 and ppc64le.  If a compiler or a
// header change alters what a site emits, that test fails until the table
// (and so the documentation users read) is updated.
//
// Instructions are spelled as in assembler source ("sync", "or 1,1,1"); the
// checker knows objdump's aliases for them (hwsync, mr r1,r1).  A site whose
// list is empty emits no fence at all (compiler barrier only, or a plain
// load/store).  For `branch` the list holds both alternatives; for `ops` it
// holds the indirect call (the fences are in barrier_ops.cpp's functions).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ringsim/arch.hpp"

namespace ringsim {

enum class Arch : unsigned char { x86_64, aarch64, ppc64le };
enum class SiteKind : unsigned char { publish, consume, notify };

inline constexpr std::array<Arch, 3> kArchs{Arch::x86_64, Arch::aarch64, Arch::ppc64le};
inline constexpr std::array<SiteKind, 3> kSiteKinds{SiteKind::publish, SiteKind::consume, SiteKind::notify};

constexpr std::string_view to_string(Arch a) {
    switch (a) {
        case Arch::x86_64: return "x86_64";
        case Arch::aarch64: return "aarch64";
        case Arch::ppc64le: return "ppc64le";
    }
    return "?";
}
constexpr std::string_view to_string(SiteKind s) {
    switch (s) {
        case SiteKind::publish: return "publish";
        case SiteKind::consume: return "consume";
        case SiteKind::notify: return "notify-check";
    }
    return "?";
}

// The architecture this translation unit is compiled for; nullopt for the generic fallback.
constexpr std::optional<Arch> current_arch() {
#if defined(RINGSIM_ARCH_X86_64)
    return Arch::x86_64;
#elif defined(RINGSIM_ARCH_AARCH64)
    return Arch::aarch64;
#elif defined(RINGSIM_ARCH_PPC64LE)
    return Arch::ppc64le;
#else
    return std::nullopt;
#endif
}

using InsnList = std::array<std::string_view, 3>;  // unused slots are empty

// One barrier site of one policy on one architecture.
struct BarrierSite {
    Arch arch;
    std::string_view policy;  // as in barriers.hpp's kBarrierNames
    SiteKind site;
    InsnList insns;           // what the site emits; all empty = no fence instruction
    bool safe;                // gives the order the site kind needs on this architecture
    std::string_view note;
};

// One primitive of arch/<arch>.hpp (and the timer reads of clock.hpp).
struct Primitive {
    Arch arch;
    std::string_view name;    // mb, smp_wmb, cpu_relax, clock_now, ...
    InsnList insns;
};

namespace table_detail {
using A = Arch;
using S = SiteKind;
constexpr InsnList none{};
constexpr InsnList i(std::string_view a, std::string_view b = {}, std::string_view c = {}) { return {a, b, c}; }
}  // namespace table_detail

// Rows in kBarrierNames order, then arch, then site kind.
inline constexpr auto kBarrierTable = [] {
    using namespace table_detail;
    constexpr auto X = A::x86_64, R = A::aarch64, P = A::ppc64le;
    constexpr auto pub = S::publish, con = S::consume, nc = S::notify;
    return std::array<BarrierSite, 81>{{
        // compiler: only x86's TSO keeps store->store and load->load by itself.
        {X, "compiler", pub, none, true, "TSO keeps store->store"},
        {X, "compiler", con, none, true, "TSO keeps load->load"},
        {X, "compiler", nc, none, false, "TSO reorders store->load: lost notifications"},
        {R, "compiler", pub, none, false, "weak ordering: stores may pass"},
        {R, "compiler", con, none, false, "weak ordering: loads may pass"},
        {R, "compiler", nc, none, false, "no store->load order"},
        {P, "compiler", pub, none, false, "weak ordering: stores may pass"},
        {P, "compiler", con, none, false, "weak ordering: loads may pass"},
        {P, "compiler", nc, none, false, "no store->load order"},
        // smp
        {X, "smp", pub, none, true, "smp_wmb = compiler barrier"},
        {X, "smp", con, none, true, "smp_rmb = compiler barrier"},
        {X, "smp", nc, i("lock addl"), true, "smp_mb = lock addl $0,-132(%rsp)"},
        {R, "smp", pub, i("dmb ishst"), true, "smp_wmb"},
        {R, "smp", con, i("dmb ishld"), true, "smp_rmb"},
        {R, "smp", nc, i("dmb ish"), true, "smp_mb"},
        {P, "smp", pub, i("lwsync"), true, "smp_wmb"},
        {P, "smp", con, i("lwsync"), true, "smp_rmb"},
        {P, "smp", nc, i("sync"), true, "smp_mb"},
        // virt: the smp instructions (Linux virt_* on an SMP build)
        {X, "virt", pub, none, true, "virt_wmb = smp_wmb"},
        {X, "virt", con, none, true, "virt_rmb = smp_rmb"},
        {X, "virt", nc, i("lock addl"), true, "virt_mb = smp_mb"},
        {R, "virt", pub, i("dmb ishst"), true, "virt_wmb = smp_wmb"},
        {R, "virt", con, i("dmb ishld"), true, "virt_rmb = smp_rmb"},
        {R, "virt", nc, i("dmb ish"), true, "virt_mb = smp_mb"},
        {P, "virt", pub, i("lwsync"), true, "virt_wmb = smp_wmb"},
        {P, "virt", con, i("lwsync"), true, "virt_rmb = smp_rmb"},
        {P, "virt", nc, i("sync"), true, "virt_mb = smp_mb"},
        // dma: virtio's choice for a device without weak barriers
        {X, "dma", pub, none, true, "dma_wmb = compiler barrier"},
        {X, "dma", con, none, true, "dma_rmb = compiler barrier"},
        {X, "dma", nc, i("mfence"), true, "mb"},
        {R, "dma", pub, i("dmb oshst"), true, "dma_wmb"},
        {R, "dma", con, i("dmb oshld"), true, "dma_rmb"},
        {R, "dma", nc, i("dsb sy"), true, "mb"},
        {P, "dma", pub, i("lwsync"), true, "dma_wmb"},
        {P, "dma", con, i("lwsync"), true, "dma_rmb"},
        {P, "dma", nc, i("sync"), true, "mb"},
        // mandatory
        {X, "mandatory", pub, i("sfence"), true, "wmb"},
        {X, "mandatory", con, i("lfence"), true, "rmb"},
        {X, "mandatory", nc, i("mfence"), true, "mb"},
        {R, "mandatory", pub, i("dsb st"), true, "wmb"},
        {R, "mandatory", con, i("dsb ld"), true, "rmb"},
        {R, "mandatory", nc, i("dsb sy"), true, "mb"},
        {P, "mandatory", pub, i("sync"), true, "wmb"},
        {P, "mandatory", con, i("sync"), true, "rmb"},
        {P, "mandatory", nc, i("sync"), true, "mb"},
        // acqrel: the 16-bit ring index forms (stlr/ldar for 32/64-bit words)
        {X, "acqrel", pub, none, true, "store-release = plain mov"},
        {X, "acqrel", con, none, true, "load-acquire = plain mov"},
        {X, "acqrel", nc, none, false, "nothing orders store->load"},
        {R, "acqrel", pub, i("stlrh"), true, "store-release"},
        {R, "acqrel", con, i("ldarh"), true, "load-acquire (ldaprh with -march=armv8.3-a+rcpc)"},
        {R, "acqrel", nc, none, false, "nothing orders store->load"},
        {P, "acqrel", pub, i("lwsync"), true, "store-release = lwsync; sth"},
        {P, "acqrel", con, i("isync"), true, "GCC: lhz; cmpw; bne-; isync (Linux: ld; lwsync)"},
        {P, "acqrel", nc, none, false, "nothing orders store->load"},
        // acqrel-seqcst
        {X, "acqrel-seqcst", pub, none, true, "store-release = plain mov"},
        {X, "acqrel-seqcst", con, none, true, "load-acquire = plain mov"},
        {X, "acqrel-seqcst", nc, i("lock orq"), true, "seq_cst fence: GCC 12 lock orq $0,(%rsp); older GCC/clang mfence"},
        {R, "acqrel-seqcst", pub, i("stlrh"), true, "store-release"},
        {R, "acqrel-seqcst", con, i("ldarh"), true, "load-acquire"},
        {R, "acqrel-seqcst", nc, i("dmb ish"), true, "seq_cst fence"},
        {P, "acqrel-seqcst", pub, i("lwsync"), true, "store-release"},
        {P, "acqrel-seqcst", con, i("isync"), true, "load-acquire (GCC's cmp; bne-; isync)"},
        {P, "acqrel-seqcst", nc, i("sync"), true, "seq_cst fence"},
        // branch: both alternatives, selected by a flag read at the site
        {X, "branch", pub, i("sfence"), true, "flag ? compiler barrier : sfence"},
        {X, "branch", con, i("lfence"), true, "flag ? compiler barrier : lfence"},
        {X, "branch", nc, i("lock addl", "mfence"), true, "flag ? lock addl : mfence"},
        {R, "branch", pub, i("dmb ishst", "dsb st"), true, "flag ? dmb ishst : dsb st"},
        {R, "branch", con, i("dmb ishld", "dsb ld"), true, "flag ? dmb ishld : dsb ld"},
        {R, "branch", nc, i("dmb ish", "dsb sy"), true, "flag ? dmb ish : dsb sy"},
        {P, "branch", pub, i("lwsync", "sync"), true, "flag ? lwsync : sync"},
        {P, "branch", con, i("lwsync", "sync"), true, "flag ? lwsync : sync"},
        {P, "branch", nc, i("sync"), true, "both alternatives are sync; GCC merges them"},
        // ops: the site is an indirect call; the callee holds the smp or mandatory fence
        {X, "ops", pub, i("call"), true, "call *table->publish (smp_wmb | wmb)"},
        {X, "ops", con, i("call"), true, "call *table->consume (smp_rmb | rmb)"},
        {X, "ops", nc, i("call"), true, "call *table->notify (smp_mb | mb)"},
        {R, "ops", pub, i("blr"), true, "blr table->publish (smp_wmb | wmb)"},
        {R, "ops", con, i("blr"), true, "blr table->consume (smp_rmb | rmb)"},
        {R, "ops", nc, i("blr"), true, "blr table->notify (smp_mb | mb)"},
        {P, "ops", pub, i("bctrl"), true, "bctrl table->publish (smp_wmb | wmb)"},
        {P, "ops", con, i("bctrl"), true, "bctrl table->consume (smp_rmb | rmb)"},
        {P, "ops", nc, i("bctrl"), true, "bctrl table->notify (smp_mb | mb)"},
    }};
}();

// The primitives of arch/<arch>.hpp and the timer reads of clock.hpp.
inline constexpr auto kPrimitiveTable = [] {
    using namespace table_detail;
    constexpr auto X = A::x86_64, R = A::aarch64, P = A::ppc64le;
    return std::array<Primitive, 36>{{
        {X, "compiler_barrier", none}, {X, "mb", i("mfence")}, {X, "rmb", i("lfence")},
        {X, "wmb", i("sfence")}, {X, "dma_rmb", none}, {X, "dma_wmb", none},
        {X, "smp_mb", i("lock addl")}, {X, "smp_rmb", none}, {X, "smp_wmb", none},
        {X, "cpu_relax", i("pause")}, {X, "clock_now", i("lfence", "rdtsc")},
        {X, "clock_now_end", i("rdtscp", "lfence")},
        {R, "compiler_barrier", none}, {R, "mb", i("dsb sy")}, {R, "rmb", i("dsb ld")},
        {R, "wmb", i("dsb st")}, {R, "dma_rmb", i("dmb oshld")}, {R, "dma_wmb", i("dmb oshst")},
        {R, "smp_mb", i("dmb ish")}, {R, "smp_rmb", i("dmb ishld")}, {R, "smp_wmb", i("dmb ishst")},
        {R, "cpu_relax", i("yield")}, {R, "clock_now", i("isb", "mrs")},
        {R, "clock_now_end", i("isb", "mrs")},
        {P, "compiler_barrier", none}, {P, "mb", i("sync")}, {P, "rmb", i("sync")},
        {P, "wmb", i("sync")}, {P, "dma_rmb", i("lwsync")}, {P, "dma_wmb", i("lwsync")},
        {P, "smp_mb", i("sync")}, {P, "smp_rmb", i("lwsync")}, {P, "smp_wmb", i("lwsync")},
        {P, "cpu_relax", i("or 1,1,1", "or 2,2,2")}, {P, "clock_now", i("mftb")},
        {P, "clock_now_end", i("mftb")},
    }};
}();

// The row for (arch, policy, site), or nullptr.
constexpr const BarrierSite* find_site(Arch a, std::string_view policy, SiteKind s) {
    for (const auto& r : kBarrierTable)
        if (r.arch == a && r.policy == policy && r.site == s) return &r;
    return nullptr;
}

// "dmb ish; dsb sy", or "(none)" for a fence-free site.
inline std::string join_insns(const InsnList& l, std::string_view sep = " | ") {
    std::string out;
    for (auto s : l) {
        if (s.empty()) continue;
        if (!out.empty()) out += sep;
        out += s;
    }
    return out.empty() ? std::string("(none)") : out;
}

// The table as aligned text, one line per policy and architecture, for `ringlab list`.
// only: one architecture, or all of them.
inline std::string format_barrier_table(std::optional<Arch> only = std::nullopt) {
    auto pad = [](std::string s, std::size_t w) { if (s.size() < w) s.resize(w, ' '); return s; };
    std::string out = pad("policy", 15) + pad("arch", 9) + pad("publish", 20) + pad("consume", 20) + "notify-check\n";
    for (std::size_t k = 0; k < kBarrierTable.size(); k += 3) {
        const auto& p = kBarrierTable[k];
        if (only && p.arch != *only) continue;
        out += pad(std::string(p.policy), 15) + pad(std::string(to_string(p.arch)), 9);
        for (std::size_t j = 0; j < 3; ++j) {
            const auto& r = kBarrierTable[k + j];
            std::string cell = join_insns(r.insns) + (r.safe ? "" : " UNSAFE");
            out += j < 2 ? pad(cell, 20) : cell + "\n";
        }
    }
    return out;
}

namespace table_detail {
// Rows come in (publish, consume, notify) triples per policy and architecture.
constexpr bool well_formed() {
    for (std::size_t k = 0; k < kBarrierTable.size(); ++k) {
        const auto& r = kBarrierTable[k];
        if (r.site != kSiteKinds[k % 3]) return false;
        if (k % 3 && (r.arch != kBarrierTable[k - 1].arch || r.policy != kBarrierTable[k - 1].policy)) return false;
    }
    return true;
}
static_assert(well_formed(), "kBarrierTable rows must be publish, consume, notify triples");
}  // namespace table_detail

}  // namespace ringsim
