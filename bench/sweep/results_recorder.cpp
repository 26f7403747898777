// results_recorder.cpp: GB runs -> results.json entries (results_recorder.hpp).
#include "sweep/results_recorder.hpp"

#include <algorithm>
#include <cmath>

#include "results/entry.hpp"
#include "sweep/gb_compat.hpp"

namespace ringlab::sweep {

namespace {
// The name suffix of an iteration entry Google Benchmark reported as an error
// (results/SCHEMA.md, "Error entries").
constexpr const char* kErrorNameSuffix = "_error";
}  // namespace

nlohmann::json ResultsRecorder::entry_base(const benchmark::BenchmarkReporter::Run& run, const Slot& slot) const {
    nlohmann::json e;
    const bool agg = run.run_type == benchmark::BenchmarkReporter::Run::RT_Aggregate;
    // compare.py pairs entries by `name` and prints only names and numbers: a failed
    // repetition under its configuration's name reads as a -100% "speed-up" (real_time 0,
    // as Google Benchmark writes its own errors) or as a measured figure.  `_error` keeps
    // it out of every pairing with a measurement, and names it where both sides failed.
    e["name"] = agg                 ? slot.name + "_" + run.aggregate_name
                : gb::run_skipped(run) ? slot.name + kErrorNameSuffix
                                     : slot.name;
    e["family_index"] = run.family_index;
    e["per_family_instance_index"] = run.per_family_instance_index;
    e["run_name"] = slot.name;
    e["run_type"] = agg ? "aggregate" : "iteration";
    e["repetitions"] = run.repetitions;
    e["repetition_index"] = run.repetition_index;
    e["threads"] = run.threads;
    if (agg) {
        e["aggregate_name"] = run.aggregate_name;
        e["aggregate_unit"] = run.aggregate_unit == benchmark::kPercentage ? "percentage" : "time";
    }
    if (gb::run_skipped(run)) {
        e["error_occurred"] = true;
        e["error_message"] = gb::run_skip_message(run);
    }
    e["iterations"] = run.iterations;
    return e;
}

nlohmann::json ResultsRecorder::finite_or_null(double v, const std::string& field, const std::string& why, nlohmann::json& nulls) {
    if (std::isfinite(v)) return v;
    nulls[field] = why;
    return nullptr;
}

void ResultsRecorder::record(const benchmark::BenchmarkReporter::Run& run, const Slot& slot) {
    const bool agg = run.run_type == benchmark::BenchmarkReporter::Run::RT_Aggregate;
    nlohmann::json e = entry_base(run, slot);
    nlohmann::json nulls = nlohmann::json::object();

    if (agg) {
        const bool pct = run.aggregate_unit == benchmark::kPercentage;
        // GB writes percentage aggregates (cv) as the raw fraction in real_time/cpu_time.
        double rt = pct ? run.real_accumulated_time : run.GetAdjustedRealTime();
        e["real_time"] = finite_or_null(rt, "real_time", "aggregate undefined (zero mean)", nulls);
        // cpu_time: the aggregate of cpu_ns_per_buffer, like the iteration entries below.
        auto c = run.counters.find("cpu_ns_per_buffer");
        double ct = c != run.counters.end() ? c->second.value
                                            : (pct ? run.cpu_accumulated_time : run.GetAdjustedCPUTime());
        e["cpu_time"] = finite_or_null(ct, "cpu_time", "aggregate undefined (zero mean)", nulls);
        e["time_unit"] = "ns";
        for (const auto& [k, v] : run.counters)
            e[k] = finite_or_null(v.value, k, "aggregate undefined (zero mean or no values)", nulls);
        e["ringlab"] = {{"aggregate_of", slot.name}, {"nulls", nulls}};
        doc_.add_entry(std::move(e));
        return;
    }

    // Iteration entry: the RunResult of this repetition is among the last trials.
    const Trial* t = nullptr;
    const long reps = std::max<long>(1, run.repetitions);
    const long idx = std::max<long>(0, run.repetition_index);
    const long base = static_cast<long>(slot.trials.size()) - reps;
    if (base + idx >= 0 && base + idx < static_cast<long>(slot.trials.size())) t = &slot.trials[base + idx];
    if (gb::run_skipped(run) && !t) {
        // The engine rejected or threw before measuring: no RunResult.
        e["real_time"] = 0.0;
        e["cpu_time"] = 0.0;
        e["time_unit"] = "ns";
        nlohmann::json cfg = slot.config.to_json();
        e["ringlab"] = {{"config", cfg},   {"row", slot.config.row}, {"valid", false},
                        {"problems", {gb::run_skip_message(run)}}, {"nulls", {{"measurements", gb::run_skip_message(run)}}}};
        doc_.add_entry(std::move(e));
        return;
    }
    if (!t) return;  // cannot happen: every reported run had a trial
    const RunResult& r = t->result;
    results::Nulls rn;
    results::EntryExtras x{slot.config.at("placement"), t->relation, t->has_pmu ? &t->pmu : nullptr};
    auto counters = results::export_counters(r, x, rn);
    // real_time from GB (manual time / iterations): what compare.py compares.
    double rt = gb::run_skipped(run) ? (r.buffers ? r.ns_per_buffer() : 0.0) : run.GetAdjustedRealTime();
    e["real_time"] = std::isfinite(rt) ? rt : 0.0;
    // cpu_time: both roles' thread CPU per buffer.  GB's own cpu_time would be the
    // CPU of the thread that waits for the engine, which says nothing about the ring.
    e["cpu_time"] = counters["cpu_ns_per_buffer"].is_number() ? counters["cpu_ns_per_buffer"].get<double>()
                                                               : run.GetAdjustedCPUTime();
    e["time_unit"] = "ns";
    for (const auto& [k, v] : counters.items()) e[k] = v;
    auto rl = results::export_entry_ringlab(r, x, rn);
    rl["row"] = slot.config.row;
    rl["config"]["placement"] = slot.config.at("placement");
    const nlohmann::json axes_cfg = slot.config.to_json();  // a named local: items() does not own it
    for (const auto& [k, v] : axes_cfg.items())
        if (!rl["config"].contains(k)) rl["config"][k] = v;
    e["ringlab"] = std::move(rl);
    // A failed repetition's latencies are not a result (and its entry is named *_error).
    if (r.latency && r.latency->count() && !gb::run_skipped(run)) doc_.add_histogram(slot.name, run.repetition_index, results::histogram_to_json(*r.latency));
    doc_.add_entry(std::move(e));
}

}  // namespace ringlab::sweep
