// device_side.hpp: the device (host) role: discover available buffers, check
// each one, write the response, publish completions in batches, decide
// whether to call.
#pragma once

#include <cstdint>

#include "engine/buffer_pool.hpp"
#include "engine/line_vector.hpp"
#include "engine/run_config.hpp"
#include "engine/run_result.hpp"
#include "engine/planted_delay.hpp"
#include "ringsim/arch.hpp"

namespace ringlab {

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
          verify_payload_(verify_payload), popped_(verify_payload ? 0 : batch) {}

    // Consume up to one batch of available buffers, then publish their completions.
    DeviceStep step() {
        DeviceStep s;
        std::uint16_t id = 0;
        std::uint64_t addr = 0;
        std::uint32_t len = 0;
        while (s.processed < batch_ && ring_.device_pop(id, addr, len)) {
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
        if (s.processed == 0) return s;
        if (extra_iterations_) [[unlikely]] planted_chain(extra_iterations_ * s.processed);
        ring_.device_publish();
        if (notify_) s.call = ring_.device_call_needed();
        if (!verify_payload_)
            for (std::uint32_t i = 0; i < s.processed; ++i) check_descriptor(popped_[i].addr, popped_[i].len);
        return s;
    }

    VerifyErrors errors;

    // Calibration (answer --calibrate): this many planted_chain iterations more per buffer
    // before each publish; 0, the default, leaves one untaken branch per step.
    void plant_delay(std::uint64_t iterations) { extra_iterations_ = iterations; }

private:
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
    std::uint64_t expected_seq_ = 0;
    LineVector<Popped> popped_;  // --verify ring: this step's descriptors, checked after the publish
    std::uint64_t extra_iterations_ = 0;  // calibration only
};

}  // namespace ringlab
