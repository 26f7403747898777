// exitcost_job.hpp: the words the exitcost guest, its device thread and the
// vCPU thread share (all in host memory the guest sees at the same address).
#pragma once

#include <atomic>
#include <cstdint>

namespace ringlab::guest::x86 {

enum ExitKind : int { kPio, kMmio, kIoeventfdPio, kIoeventfdPioWake, kIoeventfdMmio, kIoeventfdMmioWake, kIrqfdHlt, kKinds };

// Phases the guest announces; the device thread follows (and acknowledges) each.
enum Phase : std::uint32_t { kIdle = 0, kTsc = 1, kWakePio = 2, kWakeMmio = 3, kIrq = 4, kPlain = 5, kFinished = 9 };

struct ExitCostJob {
    std::uint32_t per_block = 0, rounds = 0;
    bool want[kKinds] = {};
    std::uint64_t* samples[kKinds] = {};  // per_block * rounds each (wake kinds: signed ticks as uint64)
    std::uint64_t count[kKinds] = {};
    std::uint64_t irq_delay_ticks = 0;    // the device waits this long so the guest is really halted
    // TSC ping-pong results (guest ticks minus host ticks at the same moment; best round trip).
    std::int64_t tsc_offset[2] = {};
    std::uint64_t tsc_rtt[2] = {};
    alignas(128) std::atomic<std::uint32_t> phase{kIdle};
    alignas(128) std::atomic<std::uint32_t> phase_ack{kIdle};
    alignas(128) std::atomic<std::uint64_t> req{0};
    alignas(128) std::atomic<std::uint64_t> ack{0};
    alignas(128) std::atomic<std::uint64_t> host_tsc{0};
    alignas(128) std::atomic<bool> abort{false};  // the host gave up: the guest returns at its next look
};

}  // namespace ringlab::guest::x86
