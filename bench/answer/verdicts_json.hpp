// verdicts_json.hpp: DIR/verdicts.json (results/SCHEMA.md, "verdicts.json";
// results/schema/verdicts.schema.json): one entry per question and metric.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "answer/calibrate.hpp"
#include "answer/paired.hpp"

namespace ringlab::answer {

inline constexpr int kVerdictsSchemaVersion = 1;

struct RunInfo {
    std::string version, git_rev, command;
    int cpu_a = -1, cpu_b = -1;
    nlohmann::json environment;   // bench/env record
    std::string cpu_model;
    double load_average = -1;     // 1-minute, at the start
};

// The entries of one question (one per metric).
std::vector<nlohmann::json> verdict_entries(const QuestionOutcome& q, const AnswerOptions& o);

nlohmann::json verdicts_document(const RunInfo& info, const AnswerOptions& o,
                                 const std::vector<QuestionOutcome>& questions,
                                 const std::optional<CalibrationReport>& calibration);

// The verdict table as text: one line per question and metric.
std::string verdict_table(const std::vector<QuestionOutcome>& questions);

}  // namespace ringlab::answer
