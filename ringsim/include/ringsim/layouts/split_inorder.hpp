// ringsim/layouts/split_inorder.hpp: the split ring with VIRTIO_F_IN_ORDER.
//
// Spec "The Virtqueue Descriptor Table": with IN_ORDER the driver uses descriptors in ring
// order, so the descriptor id of the buffer made available at avail index i is i & (N-1),
// and no free list is needed.  Spec "In-order use of descriptors": the device may write a
// single used element for a batch, carrying the id of the batch's LAST buffer, in the used
// slot where the batch begins, and advance used->idx by the batch size.
//
// Device:  device_push only records (id, len) privately; device_publish writes ONE used
//          element {last id, last len} at slot used_idx & (N-1), then used->idx += batch (C).
// Driver:  reads the element at last_used, derives the batch size from its id
//          (id - (last_used & (N-1))) mod N + 1, and completes that many buffers in order.
//          A batch larger than what used->idx says is published, i.e. an id the driver is
//          not waiting for yet (or already completed), is not_outstanding; id >= N is bad_id.
//          Buffers inside a batch report the len the driver added (the device wrote only the
//          last one's len; the skipped ones "are assumed to have been used completely").
// Barrier sites are those of split.hpp (A..H); only C/D move less data.
#pragma once

#include <cstdint>
#include <string_view>

#include "ringsim/layouts/split.hpp"

namespace ringsim {

template <class B>
class SplitInOrderRing : public detail::SplitBase<B> {
    using Base = detail::SplitBase<B>;
    using Base::drv_, Base::dev_, Base::n_, Base::mask_,
        Base::used_ring_, Base::used_idx_, Base::tokens_, Base::lens_;

public:
    static constexpr std::string_view name = "split-inorder";

    explicit SplitInOrderRing(const RingOptions& o = {}) : Base(o, name, false) {}

    std::uint32_t driver_free() const { return drv_->num_free; }

    void driver_add(std::uint32_t token, std::uint64_t addr, std::uint32_t len) {
        if (drv_->num_free == 0) [[unlikely]] detail::throw_driver_full(name);
        --drv_->num_free;
        // In ring order: completions come back in order, so this slot's previous buffer has
        // been reaped whenever num_free > 0.
        const auto id = static_cast<std::uint16_t>(drv_->avail_idx & mask_);
        tokens_[id] = token;
        lens_[id] = len;
        this->write_desc(id, addr, len);
    }

    ReapStatus driver_reap(std::uint32_t& token, std::uint32_t& len) {
        const std::uint16_t last = drv_->last_used;
        if (drv_->batch_left == 0) {
            if (!this->used_pending(last)) return ReapStatus::empty;
            const virtio::UsedElem* e = &used_ring_[last & mask_];
            const std::uint32_t id = detail::read_once(&e->id);
            const std::uint32_t elen = detail::read_once(&e->len);
            if (id >= n_) {
                detail::write_once(&drv_->last_used, static_cast<std::uint16_t>(last + 1));
                return ReapStatus::bad_id;
            }
            const std::uint32_t batch = ((id - (last & mask_)) & mask_) + 1u;
            const auto published = static_cast<std::uint16_t>(drv_->cached_used - last);
            if (batch > published) {
                // The id is not the end of any batch we are waiting for: a buffer completed
                // twice, out of order, or not yet published.
                detail::write_once(&drv_->last_used, static_cast<std::uint16_t>(last + 1));
                return ReapStatus::not_outstanding;
            }
            drv_->batch_left = static_cast<std::uint16_t>(batch);
            drv_->batch_len = elen;
        }
        const auto id = static_cast<std::uint16_t>(last & mask_);
        const std::uint32_t tok = tokens_[id];
        detail::write_once(&drv_->last_used, static_cast<std::uint16_t>(last + 1));
        if (tok == detail::kNoToken) {
            drv_->batch_left = 0;
            return ReapStatus::not_outstanding;
        }
        tokens_[id] = detail::kNoToken;
        ++drv_->num_free;
        token = tok;
        len = (--drv_->batch_left == 0) ? drv_->batch_len : lens_[id];
        return ReapStatus::ok;
    }

    // Chains in ring order (spec "The Virtqueue Descriptor Table", IN_ORDER): a chain takes
    // the next k descriptor slots, next = x + 1 and 0 after the table's last slot, and its
    // id is its head slot.  The private chain state keeps the cursor, the oldest head and
    // each head's length, so the driver walks a batch without reading the shared table.
    std::uint32_t driver_chain_room(std::uint32_t n, bool indirect) const {
        if (!this->chain_fits(n, indirect)) return 0;
        return this->chs_->free_descs / Base::ring_descs_for(n, indirect);
    }

    bool driver_add_chain(std::uint32_t token, const Segment* segs, std::uint32_t n, bool indirect) {
        const std::uint32_t k = Base::ring_descs_for(n, indirect);
        auto* cs = this->chs_;
        if (!this->chain_fits(n, indirect) || cs->free_descs < k) return false;
        const auto head = static_cast<std::uint16_t>(cs->next_desc & mask_);
        cs->free_descs -= k;
        ++cs->inflight;
        cs->next_desc = static_cast<std::uint16_t>((head + k) & mask_);
        tokens_[head] = token;
        lens_[head] = chain_used_len(segs, n);
        this->ndesc_[head] = static_cast<std::uint16_t>(k);
        if (indirect) {
            this->write_indirect(head, segs, n);
        } else {
            for (std::uint32_t i = k; i-- > 0;) {
                const auto slot = static_cast<std::uint16_t>((head + i) & mask_);
                const bool more = i + 1 < k;
                this->write_one(slot, segs[i].addr, segs[i].len, Base::seg_flags(segs[i], more),
                                more ? static_cast<std::uint16_t>((slot + 1) & mask_) : 0);
            }
        }
        this->push_avail(head);
        return true;
    }

    ReapStatus driver_reap_chain(std::uint32_t& token, std::uint32_t& len) {
        const std::uint16_t last = drv_->last_used;
        auto* cs = this->chs_;
        if (drv_->batch_left == 0) {
            if (!this->used_pending(last)) return ReapStatus::empty;
            const virtio::UsedElem* e = &used_ring_[last & mask_];
            const std::uint32_t id = detail::read_once(&e->id);
            const std::uint32_t elen = detail::read_once(&e->len);
            if (id >= n_) {
                detail::write_once(&drv_->last_used, static_cast<std::uint16_t>(last + 1));
                return ReapStatus::bad_id;
            }
            // The batch runs from the oldest head to `id`: count it through the private
            // lengths, no further than what used->idx says is published.
            const auto published = static_cast<std::uint16_t>(drv_->cached_used - last);
            std::uint32_t batch = 1;
            std::uint16_t h = cs->reap_head;
            while (h != id && batch <= published && batch <= cs->inflight) {
                h = static_cast<std::uint16_t>((h + this->ndesc_[h]) & mask_);
                ++batch;
            }
            if (h != id || batch > published || batch > cs->inflight) {
                detail::write_once(&drv_->last_used, static_cast<std::uint16_t>(last + 1));
                return ReapStatus::not_outstanding;
            }
            drv_->batch_left = static_cast<std::uint16_t>(batch);
            drv_->batch_len = elen;
        }
        const std::uint16_t head = cs->reap_head;
        const std::uint32_t tok = tokens_[head];
        detail::write_once(&drv_->last_used, static_cast<std::uint16_t>(last + 1));
        if (tok == detail::kNoToken) {
            drv_->batch_left = 0;
            return ReapStatus::not_outstanding;
        }
        tokens_[head] = detail::kNoToken;
        cs->reap_head = static_cast<std::uint16_t>((head + this->ndesc_[head]) & mask_);
        cs->free_descs += this->ndesc_[head];
        --cs->inflight;
        token = tok;
        len = (--drv_->batch_left == 0) ? drv_->batch_len : lens_[head];
        return ReapStatus::ok;
    }

    void device_push_chain(std::uint16_t id, std::uint16_t /*ring_descs*/, std::uint32_t len) { device_push(id, len); }

    void device_push(std::uint16_t id, std::uint32_t len) {
        // Only the batch's last completion is written; see device_publish.
        dev_->pending_last_id = id;
        dev_->pending_last_len = len;
        ++dev_->pending;
    }

    void device_publish() {
        if (dev_->pending == 0) return;
        virtio::UsedElem* e = &used_ring_[dev_->used_idx & mask_];
        detail::write_once(&e->id, dev_->pending_last_id);
        detail::write_once(&e->len, dev_->pending_last_len);
        dev_->used_idx = static_cast<std::uint16_t>(dev_->used_idx + dev_->pending);
        dev_->pending = 0;
        // C: the used element before used->idx.  Pairs with D in driver_reap.
        B::publish_store(used_idx_, dev_->used_idx);
        dev_->used_published = dev_->used_idx;
    }
};

}  // namespace ringsim
