#include "answer/verdicts_json.hpp"

#include <cmath>
#include <cstdio>

namespace ringlab::answer {
namespace {

nlohmann::json num(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

nlohmann::json calibration_json(const CalibrationReport& c) {
    nlohmann::json j;
    j["plant_site"] = to_string(c.site);
    j["base_ns_per_buffer"] = num(c.base_ns);
    j["base_clean"] = c.base_clean;
    j["false_verdicts"] = c.false_verdicts;
    j["resolved_pct"] = c.resolved_pct ? nlohmann::json(*c.resolved_pct) : nlohmann::json(nullptr);
    j["median_mde_pct"] = num(c.median_mde_pct);
    j["groups"] = nlohmann::json::array();
    for (const auto& g : c.groups)
        j["groups"].push_back({{"planted_pct", g.target_pct},
                               {"trials", g.trials},
                               {"detected", g.detected},
                               {"false_verdicts", g.false_verdicts},
                               {"interval_covers_planted", g.covered}});
    j["trials"] = nlohmann::json::array();
    for (const auto& t : c.trials)
        j["trials"].push_back({{"id", t.out.id},
                               {"planted_pct", t.target_pct},
                               {"extra_ns", t.extra_ns},
                               {"measured_extra_ns", num(t.out.planted_ns)},
                               {"expected_ratio", num(t.expected_ratio)},
                               {"covered", t.covered},
                               {"verdict", to_string(t.out.metrics[0].decision.verdict)}});
    return j;
}

}  // namespace

std::vector<nlohmann::json> verdict_entries(const QuestionOutcome& q, const AnswerOptions& o) {
    std::vector<nlohmann::json> out;
    for (const auto& m : q.metrics) {
        const auto& s = m.summary;
        nlohmann::json e;
        e["id"] = q.id + "/" + m.id;
        e["question_id"] = q.id;
        e["question"] = q.question;
        e["seed"] = q.seed;
        e["metric"] = m.id;
        e["metric_name"] = m.name;
        e["a"] = q.a_label;
        e["b"] = q.b_label;
        e["a_median"] = num(m.a_median);
        e["b_median"] = num(m.b_median);
        e["ratio"] = num(s.ratio);
        e["ci"] = {num(s.lo), num(s.hi)};
        e["half_width_pct"] = num(s.half_width_pct);
        e["pairs"] = s.n;
        e["pairs_taken"] = q.pairs.size();
        e["verdict"] = to_string(m.decision.verdict);
        e["words"] = m.words;
        e["threshold_pct"] = o.threshold_pct;
        e["target_pct"] = o.target_pct;
        e["mde_pct"] = num(s.mde_pct);
        e["noise_pct"] = num((std::exp(s.sd_log) - 1) * 100);
        e["seconds"] = q.seconds;
        e["stop"] = q.stop;
        e["floor_ns"] = {{"median", num(q.floor_median_ns)}, {"min", num(q.floor_min_ns)}, {"max", num(q.floor_max_ns)}};
        e["set_aside"] = {{"floor_moved", q.floor_moved}, {"off_cpu", q.off_cpu}, {"failed", q.failed}};
        e["flags"] = m.flags;
        std::vector<std::string> notes = q.notes;
        if (m.halves.first_ratio != 1 || m.halves.second_ratio != 1) {
            char b[120];
            std::snprintf(b, sizeof b, "halves: first %.4f, second %.4f", m.halves.first_ratio, m.halves.second_ratio);
            notes.push_back(b);
        }
        if (m.undefined) notes.push_back(std::to_string(m.undefined) + " used pairs had no value of this metric on a side");
        e["notes"] = notes;
        out.push_back(std::move(e));
    }
    return out;
}

nlohmann::json verdicts_document(const RunInfo& info, const AnswerOptions& o,
                                 const std::vector<QuestionOutcome>& questions,
                                 const std::optional<CalibrationReport>& calibration) {
    nlohmann::json d;
    d["schema"] = "ringlab-verdicts";
    d["schema_version"] = kVerdictsSchemaVersion;
    d["ringlab_version"] = info.version;
    d["git_rev"] = info.git_rev;
    d["command"] = info.command;
    d["machine"] = {{"cpu_model", info.cpu_model},
                    {"cpus", {info.cpu_a, info.cpu_b}},
                    {"load_average_1min", info.load_average >= 0 ? nlohmann::json(info.load_average) : nlohmann::json(nullptr)}};
    d["environment"] = info.environment;
    d["options"] = {{"budget_s", o.budget_s},         {"target_pct", o.target_pct}, {"threshold_pct", o.threshold_pct},
                    {"slice_ms", o.slice_ms},         {"min_pairs", o.min_pairs},   {"seed", o.seed}};
    d["verdicts"] = nlohmann::json::array();
    for (const auto& q : questions)
        for (auto& e : verdict_entries(q, o)) d["verdicts"].push_back(std::move(e));
    if (calibration) d["calibration"] = calibration_json(*calibration);
    return d;
}

std::string verdict_table(const std::vector<QuestionOutcome>& questions) {
    std::string out;
    char b[600];
    std::snprintf(b, sizeof b, "%-40s %-13s %-24s %5s %6s  %s\n", "question/metric", "verdict", "B/A [95% interval]",
                  "pairs", "mde%", "in words");
    out += b;
    for (const auto& q : questions)
        for (const auto& m : q.metrics) {
            char ci[64];
            if (std::isfinite(m.summary.hi))
                std::snprintf(ci, sizeof ci, "%.4f [%.4f, %.4f]", m.summary.ratio, m.summary.lo, m.summary.hi);
            else
                std::snprintf(ci, sizeof ci, "-");
            std::snprintf(b, sizeof b, "%-40s %-13s %-24s %5zu %6.2f  %s%s\n", (q.id + "/" + m.id).c_str(),
                          to_string(m.decision.verdict), ci, m.summary.n, m.summary.mde_pct, m.words.c_str(),
                          m.flags.empty() ? "" : "  [FLAGGED]");
            out += b;
        }
    return out;
}

}  // namespace ringlab::answer
