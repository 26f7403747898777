// ringsim/layouts/split.hpp: the virtio split ring (spec "Split Virtqueues"): one
// single-descriptor buffer per available entry on the fast face, or a chain (through next
// with NEXT, or in a preallocated indirect table) on the chain face (ringsim/README.md).
//
// Memory (each area line-aligned, none sharing a line; see shared_area.hpp):
//   desc    N x 16  written by the driver, read by the device
//   avail   6 + 2N  {flags, idx, ring[N], used_event}: written by the driver
//   used    6 + 8N  {flags, idx, {id,len}[N], avail_event}: written by the device
//   driver-state / driver-tokens / driver-free-ids, device-state: private to one role
// Invariants:
//   - indices are free-running u16; slot = idx & (N - 1); N <= 32768 keeps full != empty.
//   - avail->idx - last_avail <= N and used->idx - last_used <= N.
//   - a descriptor head is either on the driver's free list or outstanding (token map set).
//
// Barrier sites and their pairings (the letters are used at each site below):
//   A  driver_publish:      publish_store(avail->idx)   pairs with B
//   B  device_pop:          consume_load(avail->idx)    pairs with A
//   C  device_publish:      publish_store(used->idx)    pairs with D
//   D  driver_reap:         consume_load(used->idx)     pairs with C
//   E  driver_kick_needed:  notify_check, then read used->flags / avail_event   pairs with F
//   F  device_enable_kicks: write used->flags / avail_event, notify_check, re-read avail->idx  pairs with E
//   G  device_call_needed:  notify_check, then read avail->flags / used_event   pairs with H
//   H  driver_enable_calls: write avail->flags / used_event, notify_check, re-read used->idx   pairs with G
// E/F and G/H are the two halves of the no-lost-notification protocol (docs/protocol.md, "Notifications"):
// with a store->load barrier on both sides, either the notifier sees the re-enabled
// suppression word, or the sleeper's re-check sees the newly published index.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "ringsim/concepts.hpp"
#include "ringsim/event_rules.hpp"
#include "ringsim/layouts/common.hpp"
#include "ringsim/shared_area.hpp"
#include "ringsim/virtio_defs.hpp"

namespace ringsim {
namespace detail {

// Everything split and split-inorder have in common: the shared areas, the device's pop,
// the notification decisions, and the diagnostics.  The two layouts differ only in how the
// driver picks descriptor heads and how completions are written to and read from `used`.
template <class B>
class SplitBase {
public:
    static constexpr bool supports_notify(NotifyMode) { return true; }

    std::uint32_t size() const { return n_; }

    // Driver side ---------------------------------------------------------------
    void driver_publish() {
        if (drv_->avail_idx == drv_->avail_published) return;  // nothing added: no line transfer
        // A: descriptors and avail->ring entries before avail->idx.  Pairs with B in device_pop.
        B::publish_store(avail_idx_, drv_->avail_idx);
        drv_->avail_published = drv_->avail_idx;
    }

    bool driver_kick_needed() {
        if (notify_ == NotifyMode::poll) return false;
        // E: the avail->idx store (A) before the suppression load.  Pairs with F in
        // device_enable_kicks.
        detail::driver_notify_check<B>();
        if (notify_ == NotifyMode::flags) return (read_once(used_flags_) & virtio::kUsedFNoNotify) == 0;
        const std::uint16_t now = drv_->avail_published;
        const std::uint16_t old = drv_->kick_old;
        drv_->kick_old = now;  // "old" advances on every decision, notified or not
        return need_event(read_once(avail_event_), now, old);
    }

    void driver_disable_calls() {
        if (notify_ == NotifyMode::poll || !drv_->calls_enabled) return;
        drv_->calls_enabled = false;
        if (notify_ == NotifyMode::flags) {
            write_once(avail_flags_, virtio::kAvailFNoInterrupt);
        } else {
            // event_idx: the spec has no "off" for used_event; point it just behind what we have
            // reaped, so the device's window [old, new) reaches it only after 2^16 completions.
            write_once(used_event_, static_cast<std::uint16_t>(read_once(&drv_->last_used) - 1));
        }
    }

    bool driver_enable_calls() {
        if (notify_ != NotifyMode::poll) {
            if (notify_ == NotifyMode::flags) {
                if (!drv_->calls_enabled) write_once(avail_flags_, std::uint16_t{0});
            } else {
                // Ask for a call when the device writes the used entry at last_used.
                write_once(used_event_, read_once(&drv_->last_used));
            }
            drv_->calls_enabled = true;
            // H: the suppression store before the used->idx re-check.  Pairs with G in
            // device_call_needed.
            detail::driver_notify_check<B>();
        }
        const std::uint16_t used = B::consume_load(used_idx_);  // D (re-check)
        drv_->cached_used = used;
        return used != read_once(&drv_->last_used);
    }

    // Device side ---------------------------------------------------------------
    bool device_pop(std::uint16_t& id, std::uint64_t& addr, std::uint32_t& len) {
        std::uint16_t last, head;
        if (!next_avail_head(last, head)) return false;
        // A well-behaved driver never writes head >= N; the mask only keeps a corrupted ring
        // inside its memory (the bad head then comes back to the driver as not_outstanding).
        const virtio::SplitDesc* d = &desc_[head & mask_];
        addr = read_once(&d->addr);
        len = read_once(&d->len);
        id = head;
        write_once(&dev_->last_avail, static_cast<std::uint16_t>(last + 1));
        return true;
    }

    bool device_call_needed() {
        if (notify_ == NotifyMode::poll) return false;
        // G: the used->idx store (C) before the suppression load.  Pairs with H.
        B::notify_check();
        if (notify_ == NotifyMode::flags) return (read_once(avail_flags_) & virtio::kAvailFNoInterrupt) == 0;
        const std::uint16_t now = dev_->used_published;
        const std::uint16_t old = dev_->call_old;
        dev_->call_old = now;
        return need_event(read_once(used_event_), now, old);
    }

    void device_disable_kicks() {
        if (notify_ == NotifyMode::poll || !dev_->kicks_enabled) return;
        dev_->kicks_enabled = false;
        if (notify_ == NotifyMode::flags) {
            write_once(used_flags_, virtio::kUsedFNoNotify);
        } else {
            write_once(avail_event_, static_cast<std::uint16_t>(read_once(&dev_->last_avail) - 1));
        }
    }

    bool device_enable_kicks() {
        if (notify_ != NotifyMode::poll) {
            if (notify_ == NotifyMode::flags) {
                if (!dev_->kicks_enabled) write_once(used_flags_, std::uint16_t{0});
            } else {
                // Ask for a kick when the driver makes the entry at last_avail available.
                write_once(avail_event_, read_once(&dev_->last_avail));
            }
            dev_->kicks_enabled = true;
            // F: the suppression store before the avail->idx re-check.  Pairs with E.
            B::notify_check();
        }
        const std::uint16_t avail = B::consume_load(avail_idx_);  // B (re-check)
        dev_->cached_avail = avail;
        return avail != read_once(&dev_->last_avail);
    }

    // Diagnostics (any thread, racy) ---------------------------------------------
    bool pending_for_device() const { return read_once(avail_idx_) != read_once(&dev_->last_avail); }
    bool pending_for_driver() const { return read_once(used_idx_) != read_once(&drv_->last_used); }

    RingSnapshot snapshot() const {
        RingSnapshot s{};
        s.driver_published = read_once(avail_idx_);
        s.device_seen = read_once(&dev_->last_avail);
        s.device_published = read_once(used_idx_);
        s.driver_seen = read_once(&drv_->last_used);
        s.avail_flags_or_driver_event_flags = read_once(avail_flags_);
        s.used_flags_or_device_event_flags = read_once(used_flags_);
        s.used_event_or_driver_off_wrap = read_once(used_event_);
        s.avail_event_or_device_off_wrap = read_once(avail_event_);
        return s;
    }

    std::vector<Area> areas() const { return mem_.areas(); }

protected:
    // Private state.  Fields the watchdog reads (last_used, last_avail) go through
    // read_once/write_once; the rest are touched by their owner only.
    struct DriverState {
        std::uint16_t avail_idx;        // next avail->idx (shadow; published by A)
        std::uint16_t avail_published;  // value last stored to avail->idx
        std::uint16_t kick_old;         // avail idx at the previous kick decision
        std::uint16_t last_used;        // next used entry to reap        [watchdog]
        std::uint16_t cached_used;      // used->idx as last read (D)
        std::uint16_t batch_left;       // in-order: completions left in the current used batch
        std::uint32_t batch_len;        // in-order: len of the batch's last buffer
        std::uint32_t num_free;         // descriptors the driver may add (split: IdPool's count)
        bool calls_enabled;             // shadow of avail->flags / used_event state
    };
    struct DeviceState {
        std::uint16_t last_avail;       // next avail entry to pop        [watchdog]
        std::uint16_t cached_avail;     // avail->idx as last read (B)
        std::uint16_t used_idx;         // next used->idx (shadow; published by C)
        std::uint16_t used_published;   // value last stored to used->idx
        std::uint16_t call_old;         // used idx at the previous call decision
        std::uint16_t pending;          // in-order: completions pushed since the last publish
        std::uint32_t pending_last_id;  // in-order: id of the last pushed completion
        std::uint32_t pending_last_len;
        bool kicks_enabled;
    };

    SplitBase(const RingOptions& o, std::string_view layout, bool with_free_list)
        : n_(o.size), mask_(o.size - 1), notify_(o.notify), mem_(check(o, layout)) {
        const auto i_desc = mem_.add("desc", sizeof(virtio::SplitDesc) * n_, true);
        const auto i_avail = mem_.add("avail", virtio::avail_bytes(n_), true);
        const auto i_used = mem_.add("used", virtio::used_bytes(n_), true);
        const auto i_drv = mem_.add("driver-state", sizeof(DriverState), false);
        const auto i_tok = mem_.add("driver-tokens", sizeof(std::uint32_t) * n_, false);
        const auto i_aux = mem_.add(with_free_list ? "driver-free-ids" : "driver-lens",
                                    with_free_list ? sizeof(std::uint16_t) * n_ : sizeof(std::uint32_t) * n_,
                                    false);
        const auto i_dev = mem_.add("device-state", sizeof(DeviceState), false);
        // Chains (--sg, --indirect): only when asked for, so a single-descriptor ring's
        // memory is exactly what it was.
        validate_chain_options(o, layout);
        std::size_t i_chain = 0, i_next = 0, i_ndesc = 0, i_ind = 0;
        if (chains_enabled(o)) {
            max_chain_ = o.max_chain;
            i_chain = mem_.add("driver-chain-state", sizeof(ChainState), false);
            i_next = mem_.add("driver-chain-next", sizeof(std::uint16_t) * n_, false);
            i_ndesc = mem_.add("driver-chain-descs", sizeof(std::uint16_t) * n_, false);
            if (o.indirect) {
                // Preallocated: one table per descriptor head, so nothing is allocated per
                // buffer and a table is rewritten only after its head came back used.
                ind_stride_ = indirect_stride(o.max_chain);
                i_ind = mem_.add("indirect", sizeof(virtio::SplitIndirectDesc) * n_ * ind_stride_, true);
            }
        }
        mem_.allocate();
        if (chains_enabled(o)) {
            chs_ = mem_.template at<ChainState>(i_chain);
            next_ = mem_.template at<std::uint16_t>(i_next);
            ndesc_ = mem_.template at<std::uint16_t>(i_ndesc);
            if (o.indirect) ind_ = mem_.template at<virtio::SplitIndirectDesc>(i_ind);
            chs_->free_descs = n_;
        }

        desc_ = mem_.template at<virtio::SplitDesc>(i_desc);
        auto* avail = mem_.template at<std::byte>(i_avail);
        avail_flags_ = reinterpret_cast<std::uint16_t*>(avail + virtio::kAvailFlagsOffset);
        avail_idx_ = reinterpret_cast<std::uint16_t*>(avail + virtio::kAvailIdxOffset);
        avail_ring_ = reinterpret_cast<std::uint16_t*>(avail + virtio::kAvailRingOffset);
        used_event_ = reinterpret_cast<std::uint16_t*>(avail + virtio::avail_used_event_offset(n_));
        auto* used = mem_.template at<std::byte>(i_used);
        used_flags_ = reinterpret_cast<std::uint16_t*>(used + virtio::kUsedFlagsOffset);
        used_idx_ = reinterpret_cast<std::uint16_t*>(used + virtio::kUsedIdxOffset);
        used_ring_ = reinterpret_cast<virtio::UsedElem*>(used + virtio::kUsedRingOffset);
        avail_event_ = reinterpret_cast<std::uint16_t*>(used + virtio::used_avail_event_offset(n_));

        drv_ = mem_.template at<DriverState>(i_drv);
        dev_ = mem_.template at<DeviceState>(i_dev);
        tokens_ = mem_.template at<std::uint32_t>(i_tok);
        if (with_free_list) {
            ids_ = IdPool(mem_.template at<std::uint16_t>(i_aux), tokens_, &drv_->num_free, n_);
        } else {  // in order: the id is the ring slot, the token map is indexed by it directly
            for (std::uint32_t i = 0; i < n_; ++i) tokens_[i] = kNoToken;
            lens_ = mem_.template at<std::uint32_t>(i_aux);
            drv_->num_free = n_;
        }
        // Zeroed rings mean "notifications enabled" (flags 0, event 0), as the spec initialises them.
        drv_->calls_enabled = true;
        dev_->kicks_enabled = true;
    }

    // Driver: one device-readable descriptor at `id`, and `id` in the next avail slot (made
    // visible by A in driver_publish).
    void write_desc(std::uint16_t id, std::uint64_t addr, std::uint32_t len) {
        virtio::SplitDesc* d = &desc_[id];
        write_once(&d->addr, addr);
        write_once(&d->len, len);
        write_once(&d->flags, std::uint16_t{0});
        write_once(&d->next, std::uint16_t{0});
        write_once(&avail_ring_[drv_->avail_idx & mask_], id);
        ++drv_->avail_idx;
    }

    // Driver: whether the used ring holds an entry at `last`, reading used->idx only when the
    // cached copy is used up.
    bool used_pending(std::uint16_t last) {
        if (last != drv_->cached_used) return true;
        // D: used->idx before the used element.  Pairs with C in device_publish.
        drv_->cached_used = B::consume_load(used_idx_);
        return drv_->cached_used != last;
    }

    // Chains ------------------------------------------------------------------
    struct ChainState {                 // in-order bookkeeping (split-inorder only)
        std::uint16_t next_desc;        // next descriptor slot to use, in ring order
        std::uint16_t reap_head;        // head of the oldest outstanding chain
        std::uint32_t free_descs;       // ring descriptors not in flight
        std::uint32_t inflight;         // chains in flight
    };

    // Ring descriptors a chain of n takes.
    static std::uint32_t ring_descs_for(std::uint32_t n, bool indirect) { return indirect ? 1 : n; }

    bool chain_fits(std::uint32_t n, bool indirect) const {
        if (n < 1 || n > max_chain_) return false;
        return !indirect || ind_ != nullptr;
    }

    // One descriptor of a direct chain, or the ring descriptor of an indirect one.
    void write_one(std::uint16_t slot, std::uint64_t addr, std::uint32_t len, std::uint16_t flags,
                   std::uint16_t next) {
        virtio::SplitDesc* d = &desc_[slot];
        write_once(&d->addr, addr);
        write_once(&d->len, len);
        write_once(&d->flags, flags);
        write_once(&d->next, next);
    }
    static std::uint16_t seg_flags(const Segment& s, bool more) {
        return static_cast<std::uint16_t>((more ? virtio::kDescFNext : 0) | (s.device_writes ? virtio::kDescFWrite : 0));
    }

    // The indirect table of `head`: entries chained through next = i + 1 with NEXT on all but
    // the last; the ring descriptor at `head` points at it with INDIRECT alone.
    void write_indirect(std::uint16_t head, const Segment* segs, std::uint32_t n) {
        virtio::SplitIndirectDesc* t = &ind_[std::size_t(head) * ind_stride_];
        for (std::uint32_t i = 0; i < n; ++i) {
            write_once(&t[i].addr, segs[i].addr);
            write_once(&t[i].len, segs[i].len);
            write_once(&t[i].flags, seg_flags(segs[i], i + 1 < n));
            write_once(&t[i].next, static_cast<std::uint16_t>(i + 1 < n ? i + 1 : 0));
        }
        write_one(head, reinterpret_cast<std::uint64_t>(t), static_cast<std::uint32_t>(n * sizeof(*t)),
                  virtio::kDescFIndirect, 0);
    }

    void push_avail(std::uint16_t head) {
        write_once(&avail_ring_[drv_->avail_idx & mask_], head);
        ++drv_->avail_idx;
    }

    // The next available head (at last, the device's last_avail), for both device paths
    // (single and chain); false when none is published.  Force-inlined so device_pop
    // compiles as before.
    [[gnu::always_inline]] bool next_avail_head(std::uint16_t& last, std::uint16_t& head) {
        last = dev_->last_avail;
        if (last == dev_->cached_avail) {
            // B: avail->idx before the ring entry and the descriptors.  Pairs with A.
            const std::uint16_t avail = B::consume_load(avail_idx_);
            dev_->cached_avail = avail;
            if (avail == last) return false;
        }
        head = read_once(&avail_ring_[last & mask_]);
        return true;
    }

public:
    // Device: the next available chain, direct (through next + NEXT) or indirect.  Every
    // index is masked or bounds-checked, so a corrupted ring reads only its own memory.
    bool device_pop_chain(PoppedChain& c) {
        std::uint16_t last, head;
        if (!next_avail_head(last, head)) return false;
        c.id = head;
        c.count = 0;
        c.ring_descs = 0;
        c.indirect = false;
        c.malformed = false;
        const virtio::SplitDesc* d = &desc_[head & mask_];
        std::uint16_t flags = read_once(&d->flags);
        if (flags & virtio::kDescFIndirect) {
            c.indirect = true;
            c.ring_descs = 1;
            std::uint32_t entries = 0;
            const virtio::SplitIndirectDesc* t =
                find_indirect_table(static_cast<const virtio::SplitIndirectDesc*>(ind_), n_, ind_stride_,
                                    read_once(&d->addr), read_once(&d->len), entries);
            // "A driver MUST NOT set both VIRTQ_DESC_F_INDIRECT and VIRTQ_DESC_F_NEXT".
            if (t == nullptr || (flags & virtio::kDescFNext)) {
                c.malformed = true;
            } else {
                std::uint32_t i = 0;
                for (;;) {
                    const std::uint16_t f = read_once(&t[i].flags);
                    c.seg[c.count++] = Segment{read_once(&t[i].addr), read_once(&t[i].len),
                                               (f & virtio::kDescFWrite) != 0};
                    if (f & virtio::kDescFIndirect) c.malformed = true;  // no nesting
                    if (!(f & virtio::kDescFNext)) break;
                    i = read_once(&t[i].next);
                    if (i >= entries || c.count == entries) {  // outside the table, or a loop
                        c.malformed = true;
                        break;
                    }
                }
            }
        } else {
            for (;;) {
                c.seg[c.count++] = Segment{read_once(&d->addr), read_once(&d->len), (flags & virtio::kDescFWrite) != 0};
                ++c.ring_descs;
                if (!(flags & virtio::kDescFNext)) break;
                if (c.count == kMaxChain) {  // longer than any chain the driver builds: a loop
                    c.malformed = true;
                    break;
                }
                d = &desc_[read_once(&d->next) & mask_];
                flags = read_once(&d->flags);
                if (flags & virtio::kDescFIndirect) c.malformed = true;  // INDIRECT inside a chain
            }
        }
        write_once(&dev_->last_avail, static_cast<std::uint16_t>(last + 1));
        return true;
    }

protected:
    static std::uint32_t check(const RingOptions& o, std::string_view layout) {
        validate_ring_options(o, layout, true, "poll, flags or event_idx");
        return o.cache_line;
    }

    std::uint32_t n_;
    std::uint16_t mask_;
    NotifyMode notify_;
    AreaSet mem_;

    virtio::SplitDesc* desc_ = nullptr;
    std::uint16_t* avail_flags_ = nullptr;
    std::uint16_t* avail_idx_ = nullptr;
    std::uint16_t* avail_ring_ = nullptr;
    std::uint16_t* used_event_ = nullptr;
    std::uint16_t* used_flags_ = nullptr;
    std::uint16_t* used_idx_ = nullptr;
    virtio::UsedElem* used_ring_ = nullptr;
    std::uint16_t* avail_event_ = nullptr;

    DriverState* drv_ = nullptr;
    DeviceState* dev_ = nullptr;
    std::uint32_t* tokens_ = nullptr;  // token map: desc head -> engine token (kNoToken = free); split: in ids_
    std::uint32_t* lens_ = nullptr;    // in-order only: len added per descriptor
    IdPool ids_;                       // split only: free descriptor heads and their tokens
    // Chains (null unless the ring was built with max_chain > 1 or indirect).
    ChainState* chs_ = nullptr;
    std::uint16_t* next_ = nullptr;    // private shadow of each descriptor's next
    std::uint16_t* ndesc_ = nullptr;   // ring descriptors of the chain headed here
    virtio::SplitIndirectDesc* ind_ = nullptr;  // n_ tables of ind_stride_ entries
    std::uint32_t max_chain_ = 1, ind_stride_ = 0;
};

}  // namespace detail

// The split ring with out-of-order completion: descriptor heads come from a private free
// list, the device writes one used element per buffer.
template <class B>
class SplitRing : public detail::SplitBase<B> {
    using Base = detail::SplitBase<B>;
    using Base::drv_, Base::dev_, Base::n_, Base::mask_,
        Base::used_ring_, Base::used_idx_, Base::ids_;

public:
    static constexpr std::string_view name = "split";

    explicit SplitRing(const RingOptions& o = {}) : Base(o, name, true) {}

    std::uint32_t driver_free() const { return ids_.free(); }

    void driver_add(std::uint32_t token, std::uint64_t addr, std::uint32_t len) {
        if (ids_.free() == 0) [[unlikely]] detail::throw_driver_full(name);
        this->write_desc(ids_.take(token), addr, len);
    }

    ReapStatus driver_reap(std::uint32_t& token, std::uint32_t& len) {
        const std::uint16_t last = drv_->last_used;
        if (!this->used_pending(last)) return ReapStatus::empty;
        const virtio::UsedElem* e = &used_ring_[last & mask_];
        const std::uint32_t id = detail::read_once(&e->id);
        const std::uint32_t elen = detail::read_once(&e->len);
        detail::write_once(&drv_->last_used, static_cast<std::uint16_t>(last + 1));
        const ReapStatus st = ids_.give_back(id, token);
        if (st == ReapStatus::ok) len = elen;
        return st;
    }

    // Chains: heads and the descriptors after them come from the one free list, linked
    // through next (with NEXT) as Linux links them; the chain's length is kept privately per
    // head so the driver frees it without reading the shared table back.
    std::uint32_t driver_chain_room(std::uint32_t n, bool indirect) const {
        if (!this->chain_fits(n, indirect)) return 0;
        return ids_.free() / Base::ring_descs_for(n, indirect);
    }

    bool driver_add_chain(std::uint32_t token, const Segment* segs, std::uint32_t n, bool indirect) {
        const std::uint32_t k = Base::ring_descs_for(n, indirect);
        if (!this->chain_fits(n, indirect) || ids_.free() < k) return false;
        const std::uint16_t head = ids_.take(token);
        this->ndesc_[head] = static_cast<std::uint16_t>(k);
        if (indirect) {
            this->write_indirect(head, segs, n);
        } else {
            std::uint16_t ids[kMaxChain];
            ids[0] = head;
            for (std::uint32_t i = 1; i < k; ++i) {
                ids[i] = ids_.take_untracked();
                this->next_[ids[i - 1]] = ids[i];
            }
            // Tail first, head last: not needed for the split ring (avail->idx publishes the
            // chain), but it keeps every layout's write order the same.
            for (std::uint32_t i = k; i-- > 0;) {
                const bool more = i + 1 < k;
                this->write_one(ids[i], segs[i].addr, segs[i].len, Base::seg_flags(segs[i], more),
                                more ? ids[i + 1] : 0);
            }
        }
        this->push_avail(head);
        return true;
    }

    ReapStatus driver_reap_chain(std::uint32_t& token, std::uint32_t& len) {
        const std::uint16_t last = drv_->last_used;
        if (!this->used_pending(last)) return ReapStatus::empty;
        const virtio::UsedElem* e = &used_ring_[last & mask_];
        const std::uint32_t id = detail::read_once(&e->id);
        const std::uint32_t elen = detail::read_once(&e->len);
        detail::write_once(&drv_->last_used, static_cast<std::uint16_t>(last + 1));
        const ReapStatus st = ids_.give_back(id, token);
        if (st != ReapStatus::ok) return st;
        std::uint16_t d = static_cast<std::uint16_t>(id);
        for (std::uint32_t i = 1; i < this->ndesc_[id]; ++i) {
            d = this->next_[d];
            ids_.give_back_untracked(d);
        }
        len = elen;
        return ReapStatus::ok;
    }

    void device_push_chain(std::uint16_t id, std::uint16_t /*ring_descs*/, std::uint32_t len) { device_push(id, len); }

    void device_push(std::uint16_t id, std::uint32_t len) {
        virtio::UsedElem* e = &used_ring_[dev_->used_idx & mask_];
        detail::write_once(&e->id, std::uint32_t{id});
        detail::write_once(&e->len, len);
        ++dev_->used_idx;  // made visible by C in device_publish
    }

    void device_publish() {
        if (dev_->used_idx == dev_->used_published) return;
        // C: used elements before used->idx.  Pairs with D in driver_reap.
        B::publish_store(used_idx_, dev_->used_idx);
        dev_->used_published = dev_->used_idx;
    }
};

}  // namespace ringsim
