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
#include "ringsim/arch/aarch64_rows.hpp"
#include "ringsim/arch/ppc64le_rows.hpp"
#include "ringsim/arch/rows_common.hpp"
#include "ringsim/arch/x86_64_rows.hpp"

namespace ringsim {

// The architecture this translation unit is compiled for; nullopt for the generic fallback.
constexpr std::optional<Arch> current_arch() { return arch::kArch; }

// Rows in kBarrierNames order, then arch, then site kind: the arch/<arch>_rows.hpp
// tables merged.
inline constexpr auto kBarrierTable = [] {
    constexpr std::array<const std::array<BarrierSite, 27>*, 3> per_arch{
        &arch_rows::kX86_64Sites, &arch_rows::kAarch64Sites, &arch_rows::kPpc64leSites};
    std::array<BarrierSite, 81> out{};
    std::size_t n = 0;
    for (std::size_t k = 0; k < 27; k += 3)  // policy-major: each policy's triple on every arch
        for (const auto* rows : per_arch)
            for (std::size_t j = 0; j < 3; ++j) out[n++] = (*rows)[k + j];
    return out;
}();

// The primitives of arch/<arch>.hpp and the timer reads of clock.hpp, arch by arch.
inline constexpr auto kPrimitiveTable = [] {
    std::array<Primitive, 36> out{};
    std::size_t n = 0;
    for (const auto* rows : {&arch_rows::kX86_64Primitives, &arch_rows::kAarch64Primitives, &arch_rows::kPpc64lePrimitives})
        for (const auto& p : *rows) out[n++] = p;
    return out;
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
