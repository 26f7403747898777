// Static layout facts of virtio_defs.hpp, checked again at run time so a failure is
// reported per field (the header's static_asserts stop the build instead).
#include <cstddef>

#include <gtest/gtest.h>

#include "ringsim/virtio_defs.hpp"

namespace v = ringsim::virtio;

TEST(VirtioDefs, SplitDescriptorIs16BytesAddrLenFlagsNext) {
    EXPECT_EQ(sizeof(v::SplitDesc), 16u);
    EXPECT_EQ(offsetof(v::SplitDesc, addr), 0u);
    EXPECT_EQ(offsetof(v::SplitDesc, len), 8u);
    EXPECT_EQ(offsetof(v::SplitDesc, flags), 12u);
    EXPECT_EQ(offsetof(v::SplitDesc, next), 14u);
    EXPECT_EQ(v::kDescFNext, 1);
    EXPECT_EQ(v::kDescFWrite, 2);
    EXPECT_EQ(v::kDescFIndirect, 4);
}

TEST(VirtioDefs, AvailRingIsFlagsIdxRingUsedEvent) {
    EXPECT_EQ(v::kAvailFlagsOffset, 0u);
    EXPECT_EQ(v::kAvailIdxOffset, 2u);
    EXPECT_EQ(v::kAvailRingOffset, 4u);
    for (std::size_t n : {2u, 4u, 256u, 32768u}) {
        EXPECT_EQ(v::avail_bytes(n), 6 + 2 * n) << n;  // spec table: 6 + 2 * Queue Size
        EXPECT_EQ(v::avail_used_event_offset(n), 4 + 2 * n) << n;
    }
    EXPECT_EQ(v::kAvailFNoInterrupt, 1);
}

TEST(VirtioDefs, UsedRingIsFlagsIdxElemsAvailEvent) {
    EXPECT_EQ(sizeof(v::UsedElem), 8u);
    EXPECT_EQ(offsetof(v::UsedElem, id), 0u);
    EXPECT_EQ(offsetof(v::UsedElem, len), 4u);
    EXPECT_EQ(v::kUsedFlagsOffset, 0u);
    EXPECT_EQ(v::kUsedIdxOffset, 2u);
    EXPECT_EQ(v::kUsedRingOffset, 4u);
    for (std::size_t n : {2u, 4u, 256u, 32768u}) {
        EXPECT_EQ(v::used_bytes(n), 6 + 8 * n) << n;  // spec table: 6 + 8 * Queue Size
        EXPECT_EQ(v::used_avail_event_offset(n), 4 + 8 * n) << n;
    }
    EXPECT_EQ(v::kUsedFNoNotify, 1);
}

TEST(VirtioDefs, PackedDescriptorIsAddrLenIdFlags) {
    EXPECT_EQ(sizeof(v::PackedDesc), 16u);
    EXPECT_EQ(offsetof(v::PackedDesc, addr), 0u);
    EXPECT_EQ(offsetof(v::PackedDesc, len), 8u);
    EXPECT_EQ(offsetof(v::PackedDesc, id), 12u);
    EXPECT_EQ(offsetof(v::PackedDesc, flags), 14u);
    EXPECT_EQ(v::kPackedDescFAvail, 0x0080);
    EXPECT_EQ(v::kPackedDescFUsed, 0x8000);
}

TEST(VirtioDefs, PackedEventSuppressionIsOffWrapThenFlags) {
    EXPECT_EQ(sizeof(v::PackedEventSuppress), 4u);
    EXPECT_EQ(offsetof(v::PackedEventSuppress, off_wrap), 0u);
    EXPECT_EQ(offsetof(v::PackedEventSuppress, flags), 2u);
    EXPECT_EQ(v::kRingEventFlagsEnable, 0);
    EXPECT_EQ(v::kRingEventFlagsDisable, 1);
    EXPECT_EQ(v::kRingEventFlagsDesc, 2);
    EXPECT_EQ(v::kOffWrapWrapBit, 0x8000);
    EXPECT_EQ(v::kOffWrapOffsetMask, 0x7fff);
    EXPECT_EQ(v::kMaxQueueSize, 32768u);
}
