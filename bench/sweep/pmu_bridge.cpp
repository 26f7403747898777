// pmu_bridge.cpp: the sweep's PMU session over ringlab_pmu (probe, factory, readings).
#include "sweep/pmu_bridge.hpp"

#include <stdexcept>

#include "pmu/counters.hpp"
#include "pmu/events.hpp"
#include "pmu/pmu_json.hpp"
#include "pmu/probe.hpp"
#include "sweep/sweep_spec.hpp"

namespace ringlab::sweep {

namespace {

std::string join_events(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& e : v) s += (s.empty() ? "" : ",") + e;
    return s;
}

class LibpfmSession : public PmuSession {
public:
    explicit LibpfmSession(pmu::Capability cap) : factory_(std::move(cap)) {}
    CounterFactory* factory() override { return &factory_; }
    nlohmann::json probe_json() const override { return pmu::context_json(factory_.capability()); }
    std::vector<std::string> warnings() const override {
        std::vector<std::string> w;
        const auto& cap = factory_.capability();
        if (!cap.hardware_available)
            w.push_back("hardware PMU counters unavailable: " + (cap.reason.empty() ? std::string("no reason given") : cap.reason) +
                        " (software counters are still collected)");
        else
            for (const auto& e : cap.events)
                if (!e.available && !e.software)
                    w.push_back("PMU event " + e.spec.alias + " (" + (e.spec.name.empty() ? "none" : e.spec.name) +
                                ") unavailable: " + e.reason);
        return w;
    }
    results::PmuReadings read(const RunResult& r) const override {
        return {pmu::readings_of(r.driver.counters.get()), pmu::readings_of(r.device.counters.get())};
    }

private:
    pmu::PmuCounterFactory factory_;
};

}  // namespace

std::unique_ptr<PmuSession> open_pmu_session(const std::vector<std::string>& events) {
    std::vector<pmu::EventSpec> requested;
    if (!events.empty()) {
        try {
            requested = pmu::parse_event_list(join_events(events));
        } catch (const std::invalid_argument& e) {
            throw SpecError(std::string("--events: ") + e.what() +
                            " (give libpfm4 event names, comma-separated, optionally alias=NAME)");
        }
    }
    pmu::Capability cap = pmu::probe(requested);
    // A name libpfm4 could not encode is a typo, not a machine without counters: bad input.
    if (!events.empty())
        for (const auto& e : cap.events)
            if (!e.encoding && !e.spec.name.empty() && e.reason.rfind("unknown event", 0) == 0)
                throw SpecError("--events: " + e.reason + " (give libpfm4 event names, e.g. cycles,instructions; "
                                "`perf list` shows this machine's)");
    return std::make_unique<LibpfmSession>(std::move(cap));
}

}  // namespace ringlab::sweep
