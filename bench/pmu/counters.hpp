// counters.hpp: per-role PMU counters, the implementation of engine/role_counters.hpp.
//
//   auto cap = ringlab::pmu::probe(ringlab::pmu::parse_event_list(events_flag));   // main thread
//   ringlab::pmu::PmuCounterFactory factory(cap);
//   cfg.counters = &factory;                      // engine calls open_for_this_thread
//   ... run ...
//   if (auto* c = ringlab::pmu::as_pmu(result.driver.counters.get())) c->hardware();
//
// start() and stop() are one prctl(PR_TASK_PERF_EVENTS_ENABLE / _DISABLE) each:
// it switches every group this thread opened at once, so the timed window holds
// no allocation, no read and no per-group ioctl.  The groups are created
// disabled and zeroed, so one object counts one window (a second start()
// accumulates).  The engine opens one object per role thread, in that thread.
//
// Each role thread gets the probe's available hardware events (one perf group per
// EventSpec::group) and a software group (task-clock, context-switches,
// cpu-migrations, page-faults), which counts even in a VM without a PMU.
// Events the probe found unavailable still appear in the readings with a null
// value and the probe's reason, so nothing is dropped silently.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/role_counters.hpp"
#include "pmu/perf_group.hpp"
#include "pmu/probe.hpp"

namespace ringlab::pmu {

struct HardwareReading {
    std::string alias, name;
    int group = 0;
    std::optional<std::uint64_t> raw;   // as read
    std::optional<double> value;        // raw * enabled / running; null when it never ran
    std::uint64_t enabled_ns = 0, running_ns = 0;
    bool scaled = false;                // value was extrapolated (running < enabled)
    bool multiplexed = false;           // the group shared counters with others (running < enabled)
    std::string reason;                 // why value is null
};

struct SoftwareReading {
    std::optional<std::uint64_t> task_clock_ns, context_switches, cpu_migrations, page_faults;
    std::uint64_t enabled_ns = 0, running_ns = 0;
    std::string reason;                 // why values are null
};

class PmuRoleCounters final : public RoleCounters {
public:
    PmuRoleCounters(Role role, const Capability& cap, bool software);
    void start() override;
    void stop() override;

    Role role() const { return role_; }
    bool stopped() const { return stopped_; }
    // Valid after stop(); before it, every value is null with reason "not stopped".
    // The groups are read here, on first use after stop(), not in stop(): the
    // window's own thread does nothing but the enable and disable syscalls.
    const std::vector<HardwareReading>& hardware() const;
    const SoftwareReading& software() const;

private:
    void read_all() const;
    Role role_;
    bool stopped_ = false;
    mutable bool read_ = false;                     // readings taken since the last stop()
    std::vector<PerfGroup> groups_;                 // hardware groups
    std::vector<std::vector<std::size_t>> slots_;   // group -> indices into hw_
    PerfGroup sw_group_;
    bool want_software_;
    mutable std::vector<HardwareReading> hw_;
    mutable SoftwareReading sw_;
};

class PmuCounterFactory final : public CounterFactory {
public:
    explicit PmuCounterFactory(Capability cap, bool software = true);
    std::unique_ptr<RoleCounters> open_for_this_thread(Role role) override;
    const Capability& capability() const { return cap_; }

private:
    Capability cap_;
    bool software_;
};

// The PMU readings behind an engine RoleCounters, or nullptr if it is not ours.
const PmuRoleCounters* as_pmu(const RoleCounters* c);

}  // namespace ringlab::pmu
