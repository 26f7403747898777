// run_config.hpp: one configuration of the two-thread engine, and what it measured.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/role_counters.hpp"
#include "ringsim/concepts.hpp"

namespace ringlab {

enum class WaitMode : std::uint8_t { spin, sleep, hybrid };
enum class KickMode : std::uint8_t { under_lock, unlocked };
enum class DeviceAccess : std::uint8_t { relaxed, barrier };
enum class LatencyMode : std::uint8_t { automatic, on, off };
// full: sequence number and checksum in each buffer; the device reads and answers it.
// ring: the buffer is never touched (as Linux's ringtest); the descriptor's length
//       carries the sequence number's low 16 bits and the device echoes it back.
enum class VerifyMode : std::uint8_t { full, ring };
// --indirect: where a buffer's chain lives (VIRTIO_RING_F_INDIRECT_DESC).  automatic: in a
// table when the buffer has more than indirect_above segments, as Linux decides.
enum class IndirectMode : std::uint8_t { off, on, automatic };
// --completion: the order in which the device completes what it took in one batch.
enum class Completion : std::uint8_t { in_order, reverse, random };
// The VM boundary (--guest kvm, bench/guest/): where the driver runs and how it reaches
// the device.  thread: a host thread (the default; the fields below are then unused).
enum class HostKind : std::uint8_t { thread, kvm };
enum class KickPath : std::uint8_t { ioeventfd, exit };      // KVM_IOEVENTFD | exit to user space
enum class CallPath : std::uint8_t { poll, irqfd };          // the guest polls | halts for a KVM_IRQFD interrupt
enum class Doorbell : std::uint8_t { pio, mmio };            // an I/O port | an unbacked MMIO page
enum class GuestBarriers : std::uint8_t { smp, up };         // up: smp_* compiler barriers only (Linux without CONFIG_SMP)

// Ranges shared by every front end (run/stress flags, sweep specs) and validate():
// one place, so a value the spec parser accepts is one the engine runs.
namespace limits {
inline constexpr std::uint64_t kMaxSpinNs = 1'000'000'000;  // hybrid spin before sleeping
inline constexpr double kMinDurationS = 0.001;              // far above any timer's step
inline constexpr double kMaxDurationS = 3600;
inline constexpr std::uint32_t kMaxRingSize = 32768;          // power of two, from 2
inline constexpr std::uint64_t kMaxKickCostNs = 10'000'000;
inline constexpr std::uint32_t kMaxSubmitters = 64;
inline constexpr std::uint32_t kMaxPayloadBytes = 4096;       // multiple of 8
inline constexpr std::uint32_t kMinWatchdogMs = 10, kMaxWatchdogMs = 600000;
}  // namespace limits

struct RunConfig {
    std::string layout = "split";           // split | split-inorder | packed | index
    std::string barrier = "smp";            // see ringlab list
    std::string runtime_barrier = "smp";    // what `branch` and `ops` choose at run time: smp | mandatory
    ringsim::NotifyMode notify = ringsim::NotifyMode::poll;
    WaitMode wait = WaitMode::spin;
    std::uint64_t spin_ns = 20000;          // hybrid: spin this long before sleeping
    std::uint32_t ring_size = 256;
    std::uint32_t batch = 1;
    std::uint32_t outstanding = 0;          // 0 = ring size
    std::uint32_t payload_bytes = 64;       // verified payload per buffer (multiple of 8, 0..4096)
    std::uint32_t cache_line = 64;          // 64 or 128
    std::uint64_t buffers = 1'000'000;      // timed-window length in buffers (ignored if duration_s > 0)
    double duration_s = 0;                  // timed-window length in seconds
    std::uint64_t warmup_buffers = 0;       // 0 = automatic (many ring fills)
    int driver_cpu = -1, device_cpu = -1;   // -1 = choose
    bool allow_same_cpu = false;
    std::uint64_t kick_cost_ns = 0;
    std::uint32_t submitters = 1;
    KickMode kick_mode = KickMode::under_lock;
    DeviceAccess device_access = DeviceAccess::relaxed;
    // Calibration only (`ringlab answer --calibrate`): the device spins this many extra ns
    // per buffer before publishing, a known slowdown to check the statistics against.
    std::uint64_t device_extra_ns = 0;
    std::uint32_t watchdog_ms = 2000;
    double drop_kick = 0, drop_call = 0;    // fault injection probabilities
    LatencyMode latency = LatencyMode::automatic;
    VerifyMode verify = VerifyMode::full;
    bool measure_floor = true;              // measure the CPU pair's cache-line round trip first
    bool verbose = false;
    CounterFactory* counters = nullptr;     // optional per-role PMU groups
    // Real virtio buffers (the chain cores, engine_loops.hpp); the defaults keep the
    // single-descriptor, in-order fast path.
    std::uint32_t sg = 1;                   // descriptors per buffer, 1..16 (last one device-writable)
    IndirectMode indirect = IndirectMode::off;
    std::uint32_t indirect_above = 1;       // automatic: indirect when sg > this (0..16)
    Completion completion = Completion::in_order;
    std::uint64_t completion_seed = 1;      // random: the shuffle's seed
    // The VM boundary (see HostKind above); checked by guest_config_problem(), a rule of the configuration table.
    HostKind host = HostKind::thread;
    KickPath kick_path = KickPath::ioeventfd;
    CallPath call_path = CallPath::poll;
    Doorbell doorbell = Doorbell::pio;
    GuestBarriers guest_barriers = GuestBarriers::smp;
    std::uint32_t vcpus = 1;                // guest vCPUs, each a submitter (1..2)
    std::uint32_t exitcost_iterations = 200;  // the same run's exit-cost samples (0: skip)
};

// Whether this configuration's buffers go through an indirect table.
inline bool uses_indirect(const RunConfig& c) {
    return c.indirect == IndirectMode::on || (c.indirect == IndirectMode::automatic && c.sg > c.indirect_above);
}
// Whether it needs the chain engine (anything but one direct descriptor completed in order).
inline bool uses_chain_path(const RunConfig& c) {
    return c.sg > 1 || uses_indirect(c) || c.completion != Completion::in_order;
}
// As the command line, results files and names spell them.
inline std::string indirect_name(const RunConfig& c) {
    if (c.indirect == IndirectMode::off) return "off";
    if (c.indirect == IndirectMode::on) return "on";
    return c.indirect_above == 1 ? "auto" : "auto=" + std::to_string(c.indirect_above);
}
inline std::string completion_name(const RunConfig& c) {
    if (c.completion == Completion::in_order) return "in-order";
    if (c.completion == Completion::reverse) return "reverse";
    return c.completion_seed == 1 ? "random" : "random:" + std::to_string(c.completion_seed);
}
// The VM boundary's fields as the command line, results files and names spell them.
inline const char* host_name(HostKind h) { return h == HostKind::kvm ? "kvm" : "thread"; }
inline const char* kick_path_name(KickPath k) { return k == KickPath::exit ? "exit" : "ioeventfd"; }
inline const char* call_path_name(CallPath c) { return c == CallPath::irqfd ? "irqfd" : "poll"; }
inline const char* doorbell_name(Doorbell d) { return d == Doorbell::mmio ? "mmio" : "pio"; }
inline const char* guest_barriers_name(GuestBarriers b) { return b == GuestBarriers::up ? "up" : "smp"; }
}  // namespace ringlab
