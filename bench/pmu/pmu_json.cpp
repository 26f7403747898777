// pmu_json.cpp: JSON conversion (nlohmann/json only).
#include "pmu/pmu_json.hpp"

#include <cstdio>

namespace ringlab::pmu {
using nlohmann::json;

namespace {
template <class T>
json opt(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}
}  // namespace

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

json to_json(const HardwareReading& r) {
    return {{"alias", r.alias},
            {"name", r.name},
            {"value", opt(r.value)},
            {"raw", opt(r.raw)},
            {"enabled_ns", r.enabled_ns},
            {"running_ns", r.running_ns},
            {"scaled", r.scaled},
            {"multiplexed", r.multiplexed},
            {"reason", r.reason.empty() ? json(nullptr) : json(r.reason)}};
}

json to_json(const SoftwareReading& r) {
    return {{"task_clock_ns", opt(r.task_clock_ns)},
            {"context_switches", opt(r.context_switches)},
            {"cpu_migrations", opt(r.cpu_migrations)},
            {"page_faults", opt(r.page_faults)},
            {"reason", r.reason.empty() ? json(nullptr) : json(r.reason)}};
}

json entry_pmu_json(const RoleCounters* driver, const RoleCounters* device) {
    json out = json::object();
    for (auto [name, c] : {std::pair{"driver", driver}, std::pair{"device", device}}) {
        json arr = json::array();
        if (const auto* p = as_pmu(c))
            for (const auto& r : p->hardware()) arr.push_back(to_json(r));
        out[name] = arr;
    }
    return out;
}

json entry_software_json(const RoleCounters* driver, const RoleCounters* device) {
    json out = json::object();
    for (auto [name, c] : {std::pair{"driver", driver}, std::pair{"device", device}}) {
        const auto* p = as_pmu(c);
        out[name] = p ? to_json(p->software()) : json(nullptr);
    }
    return out;
}

std::vector<FlatCounter> per_buffer_counters(Role role, const RoleCounters* c, std::uint64_t buffers) {
    std::vector<FlatCounter> out;
    const auto* p = as_pmu(c);
    if (!p) return out;
    for (const auto& r : p->hardware()) {
        std::string alias = r.alias;
        for (char& ch : alias)
            if (ch == '-' || ch == '.' || ch == ':' || ch == '=') ch = '_';
        FlatCounter f{"pmu_" + std::string(role_name(role)) + "_" + alias + "_per_buffer", std::nullopt, r.reason};
        if (r.value && buffers > 0) f.value = *r.value / static_cast<double>(buffers);
        else if (r.value) f.reason = "no buffers completed";
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace ringlab::pmu
