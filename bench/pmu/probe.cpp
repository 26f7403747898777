// probe.cpp: the capability probe.
#include "pmu/probe.hpp"

#include <cerrno>
#include <map>

#include "pmu/perf_group.hpp"

namespace ringlab::pmu {

namespace {

// Enough work for every counter to tick, short enough not to matter at start-up.
void busy_loop() {
    volatile std::uint64_t x = 0;
    for (std::uint64_t i = 0; i < 2'000'000; ++i) x = x + i;
}

// Does any hardware counter count here?  "" if yes, else the reason.
std::string hardware_check() {
    PerfGroup g;
    g.open({base_attr(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES)});
    if (!g.any_open())
        return "cannot open the generic cycles event: " + explain_open_errno(g.members()[0].open_errno, true);
    g.enable();
    busy_loop();
    g.disable();
    std::vector<PerfGroup::Value> v;
    if (!g.read(v) || v.empty() || !v[0].opened) return "cannot read the generic cycles event";
    if (v[0].running_ns == 0)
        return "the cycles counter opened but was never scheduled: no free hardware counter (another tool, or a VM "
               "whose virtual PMU has no counters)";
    if (v[0].raw == 0)
        return "the cycles counter opened but counted 0 over a busy loop: the PMU does not count here (a VM's "
               "virtual PMU stub?)";
    return "";
}

std::string not_scheduled_reason() {
    std::string r = "not scheduled: too many events or counter in use";
    if (nmi_watchdog_on()) r += " (kernel.nmi_watchdog=1 holds a hardware counter)";
    return r;
}

}  // namespace

std::vector<const EventStatus*> Capability::available_events() const {
    std::vector<const EventStatus*> out;
    for (const auto& e : events)
        if (e.available) out.push_back(&e);
    return out;
}

Capability probe_set(const DefaultSet& set) {
    Capability cap;
    cap.pmu = set.pmu;
    cap.generic = set.generic;
    cap.note = set.note;
    cap.perf_event_paranoid = read_perf_event_paranoid();
    const std::string pfm_err = init_libpfm();
    cap.reason = hardware_check();
    cap.hardware_available = cap.reason.empty();

    for (const auto& spec : set.events) {
        EventStatus st;
        st.spec = spec;
        if (spec.name.empty()) {
            st.reason = "no event: " + spec.note;
        } else if (!pfm_err.empty()) {
            st.reason = "libpfm4 unavailable: " + pfm_err;
        } else {
            EncodeResult r = encode_event(spec.name);
            if (!r.encoding) st.reason = "unknown event '" + spec.name + "': libpfm4: " + r.error;
            else {
                st.encoding = r.encoding;
                st.software = r.encoding->type == PERF_TYPE_SOFTWARE;
                if (!st.software && !cap.hardware_available) st.reason = "no hardware counters: " + cap.reason;
            }
        }
        cap.events.push_back(std::move(st));
    }

    // Trial: open each group in this thread, count a busy loop, read.
    std::map<int, std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < cap.events.size(); ++i)
        if (cap.events[i].encoding && cap.events[i].reason.empty()) groups[cap.events[i].spec.group].push_back(i);
    std::vector<PerfGroup> opened;
    std::vector<std::vector<std::size_t>> index;
    for (auto& [g, idx] : groups) {
        std::vector<perf_event_attr> attrs;
        for (auto i : idx) attrs.push_back(attr_for(*cap.events[i].encoding));
        PerfGroup pg;
        pg.open(attrs);
        opened.push_back(std::move(pg));
        index.push_back(idx);
    }
    for (auto& pg : opened) pg.enable();
    busy_loop();
    for (auto& pg : opened) pg.disable();
    for (std::size_t g = 0; g < opened.size(); ++g) {
        std::vector<PerfGroup::Value> vals;
        const bool ok = opened[g].read(vals);
        for (std::size_t k = 0; k < index[g].size(); ++k) {
            EventStatus& st = cap.events[index[g][k]];
            const auto& m = opened[g].members()[k];
            if (m.fd < 0) st.reason = explain_open_errno(m.open_errno, !st.software);
            else if (!ok || !vals[k].opened) st.reason = "the group could not be read";
            else if (vals[k].running_ns == 0) st.reason = not_scheduled_reason();
            else st.available = true;
        }
    }
    return cap;
}

Capability probe(const std::vector<EventSpec>& requested) {
    DefaultSet set = default_set();
    if (!requested.empty()) {
        set.events = requested;
        set.note += "; events requested with --events replace the default set";
    }
    return probe_set(set);
}

}  // namespace ringlab::pmu
