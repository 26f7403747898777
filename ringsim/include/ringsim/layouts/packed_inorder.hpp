// ringsim/layouts/packed_inorder.hpp: the packed ring with VIRTIO_F_IN_ORDER.
//
// Spec "Packed Virtqueues / In-order use of descriptors": the device uses buffers in the
// order they were made available, so it may notify a whole batch by writing ONE used
// descriptor, carrying the Buffer ID of the batch's last buffer, at the slot where the
// batch begins, and then skip forward by the batch's size in descriptors.  The skipped
// buffers "are assumed to have been used (read or written) by the device completely".
//
// Driver:  the Buffer ID is the head slot of the chain (unique while it is in flight, and
//          no free-id list is needed); the token, the assumed used length and the chain's
//          descriptor count are kept per slot, privately.  driver_reap reads the used
//          descriptor at last_used once per batch, counts the batch through the private
//          counts (never reading the other descriptors), and hands the buffers back in
//          order, advancing last_used by each one's descriptors.
// Device:  device_push only records; device_publish writes the single used descriptor
//          {last id, last len} and its flags with one publish_store (C), then skips.
// Everything else (pop, notifications, diagnostics, barrier sites A..I) is packed.hpp's.
// With --batch 1 every buffer gets its own used descriptor, as in packed.
#pragma once

#include <cstdint>
#include <string_view>

#include "ringsim/layouts/packed.hpp"

namespace ringsim {

template <class B>
class PackedInOrderRing : public PackedRing<B> {
    using Base = PackedRing<B>;
    using Base::chs_, Base::desc_, Base::devc_, Base::dev_, Base::drv_, Base::lens_, Base::n_, Base::ndesc_,
        Base::tokens_;

public:
    static constexpr std::string_view name = "packed-inorder";

    explicit PackedInOrderRing(const RingOptions& o = {}) : Base(o, true) {
        for (std::uint32_t i = 0; i < n_; ++i) tokens_[i] = detail::kNoToken;
    }

    // The single-descriptor face (the engine's fast path): a chain of one.
    std::uint32_t driver_free() const { return chs_->free_descs; }

    void driver_add(std::uint32_t token, std::uint64_t addr, std::uint32_t len) {
        const Segment s{addr, len, false};
        if (!driver_add_chain(token, &s, 1, false)) [[unlikely]] detail::throw_driver_full(name);
    }
    ReapStatus driver_reap(std::uint32_t& token, std::uint32_t& len) { return driver_reap_chain(token, len); }
    void device_push(std::uint16_t id, std::uint32_t len) { device_push_chain(id, 1, len); }

    // The chain face.
    std::uint32_t driver_chain_room(std::uint32_t n, bool indirect) const {
        if (!chain_ok(n, indirect)) return 0;
        return chs_->free_descs / Base::ring_descs_for(n, indirect);
    }

    bool driver_add_chain(std::uint32_t token, const Segment* segs, std::uint32_t n, bool indirect) {
        const std::uint32_t k = Base::ring_descs_for(n, indirect);
        if (!chain_ok(n, indirect) || chs_->free_descs < k) return false;
        // In ring order: this slot's previous buffer has been reaped whenever k descriptors
        // are free, so the head slot is a unique Buffer ID.
        const auto id = off_wrap_offset(drv_->next_avail);
        tokens_[id] = token;
        lens_[id] = chain_used_len(segs, n);
        ndesc_[id] = static_cast<std::uint16_t>(k);
        chs_->free_descs -= k;
        ++chs_->inflight;
        this->write_chain(id, segs, n, indirect);
        return true;
    }

    ReapStatus driver_reap_chain(std::uint32_t& token, std::uint32_t& len) {
        const std::uint16_t pos = drv_->last_used;
        const std::uint16_t slot = off_wrap_offset(pos);
        if (chs_->batch_left == 0) {
            const virtio::PackedDesc* d = &desc_[slot];
            // D: flags before id and len.  Pairs with C in device_publish.
            const std::uint16_t flags = B::consume_load(&d->flags);
            if (!Base::is_used(flags, off_wrap_wrap(pos))) return ReapStatus::empty;
            const std::uint16_t id = detail::read_once(&d->id);
            const std::uint32_t elen = detail::read_once(&d->len);
            if (id >= n_) {
                detail::write_once(&drv_->last_used, this->advance(pos));
                return ReapStatus::bad_id;
            }
            // The batch runs from last_used to the chain headed at `id`: count it through the
            // private descriptor counts, never further than what is in flight.
            std::uint32_t batch = 1;
            std::uint16_t h = slot;
            while (h != id && batch <= chs_->inflight && tokens_[h] != detail::kNoToken) {
                h = static_cast<std::uint16_t>((h + ndesc_[h]) % n_);
                ++batch;
            }
            if (h != id || batch > chs_->inflight || tokens_[h] == detail::kNoToken) {
                detail::write_once(&drv_->last_used, this->advance(pos));
                return ReapStatus::not_outstanding;
            }
            detail::write_once(&chs_->batch_left, static_cast<std::uint16_t>(batch));
            chs_->batch_len = elen;
        }
        const std::uint32_t tok = tokens_[slot];
        if (tok == detail::kNoToken) {
            detail::write_once(&chs_->batch_left, std::uint16_t{0});
            detail::write_once(&drv_->last_used, this->advance(pos));
            return ReapStatus::not_outstanding;
        }
        tokens_[slot] = detail::kNoToken;
        const std::uint16_t k = ndesc_[slot];
        detail::write_once(&drv_->last_used, this->advance_by(pos, k));
        chs_->free_descs += k;
        --chs_->inflight;
        token = tok;
        const auto left = static_cast<std::uint16_t>(chs_->batch_left - 1);
        detail::write_once(&chs_->batch_left, left);
        len = left == 0 ? chs_->batch_len : lens_[slot];
        return ReapStatus::ok;
    }

    // A batch half handed back is pending work although no descriptor at last_used says so
    // (the rest of the batch was skipped, never marked used): a driver must not sleep on it.
    bool driver_enable_calls() {
        if (chs_->batch_left > 0) return true;
        return Base::driver_enable_calls();
    }
    bool pending_for_driver() const {
        return detail::read_once(&chs_->batch_left) > 0 || Base::pending_for_driver();
    }

    void device_push_chain(std::uint16_t id, std::uint16_t ring_descs, std::uint32_t len) {
        // Only the batch's last completion is written; see device_publish.
        devc_->last_id = id;
        devc_->last_len = len;
        dev_->batch_count = static_cast<std::uint16_t>(dev_->batch_count + ring_descs);
    }

    void device_publish() {
        if (dev_->batch_count == 0) return;
        const std::uint16_t pos = dev_->next_used;
        virtio::PackedDesc* d = &desc_[off_wrap_offset(pos)];
        detail::write_once(&d->id, devc_->last_id);
        detail::write_once(&d->len, devc_->last_len);
        // C: id and len before the flags that make the one used descriptor visible.  Pairs with D.
        B::publish_store(&d->flags, Base::used_flags(off_wrap_wrap(pos)));
        const std::uint16_t next = this->advance_by(pos, dev_->batch_count);  // skip the batch
        dev_->used_since_call = static_cast<std::uint16_t>(dev_->used_since_call + dev_->batch_count);
        dev_->batch_count = 0;
        detail::write_once(&dev_->next_used, next);
        detail::write_once(&dev_->published, next);
    }

private:
    bool chain_ok(std::uint32_t n, bool indirect) const {
        if (n < 1 || n > this->max_chain_ || (!indirect && n > n_)) return false;
        return !indirect || this->ind_ != nullptr;
    }
};

}  // namespace ringsim
