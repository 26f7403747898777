// ringsim/layouts/packed.hpp: the virtio packed ring (spec "Packed Virtqueues"):
// single-descriptor buffers on the fast face, chains of consecutive descriptors or indirect
// tables on the chain face (see "Chains" below and ringsim/README.md).
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

    explicit PackedRing(const RingOptions& o = {}) : PackedRing(o, false) {}

protected:
    // in_order: packed-inorder (packed_inorder.hpp) keeps its ids by slot and needs the
    // chain bookkeeping even for single descriptors.
    PackedRing(const RingOptions& o, bool in_order)
        : n_(o.size), notify_(o.notify), mem_(check(o)) {
        const auto i_desc = mem_.add("desc", sizeof(virtio::PackedDesc) * n_, true);
        const auto i_drv_evt = mem_.add("driver-event", sizeof(virtio::PackedEventSuppress), true);
        const auto i_dev_evt = mem_.add("device-event", sizeof(virtio::PackedEventSuppress), true);
        const auto i_drv = mem_.add("driver-state", sizeof(DriverState), false);
        const auto i_tok = mem_.add("driver-tokens", sizeof(std::uint32_t) * n_, false);
        const auto i_ids = mem_.add("driver-free-ids", sizeof(std::uint16_t) * n_, false);
        const auto i_dev = mem_.add("device-state", sizeof(DeviceState), false);
        // Chains (--sg, --indirect) and packed-inorder: only when asked for, so a
        // single-descriptor ring's memory is exactly what it was.
        detail::validate_chain_options(o, name);
        const bool chains = detail::chains_enabled(o) || in_order;
        std::size_t i_chain = 0, i_ndesc = 0, i_lens = 0, i_devc = 0, i_ind = 0;
        if (chains) {
            max_chain_ = o.max_chain;
            i_chain = mem_.add("driver-chain-state", sizeof(ChainState), false);
            i_ndesc = mem_.add("driver-chain-descs", sizeof(std::uint16_t) * n_, false);
            i_lens = mem_.add("driver-lens", sizeof(std::uint32_t) * n_, false);
            i_devc = mem_.add("device-chain-state", sizeof(DeviceChainState), false);
            if (o.indirect) {
                // Preallocated: one table per Buffer ID, so nothing is allocated per buffer
                // and a table is rewritten only after its id came back used.
                ind_stride_ = detail::indirect_stride(o.max_chain);
                i_ind = mem_.add("indirect", sizeof(virtio::PackedIndirectDesc) * n_ * ind_stride_, true);
            }
        }
        mem_.allocate();
        if (chains) {
            chs_ = mem_.template at<ChainState>(i_chain);
            ndesc_ = mem_.template at<std::uint16_t>(i_ndesc);
            lens_ = mem_.template at<std::uint32_t>(i_lens);
            devc_ = mem_.template at<DeviceChainState>(i_devc);
            if (o.indirect) ind_ = mem_.template at<virtio::PackedIndirectDesc>(i_ind);
            chs_->free_descs = n_;
        }
        tokens_ = mem_.template at<std::uint32_t>(i_tok);
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

public:
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
        detail::driver_notify_check<B>();
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
            detail::driver_notify_check<B>();
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

    // Chains ------------------------------------------------------------------
    // A direct chain takes k consecutive descriptors from next_avail (across the ring's end,
    // each with the wrap counter of its own position), NEXT on all but the last, the Buffer
    // ID in the last only, the head's flags written last.  An indirect chain takes one ring
    // descriptor (INDIRECT, the id) pointing at the id's table, a plain array with WRITE as
    // its only flag.  The used descriptor comes back at the device's used position, which
    // then skips the chain's k descriptors; the driver keeps k per id to skip the same way.
    std::uint32_t driver_chain_room(std::uint32_t n, bool indirect) const {
        if (!chain_fits(n, indirect)) return 0;
        const std::uint32_t by_descs = chs_->free_descs / ring_descs_for(n, indirect);
        return by_descs < ids_.free() ? by_descs : ids_.free();
    }

    bool driver_add_chain(std::uint32_t token, const Segment* segs, std::uint32_t n, bool indirect) {
        const std::uint32_t k = ring_descs_for(n, indirect);
        if (!chain_fits(n, indirect) || chs_->free_descs < k || ids_.free() == 0) return false;
        const std::uint16_t id = ids_.take(token);
        ndesc_[id] = static_cast<std::uint16_t>(k);
        chs_->free_descs -= k;
        write_chain(id, segs, n, indirect);
        return true;
    }

    ReapStatus driver_reap_chain(std::uint32_t& token, std::uint32_t& len) {
        const std::uint16_t pos = drv_->last_used;
        virtio::PackedDesc* d = &desc_[off_wrap_offset(pos)];
        // D: flags before id and len.  Pairs with C in device_publish.
        const std::uint16_t flags = B::consume_load(&d->flags);
        if (!is_used(flags, off_wrap_wrap(pos))) return ReapStatus::empty;
        const std::uint16_t id = detail::read_once(&d->id);
        const std::uint32_t elen = detail::read_once(&d->len);
        const ReapStatus st = ids_.give_back(id, token);
        if (st != ReapStatus::ok) {
            detail::write_once(&drv_->last_used, advance(pos));
            return st;
        }
        detail::write_once(&drv_->last_used, advance_by(pos, ndesc_[id]));
        chs_->free_descs += ndesc_[id];
        len = elen;
        return ReapStatus::ok;
    }

    bool device_pop_chain(PoppedChain& c) {
        std::uint16_t pos = dev_->next_avail;
        const virtio::PackedDesc* d = &desc_[off_wrap_offset(pos)];
        // B: the head's flags before everything else of the chain.  Pairs with A.
        std::uint16_t flags = B::consume_load(&d->flags);
        if (!is_avail(flags, off_wrap_wrap(pos))) return false;
        c.count = 0;
        c.ring_descs = 0;
        c.indirect = false;
        c.malformed = false;
        if (flags & virtio::kDescFIndirect) {
            c.indirect = true;
            c.ring_descs = 1;
            c.id = detail::read_once(&d->id);
            std::uint32_t entries = 0;
            const virtio::PackedIndirectDesc* t =
                detail::find_indirect_table(static_cast<const virtio::PackedIndirectDesc*>(ind_), n_, ind_stride_,
                                            detail::read_once(&d->addr), detail::read_once(&d->len), entries);
            // "A driver MUST NOT write direct descriptors with DESC_F_INDIRECT set in a
            // scatter-gather list linked by VIRTQ_DESC_F_NEXT."
            if (t == nullptr || (flags & virtio::kDescFNext)) {
                c.malformed = true;
            } else {
                for (std::uint32_t i = 0; i < entries; ++i) {
                    const std::uint16_t f = detail::read_once(&t[i].flags);
                    // WRITE is the only valid flag in an indirect table: anything else means
                    // the driver built it wrong.
                    if (f & ~virtio::kDescFWrite) c.malformed = true;
                    c.seg[c.count++] = Segment{detail::read_once(&t[i].addr), detail::read_once(&t[i].len),
                                               (f & virtio::kDescFWrite) != 0};
                }
            }
        } else {
            for (;;) {
                c.seg[c.count++] = Segment{detail::read_once(&d->addr), detail::read_once(&d->len),
                                           (flags & virtio::kDescFWrite) != 0};
                ++c.ring_descs;
                if (!(flags & virtio::kDescFNext)) {
                    c.id = detail::read_once(&d->id);  // the Buffer ID sits in the last descriptor
                    break;
                }
                if (c.count == kMaxChain || c.count == n_) {  // longer than any chain we build
                    c.malformed = true;
                    c.id = detail::read_once(&d->id);
                    break;
                }
                pos = advance(pos);
                d = &desc_[off_wrap_offset(pos)];
                // The rest of the chain was written before the head's flags (A), so it is
                // visible; it must carry this position's available encoding too.
                flags = detail::read_once(&d->flags);
                if (!is_avail(flags, off_wrap_wrap(pos)) || (flags & virtio::kDescFIndirect)) c.malformed = true;
            }
        }
        detail::write_once(&dev_->next_avail, advance_by(dev_->next_avail, c.ring_descs));
        return true;
    }

    void device_push_chain(std::uint16_t id, std::uint16_t ring_descs, std::uint32_t len) {
        const std::uint16_t pos = dev_->next_used;
        virtio::PackedDesc* d = &desc_[off_wrap_offset(pos)];
        detail::write_once(&d->id, id);
        detail::write_once(&d->len, len);
        const std::uint16_t flags = used_flags(off_wrap_wrap(pos));
        if (dev_->batch_count == 0) {
            dev_->batch_head = off_wrap_offset(pos);
            dev_->batch_head_flags = flags;  // written last, by C
        } else {
            detail::write_once(&d->flags, flags);  // ordered by C before the head's flags
        }
        // batch_count counts descriptors here: the event rule measures ring distance.
        dev_->batch_count = static_cast<std::uint16_t>(dev_->batch_count + ring_descs);
        detail::write_once(&dev_->next_used, advance_by(pos, ring_descs));
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

protected:
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

    struct ChainState {
        std::uint32_t free_descs;        // ring descriptors not in flight
        std::uint32_t inflight;          // packed-inorder: buffers in flight
        std::uint16_t batch_left;        // packed-inorder: buffers left in the used batch
        std::uint32_t batch_len;         // packed-inorder: used len of the batch's last buffer
    };
    struct DeviceChainState {            // packed-inorder: the batch's last completion
        std::uint16_t last_id;
        std::uint32_t last_len;
    };

    static std::uint32_t ring_descs_for(std::uint32_t n, bool indirect) { return indirect ? 1 : n; }
    bool chain_fits(std::uint32_t n, bool indirect) const {
        if (chs_ == nullptr || n < 1 || n > max_chain_ || (!indirect && n > n_)) return false;
        return !indirect || ind_ != nullptr;
    }
    static std::uint16_t seg_flags(const Segment& s, bool more) {
        return static_cast<std::uint16_t>((more ? virtio::kDescFNext : 0) | (s.device_writes ? virtio::kDescFWrite : 0));
    }

    // Writes one chain at next_avail with Buffer ID `id` (the caller has checked room).
    void write_chain(std::uint16_t id, const Segment* segs, std::uint32_t n, bool indirect) {
        const std::uint16_t head = drv_->next_avail;
        std::uint32_t k = 1;
        std::uint64_t head_addr = segs[0].addr;
        std::uint32_t head_len = segs[0].len;
        std::uint16_t head_flags = avail_flags(off_wrap_wrap(head));
        if (indirect) {
            virtio::PackedIndirectDesc* t = &ind_[std::size_t(id) * ind_stride_];
            for (std::uint32_t i = 0; i < n; ++i) {
                detail::write_once(&t[i].addr, segs[i].addr);
                detail::write_once(&t[i].len, segs[i].len);
                detail::write_once(&t[i].id, std::uint16_t{0});  // reserved in a table
                detail::write_once(&t[i].flags,
                                   static_cast<std::uint16_t>(segs[i].device_writes ? virtio::kDescFWrite : 0));
            }
            head_addr = reinterpret_cast<std::uint64_t>(t);
            head_len = static_cast<std::uint32_t>(n * sizeof(*t));
            head_flags = static_cast<std::uint16_t>(head_flags | virtio::kDescFIndirect);
        } else {
            k = n;
            head_flags = static_cast<std::uint16_t>(head_flags | seg_flags(segs[0], n > 1));
            // The tail first, each with its own position's wrap encoding; the id in the last.
            std::uint16_t pos = head;
            for (std::uint32_t i = 1; i < n; ++i) {
                pos = advance(pos);
                virtio::PackedDesc* d = &desc_[off_wrap_offset(pos)];
                detail::write_once(&d->addr, segs[i].addr);
                detail::write_once(&d->len, segs[i].len);
                detail::write_once(&d->id, static_cast<std::uint16_t>(i + 1 == n ? id : 0));
                detail::write_once(&d->flags,
                                   static_cast<std::uint16_t>(avail_flags(off_wrap_wrap(pos)) | seg_flags(segs[i], i + 1 < n)));
            }
        }
        virtio::PackedDesc* h = &desc_[off_wrap_offset(head)];
        detail::write_once(&h->addr, head_addr);
        detail::write_once(&h->len, head_len);
        detail::write_once(&h->id, static_cast<std::uint16_t>(k == 1 ? id : 0));
        if (drv_->batch_count == 0) {
            drv_->batch_head = off_wrap_offset(head);
            drv_->batch_head_flags = head_flags;  // written last, by A
        } else {
            // Ordered by A before the batch head's flags; still after this chain's tail.
            detail::write_once(&h->flags, head_flags);
        }
        // batch_count counts descriptors here: the event rule measures ring distance.
        drv_->batch_count = static_cast<std::uint16_t>(drv_->batch_count + k);
        detail::write_once(&drv_->next_avail, advance_by(head, k));
    }

    std::uint16_t advance_by(std::uint16_t pos, std::uint32_t k) const {
        std::uint32_t idx = off_wrap_offset(pos) + k;
        bool wrap = off_wrap_wrap(pos);
        if (idx >= n_) {  // k <= n_: at most one lap
            idx -= n_;
            wrap = !wrap;
        }
        return make_off_wrap(static_cast<std::uint16_t>(idx), wrap);
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
    // Chains and packed-inorder (null unless enabled).
    std::uint32_t* tokens_ = nullptr;    // the token map behind ids_; packed-inorder: by head slot
    ChainState* chs_ = nullptr;
    std::uint16_t* ndesc_ = nullptr;     // ring descriptors of the chain with this id
    std::uint32_t* lens_ = nullptr;      // packed-inorder: used len assumed for a skipped buffer
    DeviceChainState* devc_ = nullptr;
    virtio::PackedIndirectDesc* ind_ = nullptr;  // n_ tables of ind_stride_ entries
    std::uint32_t max_chain_ = 1, ind_stride_ = 0;
};

}  // namespace ringsim
