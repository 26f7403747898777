// Per-layout facts read straight from shared memory: packed flag encodings and wrap
// counters, head-flags-last batching, the single used element of split-inorder, and where
// the split event words live.
#include <cstdint>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "harness.hpp"
#include "ringsim/virtio_defs.hpp"

using namespace ringtest;
using ringsim::NotifyMode;
namespace v = ringsim::virtio;

namespace {

std::uint16_t packed_flags(const void* desc, std::uint32_t slot) {
    return peek<std::uint16_t>(desc, slot * sizeof(v::PackedDesc) + offsetof(v::PackedDesc, flags));
}

}  // namespace

TEST(Packed, FlagEncodingsFollowTheWrapCountersOverManyLaps) {
    for (std::uint32_t n : {2u, 4u, 256u}) {
        Harness<ringsim::PackedRing<SeqCstBarrier>> h(opts(n));
        const void* desc = area(h.ring, "desc");
        for (std::uint64_t i = 0; i < 20 * n + 3; ++i) {
            const auto slot = static_cast<std::uint32_t>(i % n);
            const bool wrap = ((i / n) & 1) == 0;  // driver and device wrap counters start at 1
            h.add(1);
            h.ring.driver_publish();
            ASSERT_EQ(packed_flags(desc, slot), wrap ? v::kPackedDescFAvail : v::kPackedDescFUsed)
                << "available: AVAIL = wrap, USED = !wrap; i " << i;
            const auto s = h.ring.snapshot();
            const std::uint32_t next = (i + 1) % n | ((((i + 1) / n) & 1) == 0 ? 0x8000u : 0u);
            ASSERT_EQ(s.driver_published, next);
            h.pop(1);
            h.push(1);
            h.ring.device_publish();
            ASSERT_EQ(packed_flags(desc, slot), wrap ? (v::kPackedDescFAvail | v::kPackedDescFUsed) : 0)
                << "used: AVAIL = USED = wrap; i " << i;
            ASSERT_EQ(h.ring.snapshot().device_published, next);
            ASSERT_EQ(h.reap(1), 1u);
        }
    }
}

TEST(Packed, BatchHeadFlagsAreWrittenLast) {
    Harness<ringsim::PackedRing<SeqCstBarrier>> h(opts(8));
    const void* desc = area(h.ring, "desc");
    h.add(3);
    EXPECT_EQ(packed_flags(desc, 0), 0) << "the head stays unavailable until driver_publish";
    EXPECT_EQ(packed_flags(desc, 1), v::kPackedDescFAvail);
    EXPECT_EQ(packed_flags(desc, 2), v::kPackedDescFAvail);
    EXPECT_EQ(h.pop(3), 0u) << "the device polls the head only";
    h.ring.driver_publish();
    EXPECT_EQ(packed_flags(desc, 0), v::kPackedDescFAvail);
    EXPECT_EQ(h.pop(3), 3u);
    h.push(3);
    EXPECT_EQ(packed_flags(desc, 0), v::kPackedDescFAvail) << "used head waits for device_publish";
    EXPECT_EQ(packed_flags(desc, 1), v::kPackedDescFAvail | v::kPackedDescFUsed);
    std::uint32_t tok, len;
    EXPECT_EQ(h.ring.driver_reap(tok, len), ringsim::ReapStatus::empty);
    h.ring.device_publish();
    EXPECT_EQ(h.reap(3), 3u);
}

TEST(Packed, EventSuppressionWords) {
    Harness<ringsim::PackedRing<SeqCstBarrier>> h(opts(4, NotifyMode::event_idx));
    auto s = h.ring.snapshot();
    EXPECT_EQ(s.used_flags_or_device_event_flags, v::kRingEventFlagsEnable);
    h.ring.device_disable_kicks();
    EXPECT_EQ(h.ring.snapshot().used_flags_or_device_event_flags, v::kRingEventFlagsDisable);
    for (int i = 0; i < 5; ++i) {  // move the device to slot 1 of lap 1 (wrap 0)
        h.add(1);
        h.ring.driver_publish();
        h.pop(1);
        h.push(1);
        h.ring.device_publish();
        h.reap(1);
    }
    EXPECT_FALSE(h.ring.device_enable_kicks());
    s = h.ring.snapshot();
    EXPECT_EQ(s.used_flags_or_device_event_flags, v::kRingEventFlagsDesc);
    EXPECT_EQ(s.avail_event_or_device_off_wrap, 1u) << "offset 1, wrap counter 0";
    EXPECT_FALSE(h.ring.driver_enable_calls());
    s = h.ring.snapshot();
    EXPECT_EQ(s.avail_flags_or_driver_event_flags, v::kRingEventFlagsDesc);
    EXPECT_EQ(s.used_event_or_driver_off_wrap, 1u);
    h.ring.driver_disable_calls();
    EXPECT_EQ(h.ring.snapshot().avail_flags_or_driver_event_flags, v::kRingEventFlagsDisable);
}

TEST(Packed, FlagsModeUsesEnableAndDisable) {
    Harness<ringsim::PackedRing<SeqCstBarrier>> h(opts(4, NotifyMode::flags));
    h.ring.device_disable_kicks();
    EXPECT_EQ(h.ring.snapshot().used_flags_or_device_event_flags, v::kRingEventFlagsDisable);
    h.ring.device_enable_kicks();
    EXPECT_EQ(h.ring.snapshot().used_flags_or_device_event_flags, v::kRingEventFlagsEnable);
}

TEST(SplitInOrder, OneUsedElementPerBatchCarryingTheLastId) {
    constexpr std::uint32_t n = 8;
    Harness<ringsim::SplitInOrderRing<SeqCstBarrier>> h(opts(n));
    const void* used = area(h.ring, "used");
    const void* avail = area(h.ring, "avail");
    h.add(5);
    h.ring.driver_publish();
    for (std::uint32_t i = 0; i < 5; ++i) {
        EXPECT_EQ(peek<std::uint16_t>(avail, v::kAvailRingOffset + 2 * i), i) << "descriptors in ring order";
    }
    h.pop(5);
    h.push(3);
    h.ring.device_publish();
    EXPECT_EQ(peek<std::uint16_t>(used, v::kUsedIdxOffset), 3);
    EXPECT_EQ(peek<std::uint32_t>(used, v::kUsedRingOffset + 0), 2u) << "one element, id of the batch's last";
    EXPECT_EQ(peek<std::uint32_t>(used, v::kUsedRingOffset + 8), 0u) << "slot 1 not written";
    EXPECT_EQ(peek<std::uint32_t>(used, v::kUsedRingOffset + 16), 0u) << "slot 2 not written";
    h.push(2);
    h.ring.device_publish();
    EXPECT_EQ(peek<std::uint16_t>(used, v::kUsedIdxOffset), 5);
    EXPECT_EQ(peek<std::uint32_t>(used, v::kUsedRingOffset + 3 * 8), 4u) << "second batch starts at slot 3";
    EXPECT_EQ(h.reap(10), 5u);  // lengths and order checked by the harness
}

TEST(SplitInOrder, IdNotEndingAPublishedBatchIsNotOutstanding) {
    Harness<ringsim::SplitInOrderRing<SeqCstBarrier>> h(opts(8));
    h.add(2);
    h.ring.driver_publish();
    h.pop(2);
    h.ring.device_push(1, 0);  // claims ids 0..1 but publishes one completion
    h.ring.device_publish();
    std::uint32_t tok, len;
    EXPECT_EQ(h.ring.driver_reap(tok, len), ringsim::ReapStatus::not_outstanding);
}

TEST(Split, EventWordsLiveAtTheEndOfEachRing) {
    constexpr std::uint32_t n = 16;
    Harness<ringsim::SplitRing<SeqCstBarrier>> h(opts(n, NotifyMode::event_idx));
    const void* avail = area(h.ring, "avail");
    const void* used = area(h.ring, "used");
    h.add(3);
    h.ring.driver_publish();
    h.pop(3);
    EXPECT_FALSE(h.ring.device_enable_kicks());
    EXPECT_EQ(peek<std::uint16_t>(used, v::used_avail_event_offset(n)), 3) << "avail_event = last_avail";
    h.push(2);
    h.ring.device_publish();
    h.reap(2);
    EXPECT_FALSE(h.ring.driver_enable_calls());
    EXPECT_EQ(peek<std::uint16_t>(avail, v::avail_used_event_offset(n)), 2) << "used_event = last_used";
    EXPECT_EQ(peek<std::uint16_t>(avail, v::kAvailFlagsOffset), 0) << "flags stay 0 with EVENT_IDX";
    EXPECT_EQ(peek<std::uint16_t>(used, v::kUsedFlagsOffset), 0);
}

TEST(Split, FlagsModeWritesNoNotifyAndNoInterrupt) {
    Harness<ringsim::SplitRing<SeqCstBarrier>> h(opts(16, NotifyMode::flags));
    const void* avail = area(h.ring, "avail");
    const void* used = area(h.ring, "used");
    h.ring.device_disable_kicks();
    h.ring.driver_disable_calls();
    EXPECT_EQ(peek<std::uint16_t>(used, v::kUsedFlagsOffset), v::kUsedFNoNotify);
    EXPECT_EQ(peek<std::uint16_t>(avail, v::kAvailFlagsOffset), v::kAvailFNoInterrupt);
    h.ring.device_enable_kicks();
    h.ring.driver_enable_calls();
    EXPECT_EQ(peek<std::uint16_t>(used, v::kUsedFlagsOffset), 0);
    EXPECT_EQ(peek<std::uint16_t>(avail, v::kAvailFlagsOffset), 0);
}

TEST(Split, U16IndicesWrapAndSlotsFollow) {
    constexpr std::uint32_t n = 4;
    Harness<ringsim::SplitRing<SeqCstBarrier>> h(opts(n));
    const void* avail = area(h.ring, "avail");
    for (std::uint64_t i = 0; i < 65536 + 10; ++i) {
        h.add(1);
        h.ring.driver_publish();
        ASSERT_EQ(peek<std::uint16_t>(avail, v::kAvailIdxOffset), static_cast<std::uint16_t>(i + 1));
        h.pop(1);
        h.push(1);
        h.ring.device_publish();
        ASSERT_EQ(h.reap(1), 1u);
    }
    EXPECT_EQ(h.ring.snapshot().driver_published, 10u) << "65546 mod 65536";
}

// Streaming with the ring full of work, the driver's full check must not read the device's
// consumer index (a line the device writes on every publish): the completions it reaped
// bound it.  The shared avail-cons word is poisoned with "nothing consumed" after every
// device publish; a driver that read it would find its ring full and throw.
TEST(Index, StreamingDriverNeverReadsTheDevicesConsumerIndex) {
    constexpr std::uint32_t kN = 8;
    ringsim::IndexRing<SeqCstBarrier> ring(opts(kN));
    auto* avail_cons = const_cast<std::uint32_t*>(static_cast<const std::uint32_t*>(area(ring, "avail-cons")));
    std::uint32_t token = 0;
    for (; token < kN; ++token) ring.driver_add(token, 64 * (token + 1), token + 1);
    ring.driver_publish();
    for (std::uint32_t round = 0; round < 10 * kN; ++round) {
        std::uint16_t id;
        std::uint64_t addr;
        std::uint32_t len;
        ASSERT_TRUE(ring.device_pop(id, addr, len));
        ring.device_push(id, len);
        ring.device_publish();
        *avail_cons = 0;
        std::uint32_t tok = 0, rlen = 0;
        ASSERT_EQ(ring.driver_reap(tok, rlen), ringsim::ReapStatus::ok);
        ASSERT_NO_THROW(ring.driver_add(token, 64 * (token % kN + 1), token % kN + 1)) << "round " << round;
        ++token;
        ring.driver_publish();
    }
}

TEST(Index, NeedWakeupWordsStartSetAndFollowEnableDisable) {
    Harness<ringsim::IndexRing<SeqCstBarrier>> h(opts(8, NotifyMode::flags));
    auto s = h.ring.snapshot();
    EXPECT_EQ(s.avail_flags_or_driver_event_flags, 1) << "call-wakeup";
    EXPECT_EQ(s.used_flags_or_device_event_flags, 1) << "kick-wakeup";
    h.ring.device_disable_kicks();
    h.ring.driver_disable_calls();
    s = h.ring.snapshot();
    EXPECT_EQ(s.avail_flags_or_driver_event_flags, 0);
    EXPECT_EQ(s.used_flags_or_device_event_flags, 0);
}
