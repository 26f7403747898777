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
// Parse the spellings above into c: "" if valid, else one sentence naming the valid forms
// (the CLI and the sweep's axis values share these).
inline std::string set_indirect(RunConfig& c, const std::string& v) {
    const std::string bad = "--indirect '" + v + "' is not valid (valid: off, on, auto, auto=K with K from 0 to 16)";
    if (v == "off") c.indirect = IndirectMode::off;
    else if (v == "on") c.indirect = IndirectMode::on;
    else if (v == "auto") { c.indirect = IndirectMode::automatic; c.indirect_above = 1; }
    else if (v.rfind("auto=", 0) == 0) {
        const std::string k = v.substr(5);
        if (k.empty() || k.size() > 2 || k.find_first_not_of("0123456789") != std::string::npos) return bad;
        const unsigned long n = std::stoul(k);
        if (n > 16) return bad;
        c.indirect = IndirectMode::automatic;
        c.indirect_above = std::uint32_t(n);
    } else {
        return bad;
    }
    return {};
}
inline std::string set_completion(RunConfig& c, const std::string& v) {
    const std::string bad =
        "--completion '" + v + "' is not valid (valid: in-order, reverse, random, random:SEED with SEED from 1 to 2^63)";
    if (v == "in-order") c.completion = Completion::in_order;
    else if (v == "reverse") c.completion = Completion::reverse;
    else if (v == "random") { c.completion = Completion::random; c.completion_seed = 1; }
    else if (v.rfind("random:", 0) == 0) {
        const std::string k = v.substr(7);
        if (k.empty() || k.size() > 19 || k.find_first_not_of("0123456789") != std::string::npos) return bad;
        const unsigned long long n = std::stoull(k);
        if (n < 1 || n > (1ull << 63)) return bad;
        c.completion = Completion::random;
        c.completion_seed = n;
    } else {
        return bad;
    }
    return {};
}

inline std::string completion_name(const RunConfig& c) {
    if (c.completion == Completion::in_order) return "in-order";
    if (c.completion == Completion::reverse) return "reverse";
    return c.completion_seed == 1 ? "random" : "random:" + std::to_string(c.completion_seed);
}
}  // namespace ringlab
