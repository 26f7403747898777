// engine.cpp: validation of a configuration, resolution of its defaults, and the
// entry point that measures the CPU pair's floor and dispatches to the ring type.
// Every layout x barrier instantiation of the engine is compiled here, from the two
// registries (ringsim/layouts/registry.hpp, ringsim/barriers.hpp).
#include "engine/engine.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>

#include "config/axes.hpp"
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

// The values and combinations are the configuration table's (config/axes.hpp), worded in
// field names; only the machine's facts (is that CPU usable here?) are checked here.
std::string validate(const RunConfig& c, config::Spelling spelling) {
    if (auto p = config::check(c)) return config::render(p.message, spelling);
    for (int cpu : {c.driver_cpu, c.device_cpu}) {
        if (cpu < 0) continue;
        std::string why = cpu_usable(cpu);
        if (!why.empty()) return why;
    }
    return {};
}

ValidConfig ValidConfig::check(const RunConfig& cfg, config::Spelling spelling) {
    if (std::string why = validate(cfg, spelling); !why.empty()) throw std::invalid_argument(why);
    return ValidConfig(cfg);
}

RunConfig prepare_run(const ValidConfig& in) {
    RunConfig cfg = in.config();
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

RunResult run_engine(const ValidConfig& in) {
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
