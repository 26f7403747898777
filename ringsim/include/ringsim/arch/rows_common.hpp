// arch/rows_common.hpp: the shape of the emitted-instruction rows each
// arch/<arch>_rows.hpp gives and ringsim/barrier_table.hpp merges.
#pragma once

#include <array>
#include <string_view>

#include "ringsim/arch/common.hpp"

namespace ringsim {

enum class SiteKind : unsigned char { publish, consume, notify };

inline constexpr std::array<SiteKind, 3> kSiteKinds{SiteKind::publish, SiteKind::consume, SiteKind::notify};

constexpr std::string_view to_string(SiteKind s) {
    switch (s) {
        case SiteKind::publish: return "publish";
        case SiteKind::consume: return "consume";
        case SiteKind::notify: return "notify-check";
    }
    return "?";
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

}  // namespace ringsim
