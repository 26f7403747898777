// engine_support.cpp: diagnostics shared by every instantiation.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "engine/run_result.hpp"
#include "engine/watchdog.hpp"

namespace ringlab {

std::string describe_snapshot(const ringsim::RingSnapshot& s) {
    std::ostringstream o;
    o << "driver published " << s.driver_published << ", device consumed up to " << s.device_seen
      << ", device published " << s.device_published << ", driver reaped up to " << s.driver_seen
      << "; avail/driver-event flags 0x" << std::hex << s.avail_flags_or_driver_event_flags
      << ", used/device-event flags 0x" << s.used_flags_or_device_event_flags << std::dec
      << ", used_event/driver off_wrap " << s.used_event_or_driver_off_wrap
      << ", avail_event/device off_wrap " << s.avail_event_or_device_off_wrap;
    return o.str();
}

std::optional<double> RunResult::floor_rtt_ns() const {
    if (floor_before_ns && floor_after_ns) return (*floor_before_ns + *floor_after_ns) / 2;
    return floor_before_ns ? floor_before_ns : floor_after_ns;
}

bool RunResult::floor_moved() const {
    if (!floor_before_ns || !floor_after_ns || *floor_before_ns <= 0 || *floor_after_ns <= 0) return false;
    const double hi = std::max(*floor_before_ns, *floor_after_ns), lo = std::min(*floor_before_ns, *floor_after_ns);
    return hi > kFloorMovedRatio * lo;
}

std::optional<double> RunResult::efficiency() const {
    const std::optional<double> floor = floor_rtt_ns();
    if (!floor || buffers == 0) return std::nullopt;
    // Latency mode: floor / median round trip.  Otherwise a buffer's amortised
    // share of time stands in for its round trip (batching can push this above 1).
    double rtt = latency && latency->count() ? double(latency->percentile(0.5)) : ns_per_buffer();
    if (rtt <= 0) return std::nullopt;
    return *floor / rtt;
}

}  // namespace ringlab

#include "engine/planted_delay.hpp"
#include "ringsim/clock.hpp"

namespace ringlab {

double planted_ns_per_iteration() {
    static const double ns = [] {
        constexpr std::uint64_t n = 2'000'000;
        double best = 1e9;
        for (int i = 0; i < 7; ++i) {
            const std::uint64_t t0 = ringsim::clock::now();
            planted_chain(n);
            const std::uint64_t t1 = ringsim::clock::now_end();
            best = std::min(best, ringsim::clock::to_ns(double(t1 - t0)) / double(n));
        }
        return best;
    }();
    return ns;
}

}  // namespace ringlab
