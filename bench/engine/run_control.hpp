// run_control.hpp: the few words the engine's threads and its watchdog share.
// Each sits on its own 128-byte block (two lines on x86's adjacent-line
// prefetcher) so that the watchdog's reads never disturb the ring's lines.
#pragma once

#include <atomic>
#include <cstdint>

namespace ringlab {

enum class Phase : int { warmup = 0, window = 1, after = 2 };

struct RunControl {
    alignas(128) std::atomic<int> phase{int(Phase::warmup)};
    alignas(128) std::atomic<bool> stop{false};    // driver finished: the device exits once idle
    alignas(128) std::atomic<bool> abort{false};   // the watchdog gave up: every thread exits
    alignas(128) std::atomic<int> ready{0};        // start barrier
    alignas(128) std::atomic<bool> go{false};
    alignas(128) std::atomic<int> driver_sleeping{0};
    alignas(128) std::atomic<int> device_sleeping{0};
    alignas(128) std::atomic<int> finished{0};     // threads that have left their loops
};


}  // namespace ringlab
