// Memory placement: every area line-aligned, no two areas sharing a line, for each layout.
#include <algorithm>
#include <cstdint>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "harness.hpp"
#include "ringsim/shared_area.hpp"

using namespace ringtest;

TEST(AreaSet, ZeroedAlignedAndRoundedToLines) {
    for (std::uint32_t line : {64u, 128u}) {
        ringsim::AreaSet set(line);
        const auto a = set.add("a", 1, true);
        const auto b = set.add("b", line + 1, true);
        const auto c = set.add("c", 3 * line, false);
        set.allocate();
        EXPECT_EQ(set.total_bytes(), 6u * line);
        EXPECT_EQ(reinterpret_cast<std::uintptr_t>(set.at<char>(a)) % line, 0u);
        EXPECT_EQ(set.at<char>(b) - set.at<char>(a), static_cast<std::ptrdiff_t>(line));
        EXPECT_EQ(set.at<char>(c) - set.at<char>(b), static_cast<std::ptrdiff_t>(2 * line));
        const char* p = set.at<char>(a);
        EXPECT_TRUE(std::all_of(p, p + set.total_bytes(), [](char x) { return x == 0; }));
        const auto areas = set.areas();
        ASSERT_EQ(areas.size(), 3u);
        EXPECT_EQ(areas[1].name, "b");
        EXPECT_EQ(areas[1].bytes, line + 1);
        EXPECT_FALSE(areas[2].shared);
    }
}

TEST(AreaSet, RejectsOtherLineSizes) {
    for (std::uint32_t bad : {0u, 16u, 32u, 256u}) {
        try {
            ringsim::AreaSet set(bad);
            ADD_FAILURE() << "accepted line " << bad;
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find("64 or 128"), std::string::npos);
        }
    }
}

template <class L>
class LayoutAreas : public ::testing::Test {};
TYPED_TEST_SUITE(LayoutAreas, AllLayouts, LayoutName);

TYPED_TEST(LayoutAreas, EveryAreaOnItsOwnLines) {
    for (std::uint32_t line : {64u, 128u}) {
        for (std::uint32_t n : {2u, 256u, 32768u}) {
            TypeParam ring(opts(n, ringsim::NotifyMode::poll, line));
            auto areas = ring.areas();
            ASSERT_GE(areas.size(), 4u);
            std::set<std::string> names;
            bool has_driver = false, has_device = false;
            for (const auto& a : areas) {
                EXPECT_TRUE(names.insert(a.name).second) << "duplicate area " << a.name;
                EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a.addr) % line, 0u) << a.name;
                EXPECT_GT(a.bytes, 0u) << a.name;
                has_driver |= a.name == "driver-state" && !a.shared;
                has_device |= a.name == "device-state" && !a.shared;
            }
            EXPECT_TRUE(has_driver && has_device) << "each role's private state is its own area";
            std::sort(areas.begin(), areas.end(), [](const auto& x, const auto& y) { return x.addr < y.addr; });
            for (std::size_t i = 1; i < areas.size(); ++i) {
                const auto last_line_prev =
                    (reinterpret_cast<std::uintptr_t>(areas[i - 1].addr) + areas[i - 1].bytes - 1) / line;
                const auto first_line = reinterpret_cast<std::uintptr_t>(areas[i].addr) / line;
                EXPECT_LT(last_line_prev, first_line) << areas[i - 1].name << " shares a line with " << areas[i].name;
            }
        }
    }
}

TYPED_TEST(LayoutAreas, SharedAreasHaveTheSpecSizes) {
    constexpr std::uint32_t n = 256;
    TypeParam ring(opts(n));
    for (const auto& a : ring.areas()) {
        if (a.name == "desc") {
            EXPECT_EQ(a.bytes, 16u * n);
        }
        if (a.name == "avail") {
            EXPECT_EQ(a.bytes, 6u + 2 * n);
        }
        if (a.name == "used") {
            EXPECT_EQ(a.bytes, 6u + 8 * n);
        }
        if (a.name == "driver-event" || a.name == "device-event") {
            EXPECT_EQ(a.bytes, 4u);
        }
        if (a.name == "avail-entries" || a.name == "comp-entries") {
            EXPECT_EQ(a.bytes, 16u * n);
        }
    }
}
