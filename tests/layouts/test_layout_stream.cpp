// Many buffers through every layout, stepping driver and device by hand: u16 index wraps,
// packed wrap counters, full and empty rings, every batch edge, in-order completion.
#include <cstdint>
#include <cstring>
#include <random>

#include <gtest/gtest.h>

#include "harness.hpp"

using namespace ringtest;
using ringsim::ReapStatus;

template <class L>
class LayoutStream : public ::testing::Test {};
TYPED_TEST_SUITE(LayoutStream, AllLayouts, LayoutName);

namespace {
constexpr std::uint64_t kBuffers = 200'000;
constexpr std::uint32_t kSizes[] = {2, 4, 256, 32768};
}  // namespace

// Fixed batches: the driver adds `batch` and publishes; the device pops all, completes in
// batches of `batch`, publishes; the driver reaps everything.  Batch 1, N-1 and N.
TYPED_TEST(LayoutStream, FixedBatchEdgesThroughManyWraps) {
    for (std::uint32_t n : kSizes) {
        for (std::uint32_t batch : {1u, n - 1, n}) {
            if (batch == 0) continue;
            Harness<TypeParam> h(opts(n));
            while (h.submitted < kBuffers) {
                ASSERT_EQ(h.add(batch), batch);
                h.ring.driver_publish();
                ASSERT_EQ(h.pop(n + 1), batch) << "n " << n << " batch " << batch;
                h.push(batch);
                h.ring.device_publish();
                ASSERT_EQ(h.reap(n + 1), batch);
                ASSERT_EQ(h.outstanding(), 0u);
                ASSERT_EQ(h.ring.driver_free(), n);
            }
            const auto s = h.ring.snapshot();
            if (TypeParam::name == std::string_view("index")) {
                EXPECT_EQ(s.driver_published, static_cast<std::uint32_t>(h.submitted));
            } else if (std::string_view(TypeParam::name).starts_with("packed")) {
                const std::uint64_t laps = h.submitted / n;
                EXPECT_EQ(s.driver_published, (h.submitted % n) | ((laps & 1) ? 0u : 0x8000u));
                EXPECT_EQ(s.device_published, s.driver_published);
            } else {
                EXPECT_EQ(s.driver_published, static_cast<std::uint16_t>(h.submitted));
                EXPECT_EQ(s.device_published, static_cast<std::uint16_t>(h.submitted));
            }
            EXPECT_EQ(s.driver_seen, s.device_published);
            EXPECT_EQ(s.device_seen, s.driver_published);
        }
    }
}

// Random interleavings: partial adds, pops, pushes and reaps in any order, so the ring is
// seen at every fill level, and publishes happen with some work still unpublished.
TYPED_TEST(LayoutStream, RandomInterleavingsKeepEveryBufferOnce) {
    for (std::uint32_t n : kSizes) {
        Harness<TypeParam> h(opts(n));
        std::mt19937 rng(n * 7919u);
        std::uniform_int_distribution<std::uint32_t> amount(0, n), coin(0, 3);
        std::uint64_t steps = 0;
        while (h.completed < kBuffers) {
            switch (coin(rng)) {
                case 0: h.add(amount(rng)); h.ring.driver_publish(); break;
                case 1: h.pop(amount(rng)); break;
                case 2: h.push(amount(rng)); h.ring.device_publish(); break;
                default: h.reap(amount(rng)); break;
            }
            ASSERT_LE(h.outstanding(), n);
            ASSERT_EQ(h.ring.driver_free(), n - h.outstanding());
            ASSERT_FALSE(::testing::Test::HasFailure()) << "n " << n << " step " << steps;
            ++steps;
        }
    }
}

TYPED_TEST(LayoutStream, FullAndEmptyRing) {
    for (std::uint32_t n : {2u, 4u, 256u}) {
        Harness<TypeParam> h(opts(n));
        std::uint32_t tok, len;
        EXPECT_EQ(h.ring.driver_reap(tok, len), ReapStatus::empty);
        EXPECT_EQ(h.pop(1), 0u);
        EXPECT_FALSE(h.ring.pending_for_device());
        EXPECT_FALSE(h.ring.pending_for_driver());
        for (int lap = 0; lap < 3; ++lap) {
            ASSERT_EQ(h.add(n), n);
            EXPECT_EQ(h.ring.driver_free(), 0u);
            EXPECT_THROW(h.ring.driver_add(0, 0, 0), std::logic_error);
            EXPECT_FALSE(h.ring.pending_for_device()) << "visible before driver_publish";
            EXPECT_EQ(h.pop(1), 0u) << "popped before driver_publish";
            h.ring.driver_publish();
            EXPECT_TRUE(h.ring.pending_for_device());
            ASSERT_EQ(h.pop(n + 5), n);
            EXPECT_FALSE(h.ring.pending_for_device());
            h.push(n);
            EXPECT_FALSE(h.ring.pending_for_driver()) << "visible before device_publish";
            EXPECT_EQ(h.ring.driver_reap(tok, len), ReapStatus::empty);
            h.ring.device_publish();
            EXPECT_TRUE(h.ring.pending_for_driver());
            EXPECT_EQ(h.ring.driver_free(), 0u) << "completions are not free until reaped";
            ASSERT_EQ(h.reap(n + 5), n);
            EXPECT_FALSE(h.ring.pending_for_driver());
            EXPECT_EQ(h.ring.driver_reap(tok, len), ReapStatus::empty);
            EXPECT_EQ(h.ring.driver_free(), n);
        }
    }
}

// Several device batches published before the driver reaps any: the driver must walk the
// batch boundaries itself (in-order: one used element per batch).
TYPED_TEST(LayoutStream, SeveralDeviceBatchesReapedTogether) {
    constexpr std::uint32_t n = 16;
    Harness<TypeParam> h(opts(n));
    for (int round = 0; round < 5000; ++round) {
        h.add(n);
        h.ring.driver_publish();
        h.pop(n);
        for (std::uint32_t b : {3u, 1u, 7u, 5u}) {
            h.push(b);
            h.ring.device_publish();
        }
        ASSERT_EQ(h.reap(n + 1), n);
    }
}

// Out-of-order completion (all layouts except split-inorder, where the device may not).
TYPED_TEST(LayoutStream, OutOfOrderCompletion) {
    if constexpr (kInOrder<TypeParam>) {
        // Four buffers, completed in reverse: an in-order ring's batch of four reports one
        // used element, naming id 0 (the last one pushed).
        Harness<TypeParam> h(opts(8));
        h.add(4);
        h.ring.driver_publish();
        h.pop(4);
        h.push(4, /*reverse=*/true);
        h.ring.device_publish();
        if constexpr (std::is_same_v<TypeParam, ringsim::PackedInOrderRing<typename BarrierOf<TypeParam>::type>>) {
            // packed-inorder: that used descriptor is a valid batch of one: the driver hands
            // back exactly that buffer and never the three the device did not report -- they
            // stay outstanding, which the engine reports as lost.
            EXPECT_EQ(h.reap(8), 1u);
            EXPECT_EQ(h.outstanding(), 3u);
        } else {
            // VIRTIO_F_IN_ORDER: a device that completes out of order breaks the contract, and
            // the driver must notice (the batch's one used element names an unexpected id).
            std::uint32_t tok = 0, len = 0;
            bool caught = false;
            for (int i = 0; i < 4 && !caught; ++i)
                caught = h.ring.driver_reap(tok, len) == ReapStatus::not_outstanding;
            EXPECT_TRUE(caught) << "the batch's used element names id 0, not the expected last id 3";
        }
    } else {
        for (std::uint32_t n : {2u, 8u, 256u}) {
            Harness<TypeParam> h(opts(n));
            std::mt19937 rng(n);
            std::uniform_int_distribution<std::uint32_t> amount(1, n);
            while (h.completed < 50'000) {
                h.add(amount(rng));
                h.ring.driver_publish();
                h.pop(n);
                h.push(amount(rng), /*reverse=*/true);
                h.ring.device_publish();
                h.reap(n, /*in_order_expected=*/false);
                ASSERT_FALSE(::testing::Test::HasFailure());
            }
        }
    }
}

// The ring object (pointers to its areas, sizes, the free-id list's storage) is read by
// both roles on every step, so nothing in it may change in the steady state: a counter
// written there per buffer would bounce its line between the two CPUs on every round
// trip and be measured as ring cost.  Everything that changes lives in the areas.
TYPED_TEST(LayoutStream, SteadyStateWritesNothingInTheRingObject) {
    TypeParam ring(opts(8));
    unsigned char initial[sizeof(TypeParam)];
    std::memcpy(initial, static_cast<const void*>(&ring), sizeof initial);
    auto unchanged = [&] { return std::memcmp(initial, static_cast<const void*>(&ring), sizeof initial) == 0; };
    std::uint32_t next_token = 0;
    auto add = [&] {
        ring.driver_add(next_token, addr_of(next_token), len_of(next_token));
        ++next_token;
        EXPECT_TRUE(unchanged()) << "driver_add";
        ring.driver_publish();
        EXPECT_TRUE(unchanged()) << "driver_publish";
    };
    auto complete_one = [&] {
        std::uint16_t id = 0;
        std::uint64_t addr = 0;
        std::uint32_t len = 0;
        ASSERT_TRUE(ring.device_pop(id, addr, len));
        EXPECT_TRUE(unchanged()) << "device_pop";
        ring.device_push(id, len);
        EXPECT_TRUE(unchanged()) << "device_push";
        ring.device_publish();
        EXPECT_TRUE(unchanged()) << "device_publish";
        std::uint32_t tok = 0, rlen = 0;
        ASSERT_EQ(ring.driver_reap(tok, rlen), ReapStatus::ok);
        EXPECT_TRUE(unchanged()) << "driver_reap";
    };
    // Three in flight, then many round trips through several wraps.
    for (int i = 0; i < 3; ++i) add();
    for (int i = 0; i < 100; ++i) {
        add();
        complete_one();
    }
}
