// The event-index rules against independent reference models, across index wrap-around.
#include <cstdint>
#include <random>

#include <gtest/gtest.h>

#include "ringsim/event_rules.hpp"

using ringsim::make_off_wrap;
using ringsim::need_event;
using ringsim::packed_need_event;

namespace {

// Reference for the split rule: the notifier moved from old to new (new - old <= 2^15 in
// practice, up to 2^16 - 1 here); notify iff event is one of old, old+1, ..., new-1 (mod 2^16).
bool split_reference(std::uint16_t event, std::uint16_t new_idx, std::uint16_t old_idx) {
    for (std::uint16_t i = old_idx; i != new_idx; ++i) {
        if (i == event) return true;
    }
    return false;
}

}  // namespace

TEST(NeedEvent, MatchesReferenceAroundTheU16Wrap) {
    // Every (old, moved, event) with old in a window around 0xffff -> 0 and events near it.
    for (int o = 65536 - 40; o < 65536 + 40; ++o) {
        const auto old_idx = static_cast<std::uint16_t>(o);
        for (int moved = 0; moved <= 70; ++moved) {
            const auto new_idx = static_cast<std::uint16_t>(old_idx + moved);
            for (int e = -80; e <= 80; ++e) {
                const auto event = static_cast<std::uint16_t>(old_idx + e);
                ASSERT_EQ(need_event(event, new_idx, old_idx), split_reference(event, new_idx, old_idx))
                    << "event " << event << " new " << new_idx << " old " << old_idx;
            }
        }
    }
}

TEST(NeedEvent, RandomTriplesMatchReference) {
    std::mt19937 rng(12345);
    std::uniform_int_distribution<int> u16(0, 65535), moved(0, 32768);
    for (int i = 0; i < 20000; ++i) {
        const auto old_idx = static_cast<std::uint16_t>(u16(rng));
        const auto new_idx = static_cast<std::uint16_t>(old_idx + moved(rng));
        const auto event = static_cast<std::uint16_t>(u16(rng));
        ASSERT_EQ(need_event(event, new_idx, old_idx), split_reference(event, new_idx, old_idx));
    }
}

TEST(NeedEvent, NothingMovedNeverNotifies) {
    for (int e = 0; e < 65536; e += 7) EXPECT_FALSE(need_event(static_cast<std::uint16_t>(e), 100, 100));
}

namespace {

// Reference for the packed rule with absolute (never-wrapping) positions: position p sits at
// offset p % N, and its wrap counter is 1 in lap 0, 0 in lap 1, ... (both start at 1).
bool wrap_of(std::uint64_t p, std::uint32_t n) { return ((p / n) & 1) == 0; }

}  // namespace

TEST(PackedNeedEvent, MatchesAbsolutePositionModelAcrossRingWraps) {
    for (std::uint32_t n : {2u, 4u, 8u, 256u, 32768u}) {
        std::mt19937_64 rng(n);
        // Positions run over many laps (so the wrap bit flips many times) and across 2^16.
        std::uniform_int_distribution<std::uint64_t> pos(2 * n, 400ull * n + 70000);
        std::uniform_int_distribution<std::uint32_t> add(0, n);
        for (int i = 0; i < 20000; ++i) {
            const std::uint64_t now = pos(rng);
            const std::uint32_t added = add(rng);
            // Events a live peer can have written: in the notifier's current or previous lap.
            const std::uint64_t lap_start = now / n * n;
            std::uniform_int_distribution<std::uint64_t> ev(lap_start - n, lap_start + n - 1);
            const std::uint64_t event = ev(rng);
            const bool expect = event >= now - added && event < now;
            const auto off_wrap = make_off_wrap(static_cast<std::uint16_t>(event % n), wrap_of(event, n));
            ASSERT_EQ(packed_need_event(off_wrap, static_cast<std::uint16_t>(now % n), wrap_of(now, n),
                                        static_cast<std::uint16_t>(added), n),
                      expect)
                << "n " << n << " now " << now << " added " << added << " event " << event;
        }
    }
}

TEST(PackedNeedEvent, ExhaustiveSmallRingOverFourLaps) {
    constexpr std::uint32_t n = 4;
    for (std::uint64_t now = 2 * n; now < 6 * n; ++now) {
        for (std::uint32_t added = 0; added <= n; ++added) {
            const std::uint64_t lap_start = now / n * n;
            for (std::uint64_t event = lap_start - n; event < lap_start + n; ++event) {
                const bool expect = event >= now - added && event < now;
                const auto off_wrap = make_off_wrap(static_cast<std::uint16_t>(event % n), wrap_of(event, n));
                EXPECT_EQ(packed_need_event(off_wrap, static_cast<std::uint16_t>(now % n), wrap_of(now, n),
                                            static_cast<std::uint16_t>(added), n),
                          expect)
                    << "now " << now << " added " << added << " event " << event;
            }
        }
    }
}

TEST(PackedNeedEvent, OffWrapEncoding) {
    EXPECT_EQ(make_off_wrap(0, true), 0x8000);
    EXPECT_EQ(make_off_wrap(0x7fff, false), 0x7fff);
    EXPECT_EQ(make_off_wrap(5, true), 0x8005);
    EXPECT_EQ(ringsim::off_wrap_offset(0x8005), 5);
    EXPECT_TRUE(ringsim::off_wrap_wrap(0x8005));
    EXPECT_FALSE(ringsim::off_wrap_wrap(0x7fff));
}
