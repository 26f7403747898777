// ringsim/layouts/packed.hpp: the virtio packed ring (spec "Packed Virtqueues"),
// single-descriptor chains.
//
// Memory (each area line-aligned, none sharing a line):
//   desc          N x 16  {addr, len, id, flags}: written by BOTH roles (driver makes a
//                         descriptor available, the device overwrites it as used)
//   driver-event  4       {off_wrap, flags}: written by the driver, read by the device
//                         (controls used-buffer notifications = calls)
//   device-event  4       written by the device, read by the driver (controls kicks)
//   driver-state / driver-tokens / driver-free-ids, device-state: private
// Positions are kept as u16 "idx | wrap << 15" (the off_wrap encoding), so one relaxed
// load gives the watchdog a consistent index and wrap counter.
// Invariants ("Driver and Device Ring Wrap Counters"):
//   - both wrap counters start at 1 and flip when the position passes N-1;
//   - available: AVAIL == driver wrap, USED == !driver wrap; used: AVAIL == USED == device wrap;
//   - the device writes used descriptors at its own used position, which with in-order
//     completion is the slot where it found the buffer ("Next Flag: Descriptor Chaining");
//   - Buffer IDs come from a private free-id list; outstanding <= N.
//
// Batching: within one batch (the adds before driver_publish, or the pushes before
// device_publish) every descriptor except the FIRST gets its flags with a plain relaxed
// store; the first one's flags are written last, by publish_store.  The peer polls only its
// next position, so it cannot look at descriptor k+1 of a batch before it has seen the first
// one, and the one publish barrier orders every field of the batch before that flag -- the
// spec's "head flags written last" rule for a chain, applied to a batch: one barrier per
// batch, as the split ring pays for avail->idx.
//
// Barrier sites and pairings:
//   A  driver_publish:      publish_store(first desc flags)           pairs with B
//   B  device_pop:          consume_load(desc flags) before its fields pairs with A
//   C  device_publish:      publish_store(first used desc flags)      pairs with D
//   D  driver_reap:         consume_load(desc flags) before id/len     pairs with C
//   E  driver_kick_needed:  notify_check, then read device-event      pairs with F
//   F  device_enable_kicks: write device-event, notify_check, re-check desc flags   pairs with E
//   G  device_call_needed:  notify_check, then read driver-event      pairs with H
//   H  driver_enable_calls: write driver-event, notify_check, re-check desc flags   pairs with G
//   I  *_enable_* in event_idx mode: publish_store(event flags = DESC) after off_wrap, so a
//      reader that sees DESC sees the new off_wrap; pairs with the reader's single 32-bit
//      load of the whole event structure (as Linux reads it).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "ringsim/concepts.hpp"
#include "ringsim/event_rules.hpp"
#include "ringsim/layouts/common.hpp"
#include "ringsim/shared_area.hpp"
#include "ringsim/virtio_defs.hpp"

namespace ringsim {

template <class B>
class PackedRing {
public:
    static constexpr std::string_view name = "packed";
    static constexpr bool supports_notify(NotifyMode) { return true; }

    explicit PackedRing(const RingOptions& o = {})
        : n_(o.size), notify_(o.notify), mem_(check(o)) {
        const auto i_desc = mem_.add("desc", sizeof(virtio::PackedDesc) * n_, true);
        const auto i_drv_evt = mem_.add("driver-event", sizeof(virtio::PackedEventSuppress), true);
        const auto i_dev_evt = mem_.add("device-event", sizeof(virtio::PackedEventSuppress), true);
        const auto i_drv = mem_.add("driver-state", sizeof(DriverState), false);
        const auto i_tok = mem_.add("driver-tokens", sizeof(std::uint32_t) * n_, false);
        const auto i_ids = mem_.add("driver-free-ids", sizeof(std::uint16_t) * n_, false);
        const auto i_dev = mem_.add("device-state", sizeof(DeviceState), false);
        mem_.allocate();
        desc_ = mem_.template at<virtio::PackedDesc>(i_desc);
        drv_evt_ = mem_.template at<virtio::PackedEventSuppress>(i_drv_evt);
        dev_evt_ = mem_.template at<virtio::PackedEventSuppress>(i_dev_evt);
        drv_ = mem_.template at<DriverState>(i_drv);
        dev_ = mem_.template at<DeviceState>(i_dev);
        ids_ = detail::IdPool(mem_.template at<std::uint16_t>(i_ids), mem_.template at<std::uint32_t>(i_tok),
                              &drv_->num_free, n_);
        const std::uint16_t start = make_off_wrap(0, true);  // both wrap counters start at 1
        drv_->next_avail = drv_->published = drv_->last_used = start;
        dev_->next_avail = dev_->next_used = dev_->published = start;
        drv_->evt_flags = dev_->evt_flags = virtio::kRingEventFlagsEnable;  // zeroed = ENABLE
    }

    std::uint32_t size() const { return n_; }

    // Driver side ---------------------------------------------------------------
    std::uint32_t driver_free() const { return ids_.free(); }

    void driver_add(std::uint32_t token, std::uint64_t addr, std::uint32_t len) {
        if (ids_.free() == 0) [[unlikely]] detail::throw_driver_full(name);
        const std::uint16_t id = ids_.take(token);
        const std::uint16_t pos = drv_->next_avail;
        virtio::PackedDesc* d = &desc_[off_wrap_offset(pos)];
        detail::write_once(&d->addr, addr);
        detail::write_once(&d->len, len);
        detail::write_once(&d->id, id);
        const std::uint16_t flags = avail_flags(off_wrap_wrap(pos));
        if (drv_->batch_count++ == 0) {
            drv_->batch_head = off_wrap_offset(pos);
            drv_->batch_head_flags = flags;  // written last, by A
        } else {
            detail::write_once(&d->flags, flags);  // ordered by A before the head's flags
        }
        detail::write_once(&drv_->next_avail, advance(pos));
    }

    void driver_publish() {
        if (drv_->batch_count == 0) return;
        // A: every field of the batch before the first descriptor's flags.  Pairs with B.
        B::publish_store(&desc_[drv_->batch_head].flags, drv_->batch_head_flags);
        drv_->added_since_kick = static_cast<std::uint16_t>(drv_->added_since_kick + drv_->batch_count);
        drv_->batch_count = 0;
        detail::write_once(&drv_->published, drv_->next_avail);
    }

    bool driver_kick_needed() {
        if (notify_ == NotifyMode::poll) return false;
        // E: the flags store (A) before reading device-event.  Pairs with F.
        B::notify_check();
        const virtio::PackedEventSuppress ev = load_event(dev_evt_);
        const std::uint16_t added = drv_->added_since_kick;
        drv_->added_since_kick = 0;
        return decide(ev, drv_->published, added);
    }

    ReapStatus driver_reap(std::uint32_t& token, std::uint32_t& len) {
        const std::uint16_t pos = drv_->last_used;
        virtio::PackedDesc* d = &desc_[off_wrap_offset(pos)];
        // D: flags before id and len.  Pairs with C in device_publish.
        const std::uint16_t flags = B::consume_load(&d->flags);
        if (!is_used(flags, off_wrap_wrap(pos))) return ReapStatus::empty;
        const std::uint16_t id = detail::read_once(&d->id);
        const std::uint32_t elen = detail::read_once(&d->len);
        detail::write_once(&drv_->last_used, advance(pos));
        const ReapStatus st = ids_.give_back(id, token);
        if (st == ReapStatus::ok) len = elen;
        return st;
    }

    void driver_disable_calls() {
        if (notify_ == NotifyMode::poll || drv_->evt_flags == virtio::kRingEventFlagsDisable) return;
        drv_->evt_flags = virtio::kRingEventFlagsDisable;
        detail::write_once(&drv_evt_->flags, virtio::kRingEventFlagsDisable);
    }

    bool driver_enable_calls() {
        if (notify_ != NotifyMode::poll) {
            // Ask for a call when the descriptor at our next reap position is used.
            enable_event(drv_evt_, drv_->evt_flags, detail::read_once(&drv_->last_used));
            // H: the event store before the re-check.  Pairs with G.
            B::notify_check();
        }
        const std::uint16_t pos = detail::read_once(&drv_->last_used);
        return is_used(B::consume_load(&desc_[off_wrap_offset(pos)].flags), off_wrap_wrap(pos));  // D
    }

    // Device side ---------------------------------------------------------------
    bool device_pop(std::uint16_t& id, std::uint64_t& addr, std::uint32_t& len) {
        const std::uint16_t pos = dev_->next_avail;
        const virtio::PackedDesc* d = &desc_[off_wrap_offset(pos)];
        // B: flags before addr, len and id.  Pairs with A in driver_publish.
        const std::uint16_t flags = B::consume_load(&d->flags);
        if (!is_avail(flags, off_wrap_wrap(pos))) return false;
        addr = detail::read_once(&d->addr);
        len = detail::read_once(&d->len);
        id = detail::read_once(&d->id);
        detail::write_once(&dev_->next_avail, advance(pos));
        return true;
    }

    void device_push(std::uint16_t id, std::uint32_t len) {
        const std::uint16_t pos = dev_->next_used;
        virtio::PackedDesc* d = &desc_[off_wrap_offset(pos)];
        detail::write_once(&d->id, id);
        detail::write_once(&d->len, len);
        const std::uint16_t flags = used_flags(off_wrap_wrap(pos));
        if (dev_->batch_count++ == 0) {
            dev_->batch_head = off_wrap_offset(pos);
            dev_->batch_head_flags = flags;  // written last, by C
        } else {
            detail::write_once(&d->flags, flags);  // ordered by C before the head's flags
        }
        detail::write_once(&dev_->next_used, advance(pos));
    }

    void device_publish() {
        if (dev_->batch_count == 0) return;
        // C: every used descriptor of the batch before the first one's flags.  Pairs with D.
        B::publish_store(&desc_[dev_->batch_head].flags, dev_->batch_head_flags);
        dev_->used_since_call = static_cast<std::uint16_t>(dev_->used_since_call + dev_->batch_count);
        dev_->batch_count = 0;
        detail::write_once(&dev_->published, dev_->next_used);
    }

    bool device_call_needed() {
        if (notify_ == NotifyMode::poll) return false;
        // G: the flags store (C) before reading driver-event.  Pairs with H.
        B::notify_check();
        const virtio::PackedEventSuppress ev = load_event(drv_evt_);
        const std::uint16_t added = dev_->used_since_call;
        dev_->used_since_call = 0;
        return decide(ev, dev_->published, added);
    }

    void device_disable_kicks() {
        if (notify_ == NotifyMode::poll || dev_->evt_flags == virtio::kRingEventFlagsDisable) return;
        dev_->evt_flags = virtio::kRingEventFlagsDisable;
        detail::write_once(&dev_evt_->flags, virtio::kRingEventFlagsDisable);
    }

    bool device_enable_kicks() {
        if (notify_ != NotifyMode::poll) {
            // Ask for a kick when the descriptor at our next pop position is made available.
            enable_event(dev_evt_, dev_->evt_flags, detail::read_once(&dev_->next_avail));
            // F: the event store before the re-check.  Pairs with E.
            B::notify_check();
        }
        const std::uint16_t pos = detail::read_once(&dev_->next_avail);
        return is_avail(B::consume_load(&desc_[off_wrap_offset(pos)].flags), off_wrap_wrap(pos));  // B
    }

    // Diagnostics (any thread, racy) ---------------------------------------------
    bool pending_for_device() const {
        const std::uint16_t pos = detail::read_once(&dev_->next_avail);
        return is_avail(detail::read_once(&desc_[off_wrap_offset(pos)].flags), off_wrap_wrap(pos));
    }
    bool pending_for_driver() const {
        const std::uint16_t pos = detail::read_once(&drv_->last_used);
        return is_used(detail::read_once(&desc_[off_wrap_offset(pos)].flags), off_wrap_wrap(pos));
    }

    RingSnapshot snapshot() const {
        RingSnapshot s{};
        s.driver_published = detail::read_once(&drv_->published);
        s.device_seen = detail::read_once(&dev_->next_avail);
        s.device_published = detail::read_once(&dev_->published);
        s.driver_seen = detail::read_once(&drv_->last_used);
        s.avail_flags_or_driver_event_flags = detail::read_once(&drv_evt_->flags);
        s.used_flags_or_device_event_flags = detail::read_once(&dev_evt_->flags);
        s.used_event_or_driver_off_wrap = detail::read_once(&drv_evt_->off_wrap);
        s.avail_event_or_device_off_wrap = detail::read_once(&dev_evt_->off_wrap);
        return s;
    }

    std::vector<Area> areas() const { return mem_.areas(); }

private:
    struct DriverState {
        std::uint16_t next_avail;        // next slot to fill | driver wrap << 15   [watchdog]
        std::uint16_t published;         // next_avail at the last publish          [watchdog]
        std::uint16_t last_used;         // next slot to reap | expected wrap << 15 [watchdog]
        std::uint16_t batch_head;        // slot of the batch's first descriptor
        std::uint16_t batch_head_flags;  // its flags, stored last by A
        std::uint16_t batch_count;       // adds since the last publish
        std::uint16_t added_since_kick;  // "old" of the event rule, as a distance
        std::uint16_t evt_flags;         // shadow of driver-event flags
        std::uint32_t num_free;          // free Buffer IDs (IdPool's count)
    };
    struct DeviceState {
        std::uint16_t next_avail;        // next slot to pop | expected driver wrap << 15 [watchdog]
        std::uint16_t next_used;         // next slot to write used | device wrap << 15   [watchdog]
        std::uint16_t published;         // next_used at the last publish                 [watchdog]
        std::uint16_t batch_head;
        std::uint16_t batch_head_flags;
        std::uint16_t batch_count;
        std::uint16_t used_since_call;
        std::uint16_t evt_flags;         // shadow of device-event flags
    };

    static std::uint32_t check(const RingOptions& o) {
        detail::validate_ring_options(o, name, true, "poll, flags or event_idx");
        return o.cache_line;
    }

    static constexpr std::uint16_t avail_flags(bool wrap) {
        return wrap ? virtio::kPackedDescFAvail : virtio::kPackedDescFUsed;
    }
    static constexpr std::uint16_t used_flags(bool wrap) {
        return wrap ? static_cast<std::uint16_t>(virtio::kPackedDescFAvail | virtio::kPackedDescFUsed) : 0;
    }
    static constexpr bool is_avail(std::uint16_t flags, bool wrap) {
        return ((flags & virtio::kPackedDescFAvail) != 0) == wrap &&
               ((flags & virtio::kPackedDescFUsed) != 0) != wrap;
    }
    static constexpr bool is_used(std::uint16_t flags, bool wrap) {
        return ((flags & virtio::kPackedDescFAvail) != 0) == wrap &&
               ((flags & virtio::kPackedDescFUsed) != 0) == wrap;
    }

    std::uint16_t advance(std::uint16_t pos) const {
        std::uint16_t idx = static_cast<std::uint16_t>(off_wrap_offset(pos) + 1);
        bool wrap = off_wrap_wrap(pos);
        if (idx == n_) {
            idx = 0;
            wrap = !wrap;
        }
        return make_off_wrap(idx, wrap);
    }

    // One 32-bit relaxed load of {off_wrap, flags}, so the pair is consistent (I).
    // may_alias: the structure is written through its u16 fields.
    static virtio::PackedEventSuppress load_event(const virtio::PackedEventSuppress* p) {
        using word_t [[gnu::may_alias]] = std::uint32_t;
        const std::uint32_t raw = __atomic_load_n(reinterpret_cast<const word_t*>(p), __ATOMIC_RELAXED);
        virtio::PackedEventSuppress ev;
        std::memcpy(&ev, &raw, sizeof ev);  // field order as in memory, whatever the endianness
        return ev;
    }

    void enable_event(virtio::PackedEventSuppress* evt, std::uint16_t& shadow, std::uint16_t off_wrap) {
        if (notify_ == NotifyMode::event_idx) {
            detail::write_once(&evt->off_wrap, off_wrap);
            if (shadow != virtio::kRingEventFlagsDesc) {
                shadow = virtio::kRingEventFlagsDesc;
                // I: off_wrap before flags = DESC.
                B::publish_store(&evt->flags, virtio::kRingEventFlagsDesc);
            }
        } else if (shadow != virtio::kRingEventFlagsEnable) {
            shadow = virtio::kRingEventFlagsEnable;
            detail::write_once(&evt->flags, virtio::kRingEventFlagsEnable);
        }
    }

    // The notifier's decision, given the peer's event structure and the notifier's published
    // position (idx | wrap << 15) and how many descriptors it moved since the last decision.
    bool decide(virtio::PackedEventSuppress ev, std::uint16_t published, std::uint16_t added) const {
        if (ev.flags == virtio::kRingEventFlagsDisable) return false;
        if (ev.flags == virtio::kRingEventFlagsDesc && notify_ == NotifyMode::event_idx) {
            return packed_need_event(ev.off_wrap, off_wrap_offset(published), off_wrap_wrap(published),
                                     added, n_);
        }
        return true;  // ENABLE (and, conservatively, anything reserved)
    }

    std::uint32_t n_;
    NotifyMode notify_;
    AreaSet mem_;
    virtio::PackedDesc* desc_ = nullptr;
    virtio::PackedEventSuppress* drv_evt_ = nullptr;
    virtio::PackedEventSuppress* dev_evt_ = nullptr;
    DriverState* drv_ = nullptr;
    DeviceState* dev_ = nullptr;
    detail::IdPool ids_;
};

}  // namespace ringsim
