// results_recorder.hpp: turns each run Google Benchmark reports into a results.json
// entry (and its latency histogram) in the sweep's results document.  It writes
// nothing to the console and draws no progress line.
#pragma once

#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "results/document.hpp"
#include "sweep/sweep_slot.hpp"

namespace ringlab::sweep {

class ResultsRecorder {
public:
    explicit ResultsRecorder(results::ResultsDocument& doc) : doc_(doc) {}

    // One GB run (an iteration or an aggregate) of `slot` -> one entry.
    void record(const benchmark::BenchmarkReporter::Run& run, const Slot& slot);

private:
    nlohmann::json entry_base(const benchmark::BenchmarkReporter::Run& run, const Slot& slot) const;
    static nlohmann::json finite_or_null(double v, const std::string& field, const std::string& why, nlohmann::json& nulls);

    results::ResultsDocument& doc_;
};

}  // namespace ringlab::sweep
