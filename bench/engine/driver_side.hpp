// driver_side.hpp: the driver (guest) role: fill buffers, make them available,
// decide whether to kick, reap completions and check the device's answers.
//
// DriverCore is the driver's private state.  With one submitter it is owned by
// the driver thread; with K submitters (seed 002, docs/questions.md) it is shared and every step
// runs under the submit lock, which is what a guest's queue lock protects.
#pragma once

#include <cstdint>
#include <stdexcept>

#include "engine/buffer_pool.hpp"
#include "engine/histogram.hpp"
#include "engine/line_vector.hpp"
#include "engine/run_config.hpp"
#include "engine/run_control.hpp"
#include "engine/run_result.hpp"
#include "ringsim/clock.hpp"

namespace ringlab {

struct DriverPlan {
    std::uint64_t warmup = 0;          // completions before the window opens
    std::uint64_t window = 0;          // completions in the window (buffer mode)
    std::uint64_t window_ticks = 0;    // window length in ticks (duration mode), 0 = buffer mode
    std::uint32_t batch = 1;
    std::uint32_t outstanding = 1;
    bool latency = false;
    std::uint32_t latency_every = 1;   // record the round trip of 1 buffer in this many (a power of two)
    bool notify = false;               // any notify mode but poll
    bool verify_payload = true;        // --verify full (else ring: descriptors only)
};

// Streaming with --latency on, the driver records 1 buffer in this many: a timer read and a
// histogram update on every buffer cost a tenth of a streaming run's time per buffer at batch
// 32.  At --outstanding 1 every round trip is recorded (there the round trips tile the window).
inline constexpr std::uint32_t kStreamingLatencyEvery = 64;
inline std::uint32_t latency_sample_every(std::uint32_t outstanding) {
    return outstanding == 1 ? 1 : kStreamingLatencyEvery;
}

struct StepResult {
    bool did_work = false;
    bool published = false;            // a batch was made available in this step
    bool kick = false;                 // the notify-check decision said: kick
    bool done = false;                 // window over and every buffer drained
};

// The buffers a driver needs: the most it can have in flight, plus one batch for the
// step in which the completions it just took off the ring are not yet checked and
// freed (DriverCore::step submits before it settles them).
inline std::uint32_t driver_pool_size(std::uint32_t outstanding, std::uint32_t batch) {
    return outstanding + (batch < outstanding ? batch : outstanding);
}

// alignas(128): the driver's counters change on every buffer; they must not share a
// line (or the adjacent-line prefetch pair) with anything the device touches.
template <class Ring>
class alignas(128) DriverCore {
public:
    DriverCore(Ring& ring, BufferPool& pool, const DriverPlan& plan, RunControl& ctl)
        : ring_(ring), pool_(pool), plan_(plan), ctl_(ctl),
          seq_of_(pool.count()), stamp_(pool.count()) {
        if (pool.count() < driver_pool_size(plan.outstanding, plan.batch))
            throw std::invalid_argument("driver buffer pool smaller than outstanding + one batch");
        free_.reserve(pool.count());
        for (std::uint32_t t = pool.count(); t-- > 0;) free_.push_back(t);
        reaped_.reserve(pool.count());
        submitted_.reserve(plan.batch);
        len_ = pool.bytes_per_buffer();
    }

    // One pass: take whatever completed off the ring, publish a batch if one fits, then
    // check and account what was taken.  The order keeps the harness's own work (checks,
    // timestamps, window accounting) off the round trip's critical path: at
    // --outstanding 1 the next buffer is on its way to the device while the driver checks
    // the previous one, as a driver that refills its ring before processing would do.
    // flush: publish a partly filled batch too (before sleeping, so the two sides can
    // never both sleep with work pending).
    //
    // The completion side is read only when it is needed: when the next batch does not
    // fit, when flushing, and to drain after the window.  Each look is a load of the line
    // the device last wrote, so a driver that looked on every step paid a line transfer
    // per buffer on its own critical path, became the slower side, and let the device catch
    // up with it: from then on the two sides worked on the same descriptor line buffer
    // after buffer, one round trip each (lock step).  Filling first keeps the ring full,
    // so the device works through descriptors written long before and one line transfer
    // carries several of them (README, "How close to the hardware").
    StepResult step(bool flush) {
        StepResult r;
        if (window_closed_ || flush || room() < plan_.batch) collect(r);
        if (!window_closed_ && !broken_) submit(r, flush);
        settle();
        r.done = (window_closed_ && inflight_ == 0) || broken_;
        return r;
    }

    // Only what can be added right now, for deciding whether to flush before sleeping.
    std::uint32_t room() const {
        std::uint32_t by_ring = ring_.driver_free();
        std::uint32_t by_limit = plan_.outstanding - inflight_;
        return by_ring < by_limit ? by_ring : by_limit;
    }
    std::uint32_t inflight() const { return inflight_; }
    bool window_open() const { return window_open_; }
    bool window_closed() const { return window_closed_; }

    // Results.
    VerifyErrors errors;
    Histogram latency_ticks;
    std::uint64_t window_start = 0, window_end = 0, window_buffers = 0;
    std::uint64_t window_publishes = 0, window_submitted = 0;

private:
    struct Reaped {
        std::uint32_t token, len;
    };

    // Takes completions off the ring: the ring's bookkeeping and the engine's
    // "was this token in flight" check, nothing else.
    void collect(StepResult& r) {
        std::uint32_t tok = 0, len = 0;
        // inflight_ == 0: nothing can have completed (at --outstanding 1, the common case,
        // this skips a second look at the ring before the next submit).
        while (inflight_ > 0) {
            ringsim::ReapStatus st = ring_.driver_reap(tok, len);
            if (st == ringsim::ReapStatus::empty) break;
            r.did_work = true;
            // After a bad id the ring's bookkeeping no longer means anything: stop the
            // run (the engine reports what was still in flight as lost) rather than guess.
            if (st == ringsim::ReapStatus::bad_id) {
                ++errors.out_of_range;
                broken_ = true;
                break;
            }
            // not_outstanding: the ring's id pool holds no token for this id.  A token outside
            // the pool would index the driver's arrays out of bounds: the same verdict.
            if (st == ringsim::ReapStatus::not_outstanding || tok >= pool_.count()) {
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
        for (std::uint32_t i = 0; i < n; ++i) {
            std::uint32_t tok = free_.back();
            free_.pop_back();
            std::uint64_t seq = next_seq_++;
            seq_of_[tok] = seq;
            if (plan_.verify_payload) pool_.fill(tok, seq);
            if (plan_.latency && sampled(seq)) submitted_.push_back(tok);
            ring_.driver_add(tok, pool_.addr(tok), plan_.verify_payload ? len_ : ring_verify_len(seq));
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

    bool sampled(std::uint64_t seq) const { return (seq & (plan_.latency_every - 1)) == 0; }

    // Checks what collect() took, records latency, moves the window, frees the tokens.
    // Latency mode reads the timer at most once per step, after the publish, and only in a
    // step that submitted or reaped a sampled buffer: a buffer's round trip runs from the
    // end of the step that published it to the end of the step that reaped it.  At
    // --outstanding 1 every buffer is sampled and these periods tile the run exactly, so
    // their mean is the window's time per buffer.
    void settle() {
        if (reaped_.empty() && submitted_.empty()) return;
        std::uint64_t t = 0;
        if (plan_.latency) {
            bool need = !submitted_.empty();
            for (std::size_t i = 0; !need && i < reaped_.size(); ++i) need = sampled(seq_of_[reaped_[i].token]);
            if (need) t = ringsim::clock::now_end();
        }
        for (const Reaped& c : reaped_) {
            const std::uint64_t seq = seq_of_[c.token];
            if (!plan_.verify_payload) {
                if (c.len != ring_verify_len(seq)) ++errors.stale;  // the used element is not this submission's
            } else if (!pool_.response_ok(c.token, seq)) {
                std::uint64_t resp =
                    load_relaxed(&BufferPool::header(pool_.addr(c.token))->response) ^ kResponseMagic;
                if (resp < seq) ++errors.stale; else ++errors.corrupt;
            }
            if (plan_.latency && window_open_ && sampled(seq)) latency_ticks.record(t - stamp_[c.token]);
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
    LineVector<std::uint64_t> seq_of_, stamp_;
    LineVector<std::uint32_t> free_;
    LineVector<Reaped> reaped_;           // taken off the ring this step, not yet settled
    LineVector<std::uint32_t> submitted_;  // latency mode: submitted this step, not yet stamped
    std::uint32_t len_ = 0, inflight_ = 0;
    std::uint64_t completed_ = 0, next_seq_ = 0;
    bool window_open_ = false, window_closed_ = false, broken_ = false;
};

}  // namespace ringlab
