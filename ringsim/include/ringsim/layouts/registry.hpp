// ringsim/layouts/registry.hpp: every ring layout by name, the way barriers.hpp lists
// the barrier policies.  One line of AllLayouts per layout; everything a front end asks
// about a layout by name (is it known, which notify modes, does it have descriptors,
// does it complete in order) and the engine's name-to-type dispatch come from here.
//
// Adding a layout: its header, then one LayoutEntry line below.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "ringsim/barriers.hpp"
#include "ringsim/concepts.hpp"
#include "ringsim/layouts/all.hpp"

namespace ringsim {

// One layout: the class template and the facts that are not visible in its type.
// InOrder: the layout negotiates VIRTIO_F_IN_ORDER, so the device completes buffers in
// the order they were made available (no other completion order is possible).
template <template <class> class L, bool InOrder>
struct LayoutEntry {
    template <class B>
    using ring = L<B>;
    // Facts read off one instantiation: none of them depends on the barrier.
    static constexpr std::string_view name = L<SmpBarrier>::name;
    static constexpr bool in_order = InOrder;
    static constexpr bool chains = ChainLayout<L<SmpBarrier>>;  // descriptors: --sg, indirect, completion order
    static constexpr bool supports_notify(NotifyMode m) { return L<SmpBarrier>::supports_notify(m); }
};

// Every layout, in the order `ringlab list`, the CLI and the sweeps use.
using AllLayouts = std::tuple<LayoutEntry<SplitRing, false>, LayoutEntry<SplitInOrderRing, true>,
                              LayoutEntry<PackedRing, false>, LayoutEntry<IndexRing, false>,
                              LayoutEntry<PackedInOrderRing, true>>;

inline constexpr std::size_t kLayoutCount = std::tuple_size_v<AllLayouts>;

// The same facts as plain values, for code that only has a name.
struct LayoutFacts {
    std::string_view name;
    bool in_order = false;
    bool chains = false;
    std::array<bool, 3> notify{};  // indexed by NotifyMode: poll, flags, event_idx

    constexpr bool supports_notify(NotifyMode m) const { return notify[std::size_t(m)]; }
};

inline constexpr std::array<LayoutFacts, kLayoutCount> kLayouts = [] {
    return []<std::size_t... I>(std::index_sequence<I...>) {
        auto facts = []<class E>(std::type_identity<E>) {
            return LayoutFacts{E::name,
                               E::in_order,
                               E::chains,
                               {E::supports_notify(NotifyMode::poll), E::supports_notify(NotifyMode::flags),
                                E::supports_notify(NotifyMode::event_idx)}};
        };
        return std::array<LayoutFacts, sizeof...(I)>{facts(std::type_identity<std::tuple_element_t<I, AllLayouts>>{})...};
    }(std::make_index_sequence<kLayoutCount>{});
}();

inline constexpr std::array<std::string_view, kLayoutCount> kLayoutNames = [] {
    std::array<std::string_view, kLayoutCount> n{};
    for (std::size_t i = 0; i < kLayoutCount; ++i) n[i] = kLayouts[i].name;
    return n;
}();

// The layout named `name`, or nullptr.
constexpr const LayoutFacts* find_layout(std::string_view name) {
    for (const LayoutFacts& f : kLayouts)
        if (f.name == name) return &f;
    return nullptr;
}

// Every layout name in registry order, for option parsers and axis tables.
inline std::vector<std::string> layout_names() { return {kLayoutNames.begin(), kLayoutNames.end()}; }

// The notify modes a layout implements, as "poll, flags" (for messages).
inline std::string layout_notify_modes(const LayoutFacts& f) {
    std::string out;
    for (NotifyMode m : {NotifyMode::poll, NotifyMode::flags, NotifyMode::event_idx})
        if (f.supports_notify(m)) out += (out.empty() ? "" : ", ") + std::string(notify_mode_name(m));
    return out;
}

// Calls f(std::type_identity<LayoutEntry<...>>{}) for the layout named `name`; false if
// none.  With visit_barrier this turns two run-time names into one instantiation.
template <class F>
bool visit_layout(std::string_view name, F&& f) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        bool found = false;
        ((!found && std::tuple_element_t<I, AllLayouts>::name == name
              ? (f(std::type_identity<std::tuple_element_t<I, AllLayouts>>{}), found = true)
              : false),
         ...);
        return found;
    }(std::make_index_sequence<kLayoutCount>{});
}

// Calls f(std::type_identity<LayoutEntry<...>>{}) for every layout, in kLayoutNames order.
template <class F>
void for_each_layout(F&& f) {
    std::apply([&](auto... e) { (f(std::type_identity<decltype(e)>{}), ...); }, AllLayouts{});
}

static_assert(find_layout("split") && find_layout("split")->chains && !find_layout("index")->chains &&
              find_layout("packed-inorder")->in_order && !find_layout("index")->supports_notify(NotifyMode::event_idx));

}  // namespace ringsim
