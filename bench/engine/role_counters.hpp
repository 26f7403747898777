// role_counters.hpp: the seam between the engine and PMU capture.
//
// The engine opens one counter group per role *inside* the pinned thread
// (perf_event_open with pid=0, cpu=-1, inherit=0), so driver and device are
// counted separately, and enables it only around the timed window.  The
// engine knows nothing about perf or libpfm4; bench/pmu implements this.
#pragma once

#include <memory>
#include <string>

namespace ringlab {

enum class Role { driver, device };
inline const char* role_name(Role r) { return r == Role::driver ? "driver" : "device"; }

class RoleCounters {
public:
    virtual ~RoleCounters() = default;
    virtual void start() = 0;  // called by the owning thread just before the timed window
    virtual void stop() = 0;   // called by the owning thread just after it
};

class CounterFactory {
public:
    virtual ~CounterFactory() = default;
    // Called by the thread that will be counted, after it is pinned.
    // May return nullptr (nothing to count).
    virtual std::unique_ptr<RoleCounters> open_for_this_thread(Role role) = 0;
};

}  // namespace ringlab
