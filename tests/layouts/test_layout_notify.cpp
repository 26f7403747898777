// Kick and call decisions through the layouts: poll, flags and event_idx, across index and
// ring wraps, with both halves of the no-lost-notification protocol (docs/protocol.md, "Notifications").
#include <cstdint>
#include <random>

#include <gtest/gtest.h>

#include "harness.hpp"

using namespace ringtest;
using ringsim::NotifyMode;

template <class L>
class LayoutNotify : public ::testing::Test {};
TYPED_TEST_SUITE(LayoutNotify, AllLayouts, LayoutName);

namespace {

template <class L>
std::vector<NotifyMode> sleeping_modes() {
    std::vector<NotifyMode> out;
    for (NotifyMode m : {NotifyMode::flags, NotifyMode::event_idx}) {
        if (L::supports_notify(m)) out.push_back(m);
    }
    return out;
}

}  // namespace

// A device and a driver that go to sleep whenever they run out of work, and wake only when
// notified.  A sleeper that the peer does not notify although it published work for it is a
// lost notification (the test fails at once); a run that stops progressing is one too.
TYPED_TEST(LayoutNotify, SleepersAreAlwaysWokenAcrossWraps) {
    for (NotifyMode mode : sleeping_modes<TypeParam>()) {
        for (std::uint32_t n : {2u, 4u, 256u, 32768u}) {
            Harness<TypeParam> h(opts(n, mode));
            std::mt19937 rng(n + static_cast<unsigned>(mode));
            std::uniform_int_distribution<std::uint32_t> amount(1, n), pct(0, 99);
            bool device_asleep = false, driver_asleep = false;
            std::uint64_t kicks = 0, calls = 0, spurious = 0, idle_steps = 0;
            h.ring.device_disable_kicks();  // both start awake and polling
            h.ring.driver_disable_calls();
            while (h.completed < 150'000) {
                const std::uint64_t before = h.completed + h.popped + h.submitted;
                // Driver: submit, then decide on a kick.
                if (!driver_asleep || h.ring.driver_free() > 0) {
                    if (h.add(amount(rng)) > 0) {
                        h.ring.driver_publish();
                        const bool kick = h.ring.driver_kick_needed();
                        if (device_asleep) {
                            ASSERT_TRUE(kick) << "lost kick: n " << n << " submitted " << h.submitted;
                            device_asleep = false;
                            h.ring.device_disable_kicks();
                            ++kicks;
                        } else if (kick) {
                            ++spurious;
                        }
                    }
                }
                // Device: work, then maybe sleep ("enable, full barrier, re-check").
                if (!device_asleep) {
                    h.pop(amount(rng));
                    if (h.push(amount(rng)) > 0) {
                        h.ring.device_publish();
                        const bool call = h.ring.device_call_needed();
                        if (driver_asleep) {
                            ASSERT_TRUE(call) << "lost call: n " << n << " completed " << h.completed;
                            driver_asleep = false;
                            h.ring.driver_disable_calls();
                            ++calls;
                        } else if (call) {
                            ++spurious;
                        }
                    }
                    if (h.device_held.empty() && pct(rng) < 50) {
                        if (h.ring.device_enable_kicks()) {
                            h.ring.device_disable_kicks();  // work arrived meanwhile: keep polling
                        } else {
                            ASSERT_FALSE(h.ring.pending_for_device());
                            device_asleep = true;
                        }
                    }
                }
                // Driver: reap, then maybe sleep waiting for completions.
                if (!driver_asleep) {
                    h.reap(amount(rng));
                    if (h.outstanding() > 0 && pct(rng) < 50) {
                        if (h.ring.driver_enable_calls()) {
                            h.ring.driver_disable_calls();
                        } else {
                            ASSERT_FALSE(h.ring.pending_for_driver());
                            driver_asleep = true;
                        }
                    }
                }
                ASSERT_FALSE(::testing::Test::HasFailure());
                idle_steps = (h.completed + h.popped + h.submitted == before) ? idle_steps + 1 : 0;
                ASSERT_LT(idle_steps, 100u) << "no progress: a side sleeps with work pending";
            }
            EXPECT_GT(kicks, 0u);
            EXPECT_GT(calls, 0u);
            // Suppression must actually suppress: polling peers are rarely notified.
            EXPECT_LT(spurious, h.completed / 4) << "mode " << static_cast<int>(mode) << " n " << n;
        }
    }
}

TYPED_TEST(LayoutNotify, PollModeDecidesFalse) {
    Harness<TypeParam> h(opts(8, NotifyMode::poll));
    for (int i = 0; i < 100; ++i) {
        h.add(3);
        h.ring.driver_publish();
        EXPECT_FALSE(h.ring.driver_kick_needed());
        h.pop(8);
        h.push(8);
        h.ring.device_publish();
        EXPECT_FALSE(h.ring.device_call_needed());
        h.reap(8);
    }
}

// Where the barriers go, counted: one publish per batch, none for an empty publish, no
// notify-check in poll mode, exactly one per decision and per enable otherwise.
template <class L>
class LayoutBarrierSites : public ::testing::Test {};
TYPED_TEST_SUITE(LayoutBarrierSites, LayoutsOf<CountingBarrier>, LayoutName);

TYPED_TEST(LayoutBarrierSites, OnePublishPerBatchAndNotifyChecksOnlyWhenNotifying) {
    for (NotifyMode mode : {NotifyMode::poll, NotifyMode::flags, NotifyMode::event_idx}) {
        if (!TypeParam::supports_notify(mode)) continue;
        Harness<TypeParam> h(opts(16, mode));
        CountingBarrier::reset();
        h.add(5);
        h.ring.driver_publish();
        EXPECT_EQ(CountingBarrier::publishes, 1u) << "one publish for a batch of 5";
        h.ring.driver_publish();
        EXPECT_EQ(CountingBarrier::publishes, 1u) << "an empty publish costs nothing";
        const bool kick = h.ring.driver_kick_needed();
        EXPECT_EQ(CountingBarrier::notifies, mode == NotifyMode::poll ? 0u : 1u);
        EXPECT_EQ(kick, mode != NotifyMode::poll);
        h.pop(16);
        h.push(16);
        h.ring.device_publish();
        EXPECT_EQ(CountingBarrier::publishes, 2u);
        h.ring.device_call_needed();
        EXPECT_EQ(CountingBarrier::notifies, mode == NotifyMode::poll ? 0u : 2u);
        h.reap(16);
        h.ring.device_enable_kicks();
        h.ring.driver_enable_calls();
        EXPECT_EQ(CountingBarrier::notifies, mode == NotifyMode::poll ? 0u : 4u);
    }
}

// Flags mode: a disabled side is never notified, an enabled side always.
TYPED_TEST(LayoutNotify, FlagsModeFollowsTheSuppressionWord) {
    Harness<TypeParam> h(opts(4, NotifyMode::flags));
    h.add(1);
    h.ring.driver_publish();
    EXPECT_TRUE(h.ring.driver_kick_needed()) << "notifications start enabled";
    h.ring.device_disable_kicks();
    h.add(1);
    h.ring.driver_publish();
    EXPECT_FALSE(h.ring.driver_kick_needed());
    EXPECT_TRUE(h.ring.device_enable_kicks()) << "work is pending: the re-check must say so";
    h.pop(4);
    EXPECT_FALSE(h.ring.device_enable_kicks());
    h.add(1);
    h.ring.driver_publish();
    EXPECT_TRUE(h.ring.driver_kick_needed());

    h.push(1);
    h.ring.device_publish();
    EXPECT_TRUE(h.ring.device_call_needed());
    h.ring.driver_disable_calls();
    h.push(1);
    h.ring.device_publish();
    EXPECT_FALSE(h.ring.device_call_needed());
    EXPECT_TRUE(h.ring.driver_enable_calls());
    h.reap(4);
    EXPECT_FALSE(h.ring.driver_enable_calls());
    h.pop(4);
    h.push(4);
    h.ring.device_publish();
    EXPECT_TRUE(h.ring.device_call_needed());
}

// Event-index mode: one notification when the peer's event index is crossed, none after,
// until the peer re-arms it.  Checked with ring sizes that wrap u16 and the packed counters.
TYPED_TEST(LayoutNotify, EventIdxNotifiesOncePerArming) {
    if constexpr (!TypeParam::supports_notify(NotifyMode::event_idx)) {
        // A layout without an event index must refuse the mode, never run it as something else.
        EXPECT_THROW(TypeParam ring(opts(8, NotifyMode::event_idx)), std::invalid_argument);
    } else {
        for (std::uint32_t n : {2u, 4u, 256u}) {
            Harness<TypeParam> h(opts(n, NotifyMode::event_idx));
            for (int round = 0; round < 70'000 / static_cast<int>(n) + 3; ++round) {
                // Device arms: "kick me when you make my next descriptor available".
                ASSERT_FALSE(h.ring.device_enable_kicks());
                ASSERT_FALSE(h.ring.driver_enable_calls());
                h.add(1);
                h.ring.driver_publish();
                ASSERT_TRUE(h.ring.driver_kick_needed()) << "round " << round;
                if (n > 2) {
                    h.add(n - 2);
                    h.ring.driver_publish();
                    ASSERT_FALSE(h.ring.driver_kick_needed()) << "event already passed, round " << round;
                }
                h.pop(n);
                h.push(1);
                h.ring.device_publish();
                ASSERT_TRUE(h.ring.device_call_needed()) << "round " << round;
                if (n > 2) {
                    h.push(n);
                    h.ring.device_publish();
                    ASSERT_FALSE(h.ring.device_call_needed()) << "round " << round;
                }
                h.reap(n);
                ASSERT_EQ(h.outstanding(), 0u);
            }
        }
    }
}

TYPED_TEST(LayoutNotify, SupportsNotifyIsAccurate) {
    EXPECT_TRUE(TypeParam::supports_notify(NotifyMode::poll));
    EXPECT_TRUE(TypeParam::supports_notify(NotifyMode::flags));
    EXPECT_EQ(TypeParam::supports_notify(NotifyMode::event_idx), TypeParam::name != std::string_view("index"));
}
