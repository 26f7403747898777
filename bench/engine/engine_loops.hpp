// engine_loops.hpp: what the engine's two threads do, top to bottom.
//
//   1. the driver's plan and what one step reports
//   2. DriverCore: one driver (guest) step on the single-descriptor, in-order fast path
//   3. DeviceCore: one device (host) step on the same path
//   4. ChainDriverCore, ChainDeviceCore: the same steps for chains, indirect tables and
//      out-of-order completion
//   5. LoopState, the state of one run both threads share, and RoleSide, each thread's own
//   6. device_loop and driver_loop: the two threads' loops (start barrier, steps,
//      window bookkeeping, notifications, sleeping)
//
// Everything here runs in the measured window; nothing here prints, allocates per
// buffer or decides the result.  EngineRun (engine_run.hpp) owns the threads, the
// watchdog (watchdog.hpp) watches them, and EngineRun collects the result afterwards.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include <unistd.h>

#include "engine/buffer_pool.hpp"
#include "engine/chain_buffers.hpp"
#include "engine/chain_plan.hpp"
#include "engine/cpu_affinity.hpp"
#include "engine/histogram.hpp"
#include "engine/interference.hpp"
#include "engine/line_vector.hpp"
#include "engine/notifier.hpp"
#include "engine/planted_delay.hpp"
#include "engine/role_counters.hpp"
#include "engine/run_config.hpp"
#include "engine/run_control.hpp"
#include "engine/run_result.hpp"
#include "engine/submit_lock.hpp"
#include "engine/wait_policy.hpp"
#include "ringsim/arch.hpp"
#include "ringsim/clock.hpp"

namespace ringlab {

// ======================================================================================
// 1. The driver's plan and what one step reports
// ======================================================================================
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
    // After the step's first batch and its checks, publish more whole batches while they
    // fit (each its own publish and kick decision).  Off with several submitters, where one
    // step is one hold of the submit lock and seed 002 asks what one "add, then kick" holds.
    bool refill = false;
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


// ======================================================================================
// 2. DriverCore: the driver (guest) role on the fast path
// ======================================================================================
// The driver (guest) role: fill buffers, make them available,
// decide whether to kick, reap completions and check the device's answers.
//
// DriverCore is the driver's private state.  With one submitter it is owned by
// the driver thread; with K submitters (seed 002, docs/questions.md) it is shared and every step
// runs under the submit lock, which is what a guest's queue lock protects.
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
        submitted_.reserve(pool.count());
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
    //
    // Then (plan.refill) the step publishes more whole batches while they fit, each with its
    // own publish barrier and kick decision, as the ring would see them from a loop of
    // steps: the ring's traffic is the same, and the step's own work (the look at the
    // completion side, settling, the thread loop's bookkeeping) is paid once per step
    // instead of once per batch.  At batch 1 that work was most of the engine's
    // instructions per buffer (README, "How close to the hardware").
    StepResult step(bool flush) {
        StepResult r;
        if (window_closed_ || flush || room() < plan_.batch) collect(r);
        if (!window_closed_ && !broken_) submit(r, flush);
        settle();
        if (plan_.refill && r.published && !flush && !r.kick && !broken_ && !window_closed_) refill(r);
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
        // this skips a second look at the ring before the next submit).  Counted in a local,
        // which the ring's stores cannot alias, and taken off inflight_ once.
        const std::uint32_t tokens = pool_.count();
        std::uint32_t left = inflight_;
        for (; left > 0; --left) {
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
            if (st == ringsim::ReapStatus::not_outstanding || tok >= tokens) {
                ++errors.duplicated;
                broken_ = true;
                break;
            }
            reaped_.push_back({tok, len});
        }
        inflight_ = left;
    }

    void submit(StepResult& r, bool flush) {
        std::uint32_t n = room();
        if (n > plan_.batch) n = plan_.batch;
        if (n == 0 || (n < plan_.batch && !flush)) return;
        publish(r, n);
        account(r, 1, n);
    }

    // Adds n buffers and publishes them as one batch.  The plan's switches and the sequence
    // number are copied into locals: the ring's stores could alias the members, and the
    // compiler would reload them for every buffer.
    void publish(StepResult& r, std::uint32_t n) {
        const bool full = plan_.verify_payload, latency = plan_.latency;
        std::uint64_t seq = next_seq_;
        for (std::uint32_t i = 0; i < n; ++i, ++seq) {
            const std::uint32_t tok = free_.back();
            free_.pop_back();
            seq_of_[tok] = seq;
            if (full) pool_.fill(tok, seq);
            if (latency && sampled(seq)) submitted_.push_back(tok);
            ring_.driver_add(tok, pool_.addr(tok), full ? len_ : ring_verify_len(seq));
        }
        next_seq_ = seq;
        ring_.driver_publish();
        if (plan_.notify) r.kick = ring_.driver_kick_needed();
    }

    // What `batches` publishes of `buffers` in all change in the driver's own counts.
    void account(StepResult& r, std::uint32_t batches, std::uint32_t buffers) {
        inflight_ += buffers;
        if (window_open_) {
            window_publishes += batches;
            window_submitted += buffers;
        }
        r.did_work = r.published = true;
    }

    bool sampled(std::uint64_t seq) const { return (seq & (plan_.latency_every - 1)) == 0; }

    // More whole batches while they fit (step() calls it only while the window is not
    // closed); stops at a kick, which the thread loop signals.  settle() has freed what this
    // step reaped, so the pool has a token for every place the ring and the outstanding limit
    // leave (driver_pool_size); each batch takes exactly its own places, so the room is
    // counted once.  Their round trips start at this timer read, after the last publish.
    void refill(StepResult& r) {
        const std::uint32_t b = plan_.batch;
        std::uint32_t batches = 0;
        for (std::uint32_t left = room(); left >= b && !r.kick; left -= b, ++batches) publish(r, b);
        if (batches) account(r, batches, batches * b);
        if (submitted_.empty()) return;
        const std::uint64_t t = ringsim::clock::now_end();
        for (std::uint32_t tok : submitted_) stamp_[tok] = t;
        submitted_.clear();
    }

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
        // The window's edges are this step's timer read when latency mode took one, so
        // the round trips and the window share their edges: at --outstanding 1 the
        // samples tile the window exactly, however long the thread is held up between
        // here and the end of the step.
        const bool full = plan_.verify_payload, latency = plan_.latency;
        for (const Reaped& c : reaped_) {
            const std::uint64_t seq = seq_of_[c.token];
            if (!full) {
                if (c.len != ring_verify_len(seq)) ++errors.stale;  // the used element is not this submission's
            } else if (!pool_.response_ok(c.token, seq)) {
                std::uint64_t resp =
                    load_relaxed(&BufferPool::header(pool_.addr(c.token))->response) ^ kResponseMagic;
                if (resp < seq) ++errors.stale; else ++errors.corrupt;
            }
            if (latency && window_open_ && sampled(seq)) latency_ticks.record(t - stamp_[c.token]);
            free_.push_back(c.token);
            if (++completed_ == next_mark_) [[unlikely]] pass_mark(t);
        }
        reaped_.clear();
        // A window of a duration closes in the first step that ends past it.
        if (plan_.window_ticks && window_open_ && (t ? t : ringsim::clock::now_end()) - window_start >= plan_.window_ticks)
            close_window(t);
        for (std::uint32_t tok : submitted_) stamp_[tok] = t;
        submitted_.clear();
    }

    // The window opens when the warm-up's last buffer completes and, counting buffers,
    // closes when its last one does: next_mark_ is the completion count of the next edge
    // (none once a window of a duration is open, or the window is closed), so a
    // completion costs one comparison.
    void pass_mark(std::uint64_t t) {
        if (window_open_) close_window(t);
        else open_window(t);
    }
    // t: the step's timer read, or 0 when it took none (then the window reads its own).
    void open_window(std::uint64_t t) {
        window_open_ = true;
        window_start = t ? t : ringsim::clock::now();
        ctl_.phase.store(int(Phase::window), std::memory_order_relaxed);
        next_mark_ = plan_.window_ticks ? kNoMark : plan_.warmup + plan_.window;
        if (plan_.window == 0 && plan_.window_ticks == 0) close_window(t);
    }
    void close_window(std::uint64_t t) {
        window_end = t ? t : ringsim::clock::now_end();
        window_open_ = false;
        window_closed_ = true;
        window_buffers = completed_ - plan_.warmup;
        next_mark_ = kNoMark;
        ctl_.phase.store(int(Phase::after), std::memory_order_relaxed);
    }
    static constexpr std::uint64_t kNoMark = ~0ull;

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
    std::uint64_t next_mark_ = plan_.warmup;  // the completion count of the next window edge (plan_ is set first)
    bool window_open_ = false, window_closed_ = false, broken_ = false;
};

// ======================================================================================
// 3. DeviceCore: the device (host) role on the fast path
// ======================================================================================
// The device (host) role: discover available buffers, check
// each one, write the response, publish completions in batches, decide
// whether to call.
struct DeviceStep {
    std::uint32_t processed = 0;
    bool call = false;
};

// alignas(128): expected_seq_ changes on every buffer; keep it off the driver's lines.
template <class Ring>
class alignas(128) DeviceCore {
public:
    DeviceCore(Ring& ring, const BufferPool& pool, std::uint32_t batch, bool notify, bool access_barrier,
               bool verify_payload)
        : ring_(ring), pool_(pool), batch_(batch), notify_(notify), access_barrier_(access_barrier),
          verify_payload_(verify_payload),
          batches_per_step_(batch < kDeviceStepBuffers ? kDeviceStepBuffers / batch : 1),
          popped_(verify_payload ? 0 : batch * batches_per_step_) {}

    // Consume up to one batch of available buffers and publish their completions, then
    // again while more are available, up to kDeviceStepBuffers: each batch has its own
    // publish and call decision, as from a loop of steps, but the step's own work (the
    // thread loop's bookkeeping, the deferred checks) is paid once per step.
    DeviceStep step() {
        DeviceStep s;
        for (std::uint32_t b = 0; b < batches_per_step_; ++b) {
            const std::uint32_t before = s.processed;
            publish_one_batch(s);
            if (s.processed == before || s.call || s.processed - before < batch_) break;
        }
        if (!verify_payload_)
            for (std::uint32_t i = 0; i < s.processed; ++i) check_descriptor(popped_[i].addr, popped_[i].len);
        return s;
    }

    VerifyErrors errors;

    // Calibration (answer --calibrate): this many planted_chain iterations more per buffer
    // before each publish; 0, the default, leaves one untaken branch per batch.
    void plant_delay(std::uint64_t iterations) { extra_iterations_ = iterations; }

private:
    // The most buffers one step takes in whole batches: at batch 1, a step per buffer
    // spent more instructions on the step than on the buffer.
    static constexpr std::uint32_t kDeviceStepBuffers = 64;

    void publish_one_batch(DeviceStep& s) {
        const std::uint32_t end = s.processed + batch_;
        std::uint16_t id = 0;
        std::uint64_t addr = 0;
        std::uint32_t len = 0;
        const std::uint32_t before = s.processed;
        while (s.processed < end && ring_.device_pop(id, addr, len)) {
            // --verify full writes its answer into the buffer, which must happen before the
            // publish; --verify ring only reads the descriptor, so it waits until after the
            // publish, off the round trip's critical path.
            if (verify_payload_) {
                check_payload(addr, len);
            } else {
                if (access_barrier_) ringsim::arch::smp_mb();  // what --device-access barrier costs per buffer
                popped_[s.processed] = {addr, len};
            }
            ring_.device_push(id, len);
            ++s.processed;
        }
        if (s.processed == before) return;
        if (extra_iterations_) [[unlikely]] planted_chain(extra_iterations_ * (s.processed - before));
        ring_.device_publish();
        if (notify_) s.call = ring_.device_call_needed();
    }

    struct Popped {
        std::uint64_t addr;
        std::uint32_t len;
    };

    // --verify ring: the descriptor alone must be this submission's.
    void check_descriptor(std::uint64_t addr, std::uint32_t len) {
        if (!pool_.owns(addr)) ++errors.corrupt;
        else if (len == ring_verify_len(expected_seq_)) ++expected_seq_;
        else ++errors.stale;
    }

    // --verify full: sequence, length and checksum of the payload, then the answer.
    void check_payload(std::uint64_t addr, std::uint32_t len) {
        if (!pool_.owns(addr)) {  // a descriptor pointing outside the buffer pool: never dereference it
            ++errors.corrupt;
            return;
        }
        // --device-access barrier: QEMU's DMA helpers put a full barrier before
        // every guest-memory access (seed 003, docs/questions.md); relaxed relies on the ring's barriers alone.
        if (access_barrier_) ringsim::arch::smp_mb();
        std::uint64_t seen = 0;
        DeviceCheck c = device_check_and_respond(addr, len, expected_seq_, seen);
        if (access_barrier_) ringsim::arch::smp_mb();
        switch (c) {
            case DeviceCheck::ok: ++expected_seq_; break;
            case DeviceCheck::stale: ++errors.stale; break;
            case DeviceCheck::skipped: errors.lost += seen - expected_seq_; expected_seq_ = seen + 1; break;
            case DeviceCheck::corrupt: ++errors.corrupt; ++expected_seq_; break;
        }
    }

    Ring& ring_;
    const BufferPool& pool_;
    std::uint32_t batch_;
    bool notify_, access_barrier_, verify_payload_;
    std::uint32_t batches_per_step_;
    std::uint64_t expected_seq_ = 0;
    LineVector<Popped> popped_;  // --verify ring: this step's descriptors, checked after the publish
    std::uint64_t extra_iterations_ = 0;  // calibration only
};

// ======================================================================================
// 4. The chain path: ChainDriverCore, ChainDeviceCore
// ======================================================================================
// The driver role for real virtio buffers: chains of --sg segments,
// direct or indirect, completed in any order.  The same step structure as DriverCore
// (section 2), which stays the single-descriptor, in-order fast path; only what
// differs per buffer is new here: filling every segment, adding a chain, and checking the
// answer in the device-writable segment of whichever buffer the ring hands back.
//
// Nothing is allocated per buffer: the segment list is one array in this object, and the
// indirect tables are the ring's, preallocated per id (ringsim layouts).
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
        // As in DriverCore: the window's edges are the step's timer read.
        const std::uint64_t t = plan_.latency ? ringsim::clock::now_end() : 0;
        for (const Reaped& c : reaped_) {
            check(c);
            if (plan_.latency && window_open_) latency_ticks.record(t - stamp_[c.token]);
            free_.push_back(c.token);
            ++completed_;
            if (!window_open_ && !window_closed_ && completed_ == plan_.warmup) open_window(t);
            else if (window_open_ && window_should_close(t)) close_window(t);
        }
        reaped_.clear();
        for (std::uint32_t tok : submitted_) stamp_[tok] = t;
        submitted_.clear();
    }

    bool window_should_close(std::uint64_t t) {
        if (plan_.window_ticks) return (t ? t : ringsim::clock::now_end()) - window_start >= plan_.window_ticks;
        return completed_ - plan_.warmup >= plan_.window;
    }
    // t: the step's timer read, or 0 when it took none (then the window reads its own).
    void open_window(std::uint64_t t) {
        window_open_ = true;
        window_start = t ? t : ringsim::clock::now();
        ctl_.phase.store(int(Phase::window), std::memory_order_relaxed);
        if (plan_.window == 0 && plan_.window_ticks == 0) close_window(t);
    }
    void close_window(std::uint64_t t) {
        window_end = t ? t : ringsim::clock::now_end();
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

// The device role for real virtio buffers: walk each chain (direct or
// indirect), check every device-readable segment, answer in the device-writable one,
// and complete the batch in the order --completion asks for.  DeviceCore
// (section 3) stays the single-descriptor, in-order fast path.
//
// The device checks in the order it pops (the driver's submission order), so its running
// sequence number is the same check as the fast path's; only the completions are
// reordered, which is what exercises the split ring's free list and the packed ring's
// Buffer ID bookkeeping on the driver's side.
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

// ======================================================================================
// 5. LoopState: what both threads of one run share; RoleSide: each thread's own
// ======================================================================================
// The ring, the buffers, the notifiers, the submit lock and the control words.  The
// watchdog reads the ring's positions and the control words; only the threads write.
template <class Ring>
struct LoopState {
    LoopState(const RunConfig& c, double timer_hz)
        : cfg(c), hz(timer_hz),
          ring(ringsim::RingOptions{c.ring_size, c.cache_line, c.notify, c.sg, uses_indirect(c), uses_chain_path(c)}),
          pool(driver_pool_size(c.outstanding, c.batch) * segments_per_buffer(c), c.payload_bytes, c.cache_line),
          kick(ns_to_ticks(c.kick_cost_ns), c.drop_kick, 0x9e3779b97f4a7c15ull),
          call(ns_to_ticks(c.kick_cost_ns), c.drop_call, 0xd1b54a32d192ed03ull) {
        plan.batch = c.batch;
        plan.outstanding = c.outstanding;
        plan.warmup = c.warmup_buffers;
        plan.window = c.duration_s > 0 ? ~0ull : c.buffers;
        plan.window_ticks = c.duration_s > 0 ? std::uint64_t(c.duration_s * hz) : 0;
        plan.latency = c.latency == LatencyMode::on || (c.latency == LatencyMode::automatic && c.outstanding == 1);
        plan.latency_every = latency_sample_every(c.outstanding);
        plan.notify = c.notify != ringsim::NotifyMode::poll;
        plan.verify_payload = c.verify == VerifyMode::full;
        plan.refill = c.submitters == 1;
    }

    std::uint64_t ns_to_ticks(std::uint64_t ns) const { return std::uint64_t(double(ns) * hz / 1e9); }

    // Submitters sharing the lock poll (one sleeping on the call eventfd would not wake
    // the others); --wait applies to the device then.
    WaitMode driver_wait() const { return cfg.submitters > 1 ? WaitMode::spin : cfg.wait; }

    // The sleeper's tid, for the watchdog's telling a lost notification from a delayed wake-up.
    std::atomic<int> device_tid{0}, driver_tid{0};
    RunConfig cfg;
    double hz;
    Ring ring;
    BufferPool pool;
    Notifier kick, call;
    SubmitLock lock;
    DriverPlan plan;
    RunControl ctl;
};

struct alignas(128) RoleSide {  // written by its own thread only: one line pair each
    // Notification counters cover the timed window only, like the buffers they are divided by.
    std::uint64_t cpu_ns = 0, notifications = 0, suppressed = 0, sleeps = 0, spurious = 0;
    std::uint64_t cpu_at_start = 0;
    ThreadSchedSample sched_at_start, sched_window;  // window start; then end minus start
    int seen_phase = int(Phase::warmup);
    LockStats lock;
    std::unique_ptr<RoleCounters> counters;
    std::string error;
};

// Pins, opens the PMU group, and waits (bounded by the watchdog's abort) for every thread.
template <class Ring>
bool start_role(LoopState<Ring>& st, RoleSide& side, Role role, int cpu) {
    side.error = pin_this_thread(cpu);
    if (side.error.empty() && st.cfg.counters) side.counters = st.cfg.counters->open_for_this_thread(role);
    st.ctl.ready.fetch_add(1);
    while (!st.ctl.go.load(std::memory_order_acquire)) {
        if (st.ctl.abort.load(std::memory_order_relaxed)) return false;
        ringsim::arch::cpu_relax();
    }
    return side.error.empty();
}

// Window bookkeeping per thread: CPU time and PMU counters follow the phase word.
inline void follow_phase(RunControl& ctl, RoleSide& side) {
    int p = ctl.phase.load(std::memory_order_relaxed);
    if (p == side.seen_phase) return;
    if (side.seen_phase == int(Phase::warmup)) {
        side.sched_at_start = sample_this_thread();
        side.cpu_at_start = thread_cpu_ns();
        if (side.counters) side.counters->start();
    }
    if (p == int(Phase::after)) {
        if (side.counters) side.counters->stop();
        side.cpu_ns = thread_cpu_ns() - side.cpu_at_start;
        const ThreadSchedSample end = sample_this_thread();
        auto diff = [](std::optional<std::uint64_t> a, std::optional<std::uint64_t> b) -> std::optional<std::uint64_t> {
            if (a && b && *b >= *a) return *b - *a;
            return std::nullopt;
        };
        side.sched_window.runqueue_wait_ns = diff(side.sched_at_start.runqueue_wait_ns, end.runqueue_wait_ns);
        side.sched_window.involuntary_switches = diff(side.sched_at_start.involuntary_switches, end.involuntary_switches);
    }
    side.seen_phase = p;
}

// ======================================================================================
// 6. The two threads' loops
// ======================================================================================
// The device thread: step while there is work; with none, spin, or (--wait sleep or
// hybrid) enable kicks, re-check, and sleep on the kick eventfd.
template <class Ring, class Device>
void device_loop(LoopState<Ring>& st, Device& dev, RoleSide& side) {
    st.device_tid.store(int(gettid()));
    if (start_role(st, side, Role::device, st.cfg.device_cpu)) {
        WaitPolicy wait(st.cfg.wait, st.cfg.spin_ns, st.hz, st.cfg.watchdog_ms);
        const bool deliver = st.driver_wait() != WaitMode::spin;  // a spinning driver reads no eventfd
        for (;;) {
            DeviceStep s = dev.step();
            if (s.processed) {
                follow_phase(st.ctl, side);
                const bool in_window = side.seen_phase == int(Phase::window);
                if (s.call) {
                    if (st.call.signal(deliver) && in_window) ++side.notifications;
                } else if (st.plan.notify && in_window) {
                    ++side.suppressed;
                }
                wait.reset();
                continue;
            }
            follow_phase(st.ctl, side);
            if (st.ctl.abort.load(std::memory_order_relaxed)) break;
            if (st.ctl.stop.load(std::memory_order_acquire) && !st.ring.pending_for_device()) break;
            if (!wait.should_sleep()) continue;
            // Sleep protocol: enable kicks, full barrier, re-check (inside device_enable_kicks).
            if (st.ring.device_enable_kicks()) {
                st.ring.device_disable_kicks();
                continue;
            }
            if (st.ctl.stop.load(std::memory_order_acquire)) break;
            st.ctl.device_sleeping.store(1, std::memory_order_seq_cst);
            const bool slept_in_window = side.seen_phase == int(Phase::window);
            if (slept_in_window) ++side.sleeps;
            st.kick.wait(wait.sleep_timeout_ms());
            st.ctl.device_sleeping.store(0, std::memory_order_relaxed);
            st.ring.device_disable_kicks();
            if (slept_in_window && !st.ring.pending_for_device() && !st.ctl.stop.load(std::memory_order_relaxed) &&
                !st.ctl.abort.load(std::memory_order_relaxed))
                ++side.spurious;
            wait.reset();
        }
    }
    follow_phase(st.ctl, side);
    st.ctl.finished.fetch_add(1);
}

// A driver (submitter) thread: step (under the submit lock when several share the
// ring), kick when the notify check says so (inside or outside the lock, --kick-mode),
// and with nothing to do flush a partial batch, then spin or sleep on the call eventfd.
template <class Ring, class Driver>
void driver_loop(LoopState<Ring>& st, Driver& drv, RoleSide& side) {
    const bool locked = st.cfg.submitters > 1;
    const bool kick_unlocked = st.cfg.kick_mode == KickMode::unlocked;
    const bool deliver = st.cfg.wait != WaitMode::spin;  // a spinning device reads no eventfd
    st.driver_tid.store(int(gettid()));  // with several submitters none sleeps (driver_wait)
    if (start_role(st, side, Role::driver, st.cfg.driver_cpu)) {
        WaitPolicy wait(st.driver_wait(), st.cfg.spin_ns, st.hz, st.cfg.watchdog_ms);
        bool flush = false;
        for (;;) {
            LockAcquisition held;
            if (locked) held = st.lock.lock();
            StepResult r = drv.step(flush);
            follow_phase(st.ctl, side);
            // Account only acquisitions that submitted, inside the window: seed 002's question
            // is how long "add, then kick" holds the lock, not how often an idle poller takes it.
            LockStats* acct = r.published && side.seen_phase == int(Phase::window) ? &side.lock : nullptr;
            if (locked && (kick_unlocked || !r.kick)) st.lock.unlock(held, acct);
            const bool in_window = side.seen_phase == int(Phase::window);
            if (r.kick) {
                if (st.kick.signal(deliver) && in_window) ++side.notifications;
            } else if (r.published && st.plan.notify && in_window) {
                ++side.suppressed;
            }
            if (locked && !kick_unlocked && r.kick) st.lock.unlock(held, acct);
            flush = false;
            if (r.done) break;
            if (r.did_work) {
                wait.reset();
                continue;
            }
            if (st.ctl.abort.load(std::memory_order_relaxed)) break;
            if (!wait.should_sleep()) continue;
            // Never sleep on a partly filled batch: publish it first.
            if (drv.room() > 0 && !drv.window_closed()) {
                flush = true;
                continue;
            }
            if (st.ring.driver_enable_calls()) {
                st.ring.driver_disable_calls();
                continue;
            }
            st.ctl.driver_sleeping.store(1, std::memory_order_seq_cst);
            const bool slept_in_window = side.seen_phase == int(Phase::window);
            if (slept_in_window) ++side.sleeps;
            st.call.wait(wait.sleep_timeout_ms());
            st.ctl.driver_sleeping.store(0, std::memory_order_relaxed);
            st.ring.driver_disable_calls();
            if (slept_in_window && !st.ring.pending_for_driver() && !st.ctl.abort.load(std::memory_order_relaxed))
                ++side.spurious;
            wait.reset();
        }
    }
    follow_phase(st.ctl, side);
    // A submitter leaves only when every buffer is drained (shared state) or on abort:
    // either way the device may finish; wake it in case it sleeps.
    st.ctl.finished.fetch_add(1);
    st.ctl.stop.store(true, std::memory_order_release);
    st.kick.force_wake();
}

}  // namespace ringlab
