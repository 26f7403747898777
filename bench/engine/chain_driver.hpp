// chain_driver.hpp: the driver role for real virtio buffers: chains of --sg segments,
// direct or indirect, completed in any order.  The same step structure as DriverCore
// (driver_side.hpp), which stays the single-descriptor, in-order fast path; only what
// differs per buffer is new here: filling every segment, adding a chain, and checking the
// answer in the device-writable segment of whichever buffer the ring hands back.
//
// Nothing is allocated per buffer: the segment list is one array in this object, and the
// indirect tables are the ring's, preallocated per id (ringsim layouts).
#pragma once

#include <cstdint>
#include <stdexcept>

#include "engine/buffer_pool.hpp"
#include "engine/chain_buffers.hpp"
#include "engine/chain_plan.hpp"
#include "engine/driver_side.hpp"
#include "engine/histogram.hpp"
#include "engine/line_vector.hpp"
#include "engine/run_control.hpp"
#include "engine/run_result.hpp"
#include "ringsim/clock.hpp"

namespace ringlab {

template <class Ring>
class alignas(128) ChainDriverCore {
public:
    ChainDriverCore(Ring& ring, BufferPool& pool, const DriverPlan& plan, RunControl& ctl)
        : ring_(ring), pool_(pool), plan_(plan), ctl_(ctl), seq_of_(pool.count()), stamp_(pool.count()) {
        reaped_.reserve(pool.count());
        submitted_.reserve(plan.batch);
        len_ = pool.bytes_per_buffer();
        set_chain(ChainPlan{});
    }

    // The buffers' shape: token t owns pool entries t*sg .. t*sg+sg-1.
    void set_chain(const ChainPlan& c) {
        chain_ = c;
        const std::uint32_t tokens = pool_.count() / c.sg;
        if (tokens < driver_pool_size(plan_.outstanding, plan_.batch))
            throw std::invalid_argument("driver buffer pool smaller than (outstanding + one batch) x segments");
        free_.clear();
        free_.reserve(tokens);
        for (std::uint32_t t = tokens; t-- > 0;) free_.push_back(t);
        answer_seg_ = c.sg > 1 ? c.sg - 1 : 0;
    }

    StepResult step(bool flush) {
        StepResult r;
        collect(r);
        if (!window_closed_ && !broken_) submit(r, flush);
        settle();
        r.done = (window_closed_ && inflight_ == 0) || broken_;
        return r;
    }

    std::uint32_t room() const {
        std::uint32_t by_ring = ring_.driver_chain_room(chain_.sg, chain_.indirect);
        std::uint32_t by_limit = plan_.outstanding - inflight_;
        return by_ring < by_limit ? by_ring : by_limit;
    }
    std::uint32_t inflight() const { return inflight_; }
    bool window_open() const { return window_open_; }
    bool window_closed() const { return window_closed_; }

    VerifyErrors errors;
    Histogram latency_ticks;
    std::uint64_t window_start = 0, window_end = 0, window_buffers = 0;
    std::uint64_t window_publishes = 0, window_submitted = 0;

private:
    struct Reaped {
        std::uint32_t token, len;
    };

    std::uint32_t entry(std::uint32_t tok, std::uint32_t s) const { return tok * chain_.sg + s; }

    void collect(StepResult& r) {
        std::uint32_t tok = 0, len = 0;
        while (inflight_ > 0) {
            ringsim::ReapStatus st = ring_.driver_reap_chain(tok, len);
            if (st == ringsim::ReapStatus::empty) break;
            r.did_work = true;
            if (st == ringsim::ReapStatus::bad_id) {
                ++errors.out_of_range;
                broken_ = true;
                break;
            }
            if (st == ringsim::ReapStatus::not_outstanding || tok >= pool_.count() / chain_.sg) {
                ++errors.duplicated;
                broken_ = true;
                break;
            }
            --inflight_;
            reaped_.push_back({tok, len});
        }
    }

    void submit(StepResult& r, bool flush) {
        std::uint32_t n = room();
        if (n > plan_.batch) n = plan_.batch;
        if (n == 0 || (n < plan_.batch && !flush)) return;
        const std::uint32_t sg = chain_.sg;
        for (std::uint32_t i = 0; i < n; ++i) {
            std::uint32_t tok = free_.back();
            free_.pop_back();
            std::uint64_t seq = next_seq_++;
            seq_of_[tok] = seq;
            for (std::uint32_t s = 0; s < sg; ++s) {
                const std::uint32_t e = entry(tok, s);
                const bool writable = sg > 1 && s + 1 == sg;
                if (writable) clear_answer(pool_.addr(e));
                else pool_.fill(e, segment_seq(seq, s));
                segs_[s] = ringsim::Segment{pool_.addr(e), len_, writable};
            }
            if (plan_.latency) submitted_.push_back(tok);
            if (!ring_.driver_add_chain(tok, segs_, sg, chain_.indirect))
                throw std::logic_error("the ring refused a chain that room() said fits");
        }
        ring_.driver_publish();
        inflight_ += n;
        if (window_open_) {
            ++window_publishes;
            window_submitted += n;
        }
        r.did_work = r.published = true;
        if (plan_.notify) r.kick = ring_.driver_kick_needed();
    }

    // The answer of the buffer the ring mapped this completion to: its sequence (the
    // id-to-buffer mapping under any completion order), the chain length the device
    // walked, and the used length.
    void check(const Reaped& c) {
        const std::uint64_t seq = seq_of_[c.token];
        auto* h = BufferPool::header(pool_.addr(entry(c.token, answer_seg_)));
        const std::uint64_t resp = load_relaxed(&h->response);
        if (resp != (kResponseMagic ^ seq)) {
            if ((resp ^ kResponseMagic) < seq) ++errors.stale; else ++errors.corrupt;
            return;
        }
        if (chain_.sg > 1 && load_relaxed(&h->len) != chain_.sg) ++errors.corrupt;
        else if (c.len != len_) ++errors.corrupt;
    }

    void settle() {
        if (reaped_.empty() && submitted_.empty()) return;
        const std::uint64_t t = plan_.latency ? ringsim::clock::now_end() : 0;
        for (const Reaped& c : reaped_) {
            check(c);
            if (plan_.latency && window_open_) latency_ticks.record(t - stamp_[c.token]);
            free_.push_back(c.token);
            ++completed_;
            if (!window_open_ && !window_closed_ && completed_ == plan_.warmup) open_window();
            else if (window_open_ && window_should_close()) close_window();
        }
        reaped_.clear();
        for (std::uint32_t tok : submitted_) stamp_[tok] = t;
        submitted_.clear();
    }

    bool window_should_close() {
        if (plan_.window_ticks) return ringsim::clock::now_end() - window_start >= plan_.window_ticks;
        return completed_ - plan_.warmup >= plan_.window;
    }
    void open_window() {
        window_open_ = true;
        window_start = ringsim::clock::now();
        ctl_.phase.store(int(Phase::window), std::memory_order_relaxed);
        if (plan_.window == 0 && plan_.window_ticks == 0) close_window();
    }
    void close_window() {
        window_end = ringsim::clock::now_end();
        window_open_ = false;
        window_closed_ = true;
        window_buffers = completed_ - plan_.warmup;
        ctl_.phase.store(int(Phase::after), std::memory_order_relaxed);
    }

    Ring& ring_;
    BufferPool& pool_;
    DriverPlan plan_;
    RunControl& ctl_;
    ChainPlan chain_;
    LineVector<std::uint64_t> seq_of_, stamp_;
    LineVector<std::uint32_t> free_;
    LineVector<Reaped> reaped_;
    LineVector<std::uint32_t> submitted_;
    ringsim::Segment segs_[ringsim::kMaxChain];
    std::uint32_t len_ = 0, inflight_ = 0, answer_seg_ = 0;
    std::uint64_t completed_ = 0, next_seq_ = 0;
    bool window_open_ = false, window_closed_ = false, broken_ = false;
};

}  // namespace ringlab
