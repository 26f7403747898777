// ringsim/event_rules.hpp: the event-index notification rules, as pure functions.
//
// Split ring (VIRTIO_F_EVENT_IDX, spec "Used Buffer Notification Suppression" and
// "Available Buffer Notification Suppression"): the peer wrote `event` (used_event or
// avail_event), asking to be notified once the index moves past it.  A side that moved its
// index from `old_idx` (the value at its previous decision, notified or not) to `new_idx`
// notifies iff event lies in [old_idx, new_idx) in free-running u16 arithmetic:
//     (u16)(new - event - 1) < (u16)(new - old)
// (the same test as vring_need_event() in <linux/virtio_ring.h>).  The comparison is
// unsigned: an event equal to new (not yet reached) gives 0xffff and never fires.
//
// Packed ring (spec "Driver and Device Event Suppression", flags == RING_EVENT_FLAGS_DESC):
// the peer wrote off_wrap = descriptor offset (15 bits) | wrap counter (bit 15).  Positions
// run 0..N-1 and wrap; a wrap counter different from the notifier's current one means the
// event lies in the previous lap, so it is moved back by N before the split rule is applied
// to the u16 distances.  Valid while the event lies in the notifier's current or previous
// lap, which holds for any event a live peer can have written (it is at most N behind).
#pragma once

#include <cstdint>

#include "ringsim/virtio_defs.hpp"

namespace ringsim {

constexpr bool need_event(std::uint16_t event, std::uint16_t new_idx, std::uint16_t old_idx) {
    return static_cast<std::uint16_t>(new_idx - event - 1) <
           static_cast<std::uint16_t>(new_idx - old_idx);
}

constexpr std::uint16_t make_off_wrap(std::uint16_t offset, bool wrap) {
    return static_cast<std::uint16_t>((offset & virtio::kOffWrapOffsetMask) |
                                      (wrap ? virtio::kOffWrapWrapBit : 0));
}
constexpr std::uint16_t off_wrap_offset(std::uint16_t off_wrap) {
    return off_wrap & virtio::kOffWrapOffsetMask;
}
constexpr bool off_wrap_wrap(std::uint16_t off_wrap) {
    return (off_wrap & virtio::kOffWrapWrapBit) != 0;
}

// new_idx/new_wrap: the notifier's position after its batch (next descriptor it will make
// available/used, and its wrap counter there).  added: descriptors made available/used since
// its previous decision (0..ring_size).  ring_size: N, at most 32768.
constexpr bool packed_need_event(std::uint16_t off_wrap, std::uint16_t new_idx, bool new_wrap,
                                 std::uint16_t added, std::uint32_t ring_size) {
    std::uint16_t event = off_wrap_offset(off_wrap);
    if (off_wrap_wrap(off_wrap) != new_wrap) {
        event = static_cast<std::uint16_t>(event - ring_size);  // the event is in the previous lap
    }
    const auto old_idx = static_cast<std::uint16_t>(new_idx - added);
    return need_event(event, new_idx, old_idx);
}

// Spot checks of both rules, so a broken edit fails at compile time.
static_assert(need_event(0, 1, 0));              // first buffer after event 0 fires
static_assert(!need_event(0, 2, 1));             // ... and only once
static_assert(need_event(0xffff, 0, 0xfffe));    // across the u16 wrap
static_assert(!need_event(5, 5, 0));             // event == new: not reached yet
static_assert(packed_need_event(make_off_wrap(0, true), 0, false, 4, 4));   // lap 0 slot 0, ring of 4 filled
static_assert(!packed_need_event(make_off_wrap(0, false), 0, false, 4, 4)); // lap 1 slot 0: not yet

}  // namespace ringsim
