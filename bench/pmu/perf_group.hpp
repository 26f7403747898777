// perf_group.hpp: a perf_event_open group counting the calling thread only.
//
// pid=0, cpu=-1, inherit=0: the counters follow this thread wherever it runs and
// nothing else.  Created disabled; enable()/disable() act on the whole group
// through the leader (PERF_IOC_FLAG_GROUP), so members start and stop together.
// Read format: GROUP | TOTAL_TIME_ENABLED | TOTAL_TIME_RUNNING | ID.
#pragma once

#include <linux/perf_event.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ringlab::pmu {

class PerfGroup {
public:
    struct Member {
        int fd = -1;
        std::uint64_t id = 0;
        int open_errno = 0;   // 0 when opened
    };
    struct Value {
        bool opened = false;
        std::uint64_t raw = 0;
        std::uint64_t enabled_ns = 0, running_ns = 0;  // the group's times (shared by members)
    };

    PerfGroup() = default;
    PerfGroup(const PerfGroup&) = delete;
    PerfGroup& operator=(const PerfGroup&) = delete;
    PerfGroup(PerfGroup&& o) noexcept;
    PerfGroup& operator=(PerfGroup&& o) noexcept;
    ~PerfGroup();

    // Opens attrs in order; the first that opens becomes the leader.  A member that
    // fails keeps its errno and the rest are still tried.
    void open(std::vector<perf_event_attr> attrs);
    const std::vector<Member>& members() const { return members_; }
    bool any_open() const { return leader_ >= 0; }

    void enable();   // groups open disabled and zeroed: no reset needed
    void disable();
    // Values in the order of the attrs given to open().  Returns false if read() failed.
    bool read(std::vector<Value>& out) const;

private:
    void close_all();
    std::vector<Member> members_;
    int leader_ = -1;
};

// A disabled, user-only, per-thread attr with the read format above.
perf_event_attr base_attr(std::uint32_t type, std::uint64_t config);

// base_attr with a libpfm4 encoding's type, configs and privilege filters.
struct Encoding;
perf_event_attr attr_for(const Encoding& e);

// errno -> sentence naming the cause: no PMU, perf_event_paranoid, bad encoding, busy.
// `hardware` selects the wording for PMU events; the paranoid level is read from /proc.
std::string explain_open_errno(int err, bool hardware);

// Reads /proc/sys/kernel/perf_event_paranoid (nullopt-like -100 when unreadable).
int read_perf_event_paranoid();
// x86 cpuinfo "hypervisor" flag, or a device-tree hypervisor node: running in a VM.
bool looks_virtualized();
// kernel.nmi_watchdog=1: the watchdog holds one hardware counter on x86.
bool nmi_watchdog_on();

}  // namespace ringlab::pmu
