// wait_policy.hpp: what a role with nothing to do does (--wait spin|sleep|hybrid).
#pragma once

#include <cstdint>

#include "engine/run_config.hpp"
#include "ringsim/arch.hpp"
#include "ringsim/clock.hpp"

namespace ringlab {

class WaitPolicy {
public:
    WaitPolicy(WaitMode mode, std::uint64_t spin_ns, double hz, std::uint32_t watchdog_ms)
        : mode_(mode), spin_ticks_(std::uint64_t(double(spin_ns) * hz / 1e9)), watchdog_ms_(watchdog_ms) {}

    // Called each time the role found no work.  False: keep polling (after a pause hint).
    bool should_sleep() {
        switch (mode_) {
            case WaitMode::spin:
                ringsim::arch::cpu_relax();
                return false;
            case WaitMode::sleep:
                return true;
            case WaitMode::hybrid:
                if (!idle_since_) idle_since_ = ringsim::clock::now();
                if (ringsim::clock::now() - idle_since_ >= spin_ticks_) return true;
                ringsim::arch::cpu_relax();
                return false;
        }
        return false;
    }
    void reset() { idle_since_ = 0; }

    // A sleeper is woken by its peer, or by the watchdog after watchdog_ms; this
    // timeout is only the last line of defence if the watchdog itself is stuck.
    int sleep_timeout_ms() const { return int(watchdog_ms_) * 4 + 100; }

private:
    WaitMode mode_;
    std::uint64_t spin_ticks_;
    std::uint32_t watchdog_ms_;
    std::uint64_t idle_since_ = 0;
};

}  // namespace ringlab
