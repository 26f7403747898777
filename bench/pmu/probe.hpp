// probe.hpp: what this machine can count, and exactly why not where it cannot.
//
// Run once at start-up in the main thread: initializes libpfm4, encodes every
// requested event, checks that a hardware PMU counts at all, then opens the
// groups for real in this thread, counts a short busy loop, and marks each event
// available or not with a reason (no PMU / VM without virtual PMU,
// perf_event_paranoid, unknown event, not scheduled).  The result feeds
// `context.ringlab.pmu` and the counter factory.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pmu/events.hpp"

namespace ringlab::pmu {

struct EventStatus {
    EventSpec spec;
    std::optional<Encoding> encoding;
    bool software = false;      // a kernel software event (needs no PMU)
    bool available = false;
    std::string reason;         // why not available; "" when available
};

struct Capability {
    bool hardware_available = false;
    std::string reason;         // why hardware counters are unavailable ("" when available)
    std::string pmu;            // libpfm4 PMU the default set was chosen for, or "perf"
    bool generic = false;       // generic kernel events in use
    std::string note;           // how the set was chosen
    std::string privilege = "user";  // counting excludes kernel and hypervisor
    int perf_event_paranoid = -100;  // -100 = unreadable
    std::vector<EventStatus> events;

    std::vector<const EventStatus*> available_events() const;
};

// Probe the machine's default set, or exactly `requested` (from --events, as
// `perf stat -e` does) when it is not empty.  Requested events form one group.
Capability probe(const std::vector<EventSpec>& requested = {});
// Probe exactly this set (tests).
Capability probe_set(const DefaultSet& set);

}  // namespace ringlab::pmu
