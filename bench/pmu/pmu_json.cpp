// pmu_json.cpp: the probe's record (context.ringlab.pmu) and the readings bench/results writes.
#include "pmu/pmu_json.hpp"

#include <cstdio>

namespace ringlab::pmu {
using nlohmann::json;

std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

json to_json(const Encoding& e) {
    return {{"type", e.type},       {"config", hex(e.config)}, {"config1", hex(e.config1)},
            {"config2", hex(e.config2)}, {"fqname", e.fqname},  {"exclude_kernel", e.exclude_kernel}};
}

json context_json(const Capability& cap) {
    json events = json::array();
    for (const auto& st : cap.events)
        events.push_back({{"alias", st.spec.alias},
                          {"name", st.spec.name.empty() ? json(nullptr) : json(st.spec.name)},
                          {"note", st.spec.note},
                          {"group", st.spec.group},
                          {"encoding", st.encoding ? to_json(*st.encoding) : json(nullptr)},
                          {"available", st.available},
                          {"reason", st.available ? json(nullptr) : json(st.reason)}});
    return {{"hardware_available", cap.hardware_available},
            {"reason", cap.hardware_available ? json(nullptr) : json(cap.reason)},
            {"pmu", cap.pmu},
            {"generic", cap.generic},
            {"note", cap.note},
            {"privilege", cap.privilege},
            {"perf_event_paranoid", cap.perf_event_paranoid == -100 ? json(nullptr) : json(cap.perf_event_paranoid)},
            {"events", events}};
}

results::RoleReadings readings_of(const RoleCounters* rc) {
    results::RoleReadings out;
    const auto* c = as_pmu(rc);
    if (!c) return out;  // the engine opened nothing for this role
    for (const auto& h : c->hardware()) {
        results::CounterReading r;
        r.alias = h.alias;
        r.name = h.name;
        r.value = h.value;
        r.enabled_ns = h.enabled_ns;
        r.running_ns = h.running_ns;
        r.scaled = h.scaled;
        r.multiplexed = h.multiplexed;
        r.reason = h.reason;
        out.hardware.push_back(std::move(r));
    }
    const auto& s = c->software();
    results::SoftwareReading sw;
    auto d = [](const std::optional<std::uint64_t>& v) { return v ? std::optional<double>(double(*v)) : std::nullopt; };
    sw.task_clock_ns = d(s.task_clock_ns);
    sw.context_switches = d(s.context_switches);
    sw.cpu_migrations = d(s.cpu_migrations);
    sw.page_faults = d(s.page_faults);
    sw.reason = s.reason;
    out.software = sw;
    return out;
}

}  // namespace ringlab::pmu
