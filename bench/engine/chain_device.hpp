// chain_device.hpp: the device role for real virtio buffers: walk each chain (direct or
// indirect), check every device-readable segment, answer in the device-writable one,
// and complete the batch in the order --completion asks for.  DeviceCore
// (device_side.hpp) stays the single-descriptor, in-order fast path.
//
// The device checks in the order it pops (the driver's submission order), so its running
// sequence number is the same check as the fast path's; only the completions are
// reordered, which is what exercises the split ring's free list and the packed ring's
// Buffer ID bookkeeping on the driver's side.
#pragma once

#include <cstdint>

#include "engine/buffer_pool.hpp"
#include "engine/chain_buffers.hpp"
#include "engine/chain_plan.hpp"
#include "engine/device_side.hpp"
#include "engine/line_vector.hpp"
#include "engine/run_result.hpp"
#include "ringsim/arch.hpp"

namespace ringlab {

template <class Ring>
class alignas(128) ChainDeviceCore {
public:
    ChainDeviceCore(Ring& ring, const BufferPool& pool, std::uint32_t batch, bool notify, bool access_barrier,
                    bool /*verify_payload: the chain path always verifies payloads*/)
        : ring_(ring), pool_(pool), batch_(batch), notify_(notify), access_barrier_(access_barrier),
          done_(batch), order_(batch) {}

    void set_chain(const ChainPlan& c) {
        chain_ = c;
        rng_ = c.seed * 0x9e3779b97f4a7c15ull | 1;  // xorshift64 must not start at 0
    }

    DeviceStep step() {
        DeviceStep s;
        while (s.processed < batch_ && ring_.device_pop_chain(c_)) {
            done_[s.processed] = Done{c_.id, c_.ring_descs, check_chain(c_)};
            ++s.processed;
        }
        if (s.processed == 0) return s;
        complete(s.processed);
        ring_.device_publish();
        if (notify_) s.call = ring_.device_call_needed();
        return s;
    }

    VerifyErrors errors;

private:
    struct Done {
        std::uint16_t id, ring_descs;
        std::uint32_t len;
    };

    // Pushes this step's completions in the configured order.
    void complete(std::uint32_t k) {
        if (chain_.completion == Completion::in_order) {
            for (std::uint32_t i = 0; i < k; ++i) ring_.device_push_chain(done_[i].id, done_[i].ring_descs, done_[i].len);
            return;
        }
        for (std::uint32_t i = 0; i < k; ++i) order_[i] = chain_.completion == Completion::reverse ? k - 1 - i : i;
        if (chain_.completion == Completion::random) {
            for (std::uint32_t i = k; i > 1; --i) {  // Fisher-Yates
                const auto j = static_cast<std::uint32_t>(next_random() % i);
                std::swap(order_[i - 1], order_[j]);
            }
        }
        for (std::uint32_t i = 0; i < k; ++i) {
            const Done& d = done_[order_[i]];
            ring_.device_push_chain(d.id, d.ring_descs, d.len);
        }
    }

    std::uint64_t next_random() {
        rng_ ^= rng_ << 13;
        rng_ ^= rng_ >> 7;
        rng_ ^= rng_ << 17;
        return rng_;
    }

    // Checks one chain, answers it, and returns its used length.
    std::uint32_t check_chain(const ringsim::PoppedChain& c) {
        const std::uint32_t used = ringsim::chain_used_len(c.seg, c.count);
        if (c.malformed || c.count == 0) {
            ++errors.corrupt;
            ++expected_seq_;
            return used;
        }
        // Chain length and where it lives are part of the contract.
        bool bad = c.count != chain_.sg || c.indirect != chain_.indirect;
        const std::uint32_t sg = chain_.sg;
        const std::uint32_t readable = sg > 1 ? sg - 1 : 1;
        if (access_barrier_) ringsim::arch::smp_mb();
        std::uint64_t seq = 0;
        bool have_seq = false;
        for (std::uint32_t s = 0; s < readable && s < c.count; ++s) {
            const ringsim::Segment& g = c.seg[s];
            std::uint64_t ss = 0;
            if (g.device_writes || !pool_.owns(g.addr) || !segment_intact(g.addr, g.len, ss)) {
                bad = true;
                continue;
            }
            if (s == 0) {
                seq = ss / ringsim::kMaxChain;
                have_seq = ss % ringsim::kMaxChain == 0;
                bad |= !have_seq;
            } else if (!have_seq || ss != segment_seq(seq, s)) {
                bad = true;  // a segment of another buffer, or out of place
            }
        }
        if (have_seq) {
            if (sg > 1) {
                const ringsim::Segment& w = c.seg[c.count - 1];
                if (c.count == sg && w.device_writes && pool_.owns(w.addr)) write_answer(w.addr, seq, c.count);
                else bad = true;
            } else {
                store_relaxed(&BufferPool::header(c.seg[0].addr)->response, kResponseMagic ^ seq);
            }
        }
        if (access_barrier_) ringsim::arch::smp_mb();
        if (bad || !have_seq) {
            ++errors.corrupt;
            ++expected_seq_;
        } else if (seq < expected_seq_) {
            ++errors.stale;
        } else if (seq > expected_seq_) {
            errors.lost += seq - expected_seq_;
            expected_seq_ = seq + 1;
        } else {
            ++expected_seq_;
        }
        return used;
    }

    Ring& ring_;
    const BufferPool& pool_;
    std::uint32_t batch_;
    bool notify_, access_barrier_;
    ChainPlan chain_;
    std::uint64_t expected_seq_ = 0, rng_ = 1;
    ringsim::PoppedChain c_;
    LineVector<Done> done_;
    LineVector<std::uint32_t> order_;
};

}  // namespace ringlab
