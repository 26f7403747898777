#include "cli/pmu_glue.hpp"

#include <sstream>

#if RINGLAB_HAVE_PMU
#include "sweep/pmu_bridge.hpp"
#include "sweep/sweep_spec.hpp"
#endif

namespace ringlab::cli {

void add_pmu_option_specs(std::vector<OptionSpec>& specs) {
    specs.push_back({"events", true, "LIST     PMU events as libpfm4 names, comma-separated (default: this CPU's set)"});
    specs.push_back({"no-pmu", false, "       do not open PMU counters"});
}

static std::vector<std::string> split_events(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string e;
    while (std::getline(ss, e, ','))
        if (!e.empty()) out.push_back(e);
    return out;
}

struct CliPmu::Impl {
#if RINGLAB_HAVE_PMU
    std::unique_ptr<sweep::PmuSession> session;
#endif
    std::string off_reason;
};

CliPmu::CliPmu(const Args& a) : impl_(std::make_unique<Impl>()) {
    if (a.has("no-pmu")) {
        impl_->off_reason = "PMU capture turned off with --no-pmu";
        return;
    }
#if RINGLAB_HAVE_PMU
    try {
        impl_->session = sweep::open_pmu_session(split_events(a.str_or("events", "")));
    } catch (const sweep::SpecError& e) {
        throw UsageError(e.what());
    }
#else
    if (a.has("events")) throw UsageError("--events needs a build with libpfm4 (RINGLAB_FULL=ON)");
    impl_->off_reason = "this ringlab was built without libpfm4 (RINGLAB_FULL=OFF)";
#endif
}

CliPmu::~CliPmu() = default;

CounterFactory* CliPmu::factory() {
#if RINGLAB_HAVE_PMU
    if (impl_->session) return impl_->session->factory();
#endif
    return nullptr;
}

nlohmann::json CliPmu::probe_json() const {
#if RINGLAB_HAVE_PMU
    if (impl_->session) return impl_->session->probe_json();
#endif
    return {{"hardware_available", false}, {"reason", impl_->off_reason}, {"events", nlohmann::json::array()}};
}

std::vector<std::string> CliPmu::warnings() const {
#if RINGLAB_HAVE_PMU
    if (impl_->session) return impl_->session->warnings();
#endif
    return {};
}

std::optional<results::PmuReadings> CliPmu::read(const RunResult& r) const {
#if RINGLAB_HAVE_PMU
    if (impl_->session) return impl_->session->read(r);
#endif
    (void)r;
    return std::nullopt;
}

void CliPmu::print_summary(std::FILE* out, const RunResult& r) const {
    nlohmann::json probe = probe_json();
    if (!probe.value("hardware_available", false))
        std::fprintf(out, "  pmu: hardware counters unavailable: %s\n", probe.value("reason", std::string("?")).c_str());
    auto rd = read(r);
    if (!rd || !r.buffers) return;
    for (auto [role, rr] : {std::pair{"driver", &rd->driver}, std::pair{"device", &rd->device}}) {
        std::string line;
        for (const auto& c : rr->hardware)
            if (c.value) line += " " + c.alias + " " + std::to_string(*c.value / double(r.buffers)) + (c.multiplexed ? "*" : "");
        if (rr->software) {
            const auto& s = *rr->software;
            if (s.context_switches) line += " ctx-switches " + std::to_string(*s.context_switches);
            if (s.cpu_migrations) line += " migrations " + std::to_string(*s.cpu_migrations);
            if (s.page_faults) line += " page-faults " + std::to_string(*s.page_faults);
        }
        if (!line.empty()) std::fprintf(out, "  pmu %s (hw per buffer, sw totals):%s\n", role, line.c_str());
    }
}

nlohmann::json pmu_probe_json() {
#if RINGLAB_HAVE_PMU
    return sweep::open_pmu_session({})->probe_json();
#else
    return {{"hardware_available", false},
            {"reason", "this ringlab was built without libpfm4 (RINGLAB_FULL=OFF)"},
            {"events", nlohmann::json::array()}};
#endif
}

}  // namespace ringlab::cli
