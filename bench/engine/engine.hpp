// engine.hpp: the two-thread engine.  Owns threads, pinning, the start barrier,
// warm-up, the timed window and the watchdog.  It never parses flags or writes files.
#pragma once

#include <string>

#include "config/axes.hpp"
#include "engine/run_config.hpp"
#include "engine/run_result.hpp"

namespace ringlab {

// Empty string if cfg is runnable; otherwise one sentence naming the problem and the valid
// range: the configuration table's rules (config/axes.hpp), field names spelled as asked,
// then this machine's facts (are the CPUs usable here?).
std::string validate(const RunConfig& cfg, config::Spelling spelling = config::Spelling::field);

// A configuration that passed validate().  Only check() makes one, so whatever takes a
// ValidConfig (the engine, the guest, the sweep's runner) is never handed an unchecked
// configuration and never checks again: validation happens once, at the edge.
class ValidConfig {
public:
    // std::invalid_argument with validate()'s sentence when cfg is not runnable.
    static ValidConfig check(const RunConfig& cfg, config::Spelling spelling = config::Spelling::field);
    const RunConfig& config() const noexcept { return cfg_; }

private:
    explicit ValidConfig(const RunConfig& cfg) : cfg_(cfg) {}
    RunConfig cfg_;
};

// The watchdog aborted a run and the engine's threads did not stop: they still use the
// run's memory, so the process cannot carry on.  The front end prints `what` and ends
// the process (ringlab: exit status 3).  Not a std::exception on purpose: no
// `catch (const std::exception&)` that skips one configuration may swallow it.
struct EngineStuck {
    const char* what;
};

// Runs one configuration.  Throws EngineStuck when the watchdog's verdict is that the
// threads would not stop.
RunResult run_engine(const ValidConfig& cfg);
// For tests and one-off callers: ValidConfig::check (std::invalid_argument), then the run.
inline RunResult run_engine(const RunConfig& cfg) { return run_engine(ValidConfig::check(cfg)); }

// The configuration with its defaults filled in (CPU pair, outstanding, warm-up) and the
// runtime barrier set; shared by the threads engine and --guest kvm.
RunConfig prepare_run(const ValidConfig& in);

// The cache-line round trip between two CPUs, median of `rounds` timed ping-pongs, in ns.
struct PingPongResult { double median_ns, p10_ns, p90_ns, min_ns; double timer_hz; std::string timer_name; int rounds; };
PingPongResult measure_pingpong(int cpu_a, int cpu_b, int rounds = 200000);

}  // namespace ringlab
