// engine.cpp: validation of a configuration, resolution of its defaults, and the
// entry point that measures the CPU pair's floor and dispatches to the ring type.
// Every layout x barrier instantiation of the engine is compiled here, from the two
// registries (ringsim/layouts/registry.hpp, ringsim/barriers.hpp).
#include "engine/engine.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>

#include "engine/cpu_affinity.hpp"
#include "engine/engine_run.hpp"
#include "ringsim/barriers.hpp"
#include "ringsim/clock.hpp"
#include "ringsim/layouts/registry.hpp"

namespace ringlab {

namespace detail {
// Whether the layout implements a notify mode (false for an unknown layout).
bool layout_supports_notify(std::string_view layout, ringsim::NotifyMode m) {
    const ringsim::LayoutFacts* f = ringsim::find_layout(layout);
    return f && f->supports_notify(m);
}

// From the two run-time names to one compiled instantiation.  Chains, indirect tables
// and out-of-order completion take the chain cores; every other configuration keeps the
// single-descriptor fast path.
template <class Run>
RunResult run_on_heap(const RunConfig& cfg, double hz) {
    auto run = std::make_unique<Run>(cfg, hz);
    try {
        return run->run();
    } catch (const EngineStuck&) {
        (void)run.release();  // its threads still run on this memory: never free it
        throw;
    }
}

RunResult run_instance(const RunConfig& cfg, double hz) {
    RunResult out;
    bool barrier_found = true;
    const bool layout_found = ringsim::visit_layout(cfg.layout, [&](auto layout) {
        using L = typename decltype(layout)::type;
        barrier_found = ringsim::visit_barrier(cfg.barrier, [&](auto barrier) {
            using Ring = typename L::template ring<typename decltype(barrier)::type>;
            if constexpr (ringsim::ChainLayout<Ring>) {
                if (uses_chain_path(cfg)) {
                    out = run_on_heap<EngineRun<Ring, ChainDriverCore, ChainDeviceCore>>(cfg, hz);
                    return;
                }
            }
            out = run_on_heap<EngineRun<Ring>>(cfg, hz);
        });
    });
    if (!layout_found) throw std::invalid_argument("unknown layout '" + cfg.layout + "'");
    if (!barrier_found) throw std::invalid_argument("unknown barrier '" + cfg.barrier + "'");
    return out;
}
}  // namespace detail

// --sg, --indirect and --completion: one sentence per bad value or combination.
static std::string validate_chains(const RunConfig& c) {
    if (c.sg < 1 || c.sg > ringsim::kMaxChain)
        return "sg " + std::to_string(c.sg) + " is not valid (1 to 16 descriptors per buffer)";
    if (c.indirect_above > ringsim::kMaxChain)
        return "--indirect auto=" + std::to_string(c.indirect_above) + " is not valid (K from 0 to 16 segments)";
    if (c.layout == "index" && uses_chain_path(c))
        return "the index layout has no descriptors: --sg, --indirect and --completion need split, split-inorder, "
               "packed or packed-inorder";
    if ((c.layout == "split-inorder" || c.layout == "packed-inorder") && c.completion != Completion::in_order)
        return c.layout + " completes buffers in the order they were made available (VIRTIO_F_IN_ORDER): "
               "--completion must be in-order";
    if (!uses_indirect(c) && c.sg > c.ring_size)
        return "a direct chain of " + std::to_string(c.sg) + " descriptors does not fit a ring of " +
               std::to_string(c.ring_size) + " (use --ring-size " + std::to_string(c.sg) +
               " or more, or --indirect)";
    if (uses_chain_path(c) && c.device_extra_ns)
        return "a planted device delay (calibration) applies to single-descriptor, in-order buffers only";
    if (uses_chain_path(c) && c.verify == VerifyMode::ring)
        return "--verify ring checks single descriptors completed in order: use --verify full with --sg, "
               "--indirect or --completion";
    return {};
}


std::string validate(const RunConfig& c) {
    static const char* layouts[] = {"split", "split-inorder", "packed", "index", "packed-inorder"};
    if (std::find_if(std::begin(layouts), std::end(layouts), [&](const char* l) { return c.layout == l; }) ==
        std::end(layouts))
        return "unknown layout '" + c.layout + "' (valid: split, split-inorder, packed, index, packed-inorder)";
    if (std::find(ringsim::kBarrierNames.begin(), ringsim::kBarrierNames.end(), c.barrier) ==
        ringsim::kBarrierNames.end()) {
        std::string names;
        for (auto n : ringsim::kBarrierNames) names += (names.empty() ? "" : ", ") + std::string(n);
        return "unknown barrier '" + c.barrier + "' (valid: " + names + ")";
    }
    if (c.runtime_barrier != "smp" && c.runtime_barrier != "mandatory")
        return "unknown run-time barrier choice '" + c.runtime_barrier + "' (valid: smp, mandatory)";
    if (c.ring_size < 2 || c.ring_size > limits::kMaxRingSize || (c.ring_size & (c.ring_size - 1)))
        return "ring size " + std::to_string(c.ring_size) + " is not valid (a power of two from 2 to 32768)";
    if (c.batch < 1 || c.batch > c.ring_size)
        return "batch " + std::to_string(c.batch) + " is not valid (1 to the ring size, " +
               std::to_string(c.ring_size) + ")";
    if (c.outstanding > c.ring_size)
        return "outstanding " + std::to_string(c.outstanding) + " exceeds the ring size (1 to " +
               std::to_string(c.ring_size) + ")";
    std::uint32_t outstanding = c.outstanding ? c.outstanding : c.ring_size;
    if (c.batch > outstanding)
        return "batch " + std::to_string(c.batch) + " exceeds outstanding " + std::to_string(outstanding) +
               " (a batch must fit in flight: batch <= outstanding)";
    if (c.payload_bytes % 8 || c.payload_bytes > limits::kMaxPayloadBytes)
        return "payload " + std::to_string(c.payload_bytes) + " bytes is not valid (a multiple of 8 from 0 to 4096)";
    if (c.cache_line != 64 && c.cache_line != 128)
        return "cache line " + std::to_string(c.cache_line) + " is not valid (64 or 128)";
    // 0 means "count buffers"; anything else must span many timer ticks, or the window
    // would be zero ticks long and never close.
    if (!std::isfinite(c.duration_s) || c.duration_s < 0 || c.duration_s > limits::kMaxDurationS ||
        (c.duration_s > 0 && c.duration_s < limits::kMinDurationS))
        return "duration must be 0 (count buffers) or between 0.001 and 3600 seconds";
    if (c.duration_s == 0 && (c.buffers < 1 || c.buffers > (1ull << 40)))
        return "buffers must be between 1 and 2^40";
    if (!detail::layout_supports_notify(c.layout, c.notify))
        return std::string("layout ") + c.layout + " does not support notify mode " + std::string(ringsim::notify_mode_name(c.notify)) +
               (c.layout == "index" ? " (index supports: poll, flags)" : "");
    if (c.wait != WaitMode::spin && c.notify == ringsim::NotifyMode::poll)
        return "--wait sleep/hybrid needs notifications: use --notify flags or event-idx (with poll nothing wakes a sleeper)";
    if (c.submitters < 1 || c.submitters > limits::kMaxSubmitters) return "submitters must be between 1 and 64";
    if (c.kick_mode == KickMode::unlocked && c.submitters < 2)
        return "--kick-unlocked needs --submitters 2 or more (with one submitter there is no lock)";
    if (!(c.drop_kick >= 0 && c.drop_kick <= 1 && c.drop_call >= 0 && c.drop_call <= 1))  // NaN fails too
        return "drop probabilities must be between 0 and 1";
    if ((c.drop_kick > 0 || c.drop_call > 0) && c.wait == WaitMode::spin)
        return "--inject drops notifications, which only matters when a side sleeps: add --wait sleep or hybrid";
    if (c.watchdog_ms < limits::kMinWatchdogMs || c.watchdog_ms > limits::kMaxWatchdogMs) return "watchdog must be between 10 and 600000 ms";
    if (c.kick_cost_ns > limits::kMaxKickCostNs) return "kick cost must be at most 10000000 ns";
    if (c.device_extra_ns > 1'000'000) return "device extra delay must be at most 1000000 ns";
    if (c.spin_ns > limits::kMaxSpinNs) return "spin-ns must be at most 1000000000";
    if (c.runtime_barrier != "smp" && c.barrier != "branch" && c.barrier != "ops")
        return "--runtime-barrier " + c.runtime_barrier + " only applies to --barrier branch or ops (barrier " + c.barrier +
               " is chosen at compile time)";
    if (std::string why = validate_chains(c); !why.empty()) return why;
    for (int cpu : {c.driver_cpu, c.device_cpu}) {
        if (cpu < 0) continue;
        std::string why = cpu_usable(cpu);
        if (!why.empty()) return why;
    }
    if (c.driver_cpu >= 0 && c.driver_cpu == c.device_cpu && !c.allow_same_cpu)
        return "driver and device on the same CPU " + std::to_string(c.driver_cpu) +
               " (give two different CPUs, or --allow-same-cpu to measure that on purpose)";
    return {};
}

RunConfig prepare_run(const RunConfig& in) {
    RunConfig cfg = in;
    if (cfg.driver_cpu < 0 || cfg.device_cpu < 0) {
        int a = 0, b = 0;
        if (!default_cpu_pair(a, b)) {
            if (!cfg.allow_same_cpu)
                throw std::invalid_argument("fewer than two usable CPUs: pass --allow-same-cpu to run on one");
            a = b = first_usable_cpu();
        }
        if (cfg.driver_cpu < 0) cfg.driver_cpu = (cfg.device_cpu == a ? b : a);
        if (cfg.device_cpu < 0) cfg.device_cpu = (cfg.driver_cpu == b ? a : b);
    }
    if (cfg.outstanding == 0) cfg.outstanding = cfg.ring_size;
    // Why this warm-up: fill and drain the ring many times so every line has
    // changed hands and the branch predictors have settled before timing starts.
    if (cfg.warmup_buffers == 0) cfg.warmup_buffers = std::max<std::uint64_t>(20000, 16ull * cfg.ring_size);
    ringsim::set_runtime_barrier(cfg.runtime_barrier == "mandatory" ? ringsim::RuntimeBarrier::mandatory
                                                                     : ringsim::RuntimeBarrier::smp);
    return cfg;
}

RunResult run_engine(const RunConfig& in) {
    std::string err = validate(in);
    if (!err.empty()) throw std::invalid_argument(err);
    RunConfig cfg = prepare_run(in);
    const auto& clk = ringsim::clock::info();

    // The floor brackets the run: measured once before and once after, so a machine
    // that changes speed during the run shows up instead of skewing the efficiency.
    const bool floor = cfg.measure_floor && cfg.driver_cpu != cfg.device_cpu;
    auto measure_floor = [&] { return measure_pingpong(cfg.driver_cpu, cfg.device_cpu, 20000).median_ns; };
    std::optional<double> floor_before;
    if (floor) floor_before = measure_floor();

    RunResult r = detail::run_instance(cfg, clk.hz);
    if (floor) {
        r.floor_before_ns = floor_before;
        r.floor_after_ns = measure_floor();
    }
    r.timer_name = clk.name;
    r.timer_core_cycles = clk.core_cycles;
    r.timer_resolution_ticks = clk.resolution_ticks;
    return r;
}

}  // namespace ringlab
