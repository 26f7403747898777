// The layout registry (ringsim/layouts/registry.hpp): names in order, facts per layout,
// and visit_layout's name-to-type dispatch, which run_engine relies on.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ringsim/layouts/registry.hpp"

using namespace ringsim;

TEST(LayoutRegistry, NamesInRegistryOrder) {
    const std::vector<std::string> expected = {"split", "split-inorder", "packed", "index", "packed-inorder"};
    EXPECT_EQ(layout_names(), expected);
    ASSERT_EQ(kLayoutNames.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(kLayoutNames[i], expected[i]);
}

TEST(LayoutRegistry, VisitFindsEachLayoutByItsOwnName) {
    for (std::string_view name : kLayoutNames) {
        std::string_view seen;
        EXPECT_TRUE(visit_layout(name, [&](auto e) { seen = decltype(e)::type::template ring<SmpBarrier>::name; }));
        EXPECT_EQ(seen, name);
    }
    bool called = false;
    EXPECT_FALSE(visit_layout("splitt", [&](auto) { called = true; }));
    EXPECT_FALSE(called);
    EXPECT_EQ(find_layout("splitt"), nullptr);
}

TEST(LayoutRegistry, FactsMatchTheLayoutTypes) {
    int visited = 0;
    for_each_layout([&](auto e) {
        using E = typename decltype(e)::type;
        const LayoutFacts* f = find_layout(E::name);
        ASSERT_NE(f, nullptr);
        EXPECT_EQ(f->chains, ChainLayout<typename E::template ring<MandatoryBarrier>>) << E::name;
        for (NotifyMode m : {NotifyMode::poll, NotifyMode::flags, NotifyMode::event_idx})
            EXPECT_EQ(f->supports_notify(m), E::template ring<SmpBarrier>::supports_notify(m)) << E::name;
        ++visited;
    });
    EXPECT_EQ(visited, int(kLayoutCount));
    EXPECT_TRUE(find_layout("split-inorder")->in_order);
    EXPECT_TRUE(find_layout("packed-inorder")->in_order);
    EXPECT_FALSE(find_layout("split")->in_order);
    EXPECT_EQ(layout_notify_modes(*find_layout("index")), "poll, flags");
    EXPECT_EQ(layout_notify_modes(*find_layout("packed")), "poll, flags, event-idx");
}
