// ringsim/virtio_defs.hpp: the virtio 1.x ring memory layouts, byte for byte.
//
// Source: the VIRTIO 1.x specification (oasis-tcs/virtio-spec), sections
//   "Split Virtqueues" (split-ring.tex): "The Virtqueue Descriptor Table",
//     "The Virtqueue Available Ring", "The Virtqueue Used Ring",
//     "Used Buffer Notification Suppression", "Available Buffer Notification Suppression";
//   "Packed Virtqueues" (packed-ring.tex): "Driver and Device Ring Wrap Counters",
//     "Driver and Device Event Suppression", "Structure Size and Alignment".
// Every field is little-endian in the spec; ringsim runs both roles on one host, so the
// fields are host-endian (all lab targets, x86_64, arm64 and ppc64le, are little-endian).
//
// Constant names are CamelCase on purpose: <linux/virtio_ring.h> defines the spec names
// (VRING_AVAIL_F_NO_INTERRUPT, ...) as macros, and a constant with the same spelling
// would break any translation unit that includes both.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringsim::virtio {

// ---------------------------------------------------------------------------
// Split virtqueue ("Split Virtqueues")
// ---------------------------------------------------------------------------

// "The Virtqueue Descriptor Table": struct virtq_desc, 16 bytes, table aligned to 16.
struct SplitDesc {
    std::uint64_t addr;   // guest-physical address of the buffer
    std::uint32_t len;
    std::uint16_t flags;  // kDescFNext | kDescFWrite | kDescFIndirect
    std::uint16_t next;   // next descriptor of the chain if flags & kDescFNext
};
static_assert(sizeof(SplitDesc) == 16);
static_assert(offsetof(SplitDesc, addr) == 0);
static_assert(offsetof(SplitDesc, len) == 8);
static_assert(offsetof(SplitDesc, flags) == 12);
static_assert(offsetof(SplitDesc, next) == 14);

inline constexpr std::uint16_t kDescFNext = 1;      // VIRTQ_DESC_F_NEXT
inline constexpr std::uint16_t kDescFWrite = 2;     // VIRTQ_DESC_F_WRITE (device write-only)
inline constexpr std::uint16_t kDescFIndirect = 4;  // VIRTQ_DESC_F_INDIRECT

// "Indirect Descriptors" (split): the table a VIRTQ_DESC_F_INDIRECT descriptor points at is
// an array of struct virtq_desc, len / 16 entries, chained inside the table through `next`
// (indices into the table) with VIRTQ_DESC_F_NEXT; INDIRECT is forbidden inside it.
using SplitIndirectDesc = SplitDesc;
static_assert(sizeof(SplitIndirectDesc) == 16 && alignof(SplitIndirectDesc) <= 16);
static_assert(offsetof(SplitIndirectDesc, next) == 14, "table entries chain through next");

// "The Virtqueue Available Ring": struct virtq_avail, written only by the driver.
//   le16 flags; le16 idx; le16 ring[N]; le16 used_event;   size 6 + 2N, alignment 2.
// The ring has a run-time length, so the struct is described by offsets, not by a C++ type.
inline constexpr std::uint16_t kAvailFNoInterrupt = 1;  // VIRTQ_AVAIL_F_NO_INTERRUPT
inline constexpr std::size_t kAvailFlagsOffset = 0;
inline constexpr std::size_t kAvailIdxOffset = 2;
inline constexpr std::size_t kAvailRingOffset = 4;
constexpr std::size_t avail_used_event_offset(std::size_t n) { return kAvailRingOffset + 2 * n; }
constexpr std::size_t avail_bytes(std::size_t n) { return 6 + 2 * n; }
static_assert(avail_bytes(256) == avail_used_event_offset(256) + 2);

// "The Virtqueue Used Ring": struct virtq_used, written only by the device.
//   le16 flags; le16 idx; struct virtq_used_elem ring[N]; le16 avail_event;
//   size 6 + 8N, alignment 4.  The ring starts 4 bytes in, so with 64-byte lines every
//   8th element straddles two lines (docs/protocol.md, "Split").
struct UsedElem {
    std::uint32_t id;   // head of the used descriptor chain (le32 "for padding reasons")
    std::uint32_t len;  // bytes written into the buffer
};
static_assert(sizeof(UsedElem) == 8);
static_assert(offsetof(UsedElem, id) == 0);
static_assert(offsetof(UsedElem, len) == 4);

inline constexpr std::uint16_t kUsedFNoNotify = 1;  // VIRTQ_USED_F_NO_NOTIFY
inline constexpr std::size_t kUsedFlagsOffset = 0;
inline constexpr std::size_t kUsedIdxOffset = 2;
inline constexpr std::size_t kUsedRingOffset = 4;
constexpr std::size_t used_avail_event_offset(std::size_t n) { return kUsedRingOffset + 8 * n; }
constexpr std::size_t used_bytes(std::size_t n) { return 6 + 8 * n; }
static_assert(used_bytes(256) == used_avail_event_offset(256) + 2);
static_assert(kUsedRingOffset % alignof(UsedElem) == 0);

// Queue size limits ("Split Virtqueues": "Queue Size value is always a power of 2. The
// maximum Queue Size value is 32768"; "Packed Virtqueues": "up to 2^15 entries").
inline constexpr std::uint32_t kMaxQueueSize = 32768;

// ---------------------------------------------------------------------------
// Packed virtqueue ("Packed Virtqueues")
// ---------------------------------------------------------------------------

// struct pvirtq_desc, 16 bytes, ring aligned to 16.  Written by both sides: the driver
// makes it available, the device overwrites it with a used descriptor.
struct PackedDesc {
    std::uint64_t addr;
    std::uint32_t len;
    std::uint16_t id;     // Buffer ID (in the last descriptor of a chain)
    std::uint16_t flags;  // kDescFNext/Write/Indirect | kPackedDescFAvail | kPackedDescFUsed
};
static_assert(sizeof(PackedDesc) == 16);
static_assert(offsetof(PackedDesc, addr) == 0);
static_assert(offsetof(PackedDesc, len) == 8);
static_assert(offsetof(PackedDesc, id) == 12);
static_assert(offsetof(PackedDesc, flags) == 14);

// "Indirect Flag: Scatter-Gather Support" (packed): struct pvirtq_indirect_descriptor_table
// is a plain array of struct pvirtq_desc, len / 16 entries, consecutive, with no chaining
// field at all; VIRTQ_DESC_F_WRITE is the only valid flag in it and the Buffer ID is
// reserved (the id travels in the ring descriptor that points at the table).
using PackedIndirectDesc = PackedDesc;
static_assert(sizeof(PackedIndirectDesc) == 16 && alignof(PackedIndirectDesc) <= 16);
static_assert(offsetof(PackedIndirectDesc, flags) == 14 && offsetof(PackedIndirectDesc, id) == 12);

// "Driver and Device Ring Wrap Counters": VIRTQ_DESC_F_AVAIL (1 << 7), VIRTQ_DESC_F_USED (1 << 15).
// Available: AVAIL == driver wrap counter, USED == !driver wrap counter.
// Used:      AVAIL == USED == device wrap counter.  Both counters start at 1.
inline constexpr std::uint16_t kPackedDescFAvail = 1u << 7;
inline constexpr std::uint16_t kPackedDescFUsed = 1u << 15;

// "Driver and Device Event Suppression": struct pvirtq_event_suppress, 4 bytes, alignment 4.
//   off_wrap: Descriptor Ring Change Event Offset (bits 0..14) | Wrap Counter (bit 15)
//   flags:    Descriptor Ring Change Event Flags (bits 0..1), rest reserved
struct PackedEventSuppress {
    std::uint16_t off_wrap;
    std::uint16_t flags;
};
static_assert(sizeof(PackedEventSuppress) == 4);
static_assert(offsetof(PackedEventSuppress, off_wrap) == 0);
static_assert(offsetof(PackedEventSuppress, flags) == 2);

inline constexpr std::uint16_t kRingEventFlagsEnable = 0x0;   // RING_EVENT_FLAGS_ENABLE
inline constexpr std::uint16_t kRingEventFlagsDisable = 0x1;  // RING_EVENT_FLAGS_DISABLE
inline constexpr std::uint16_t kRingEventFlagsDesc = 0x2;     // RING_EVENT_FLAGS_DESC (EVENT_IDX only); 0x3 reserved
inline constexpr unsigned kOffWrapWrapShift = 15;
inline constexpr std::uint16_t kOffWrapWrapBit = 1u << kOffWrapWrapShift;
inline constexpr std::uint16_t kOffWrapOffsetMask = kOffWrapWrapBit - 1;

}  // namespace ringsim::virtio
