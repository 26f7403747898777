// document.hpp: the results directory of one sweep (results/SCHEMA.md).
//
// Holds results.json (Google Benchmark's layout: context + benchmarks[], plus
// context.ringlab and entry.ringlab) and histograms.json in memory and rewrites
// both atomically after every configuration, so an interrupted sweep always
// leaves a valid file (complete=false).  Also reads a previous one back for --resume.
#pragma once

#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace ringlab::results {

class ResultsDocument {
public:
    explicit ResultsDocument(std::string out_dir);

    const std::string& dir() const { return dir_; }
    std::string results_path() const { return dir_ + "/results.json"; }
    std::string histograms_path() const { return dir_ + "/histograms.json"; }
    std::string spec_path() const { return dir_ + "/spec.json"; }

    nlohmann::json& context() { return doc_["context"]; }
    nlohmann::json& ringlab() { return doc_["context"]["ringlab"]; }
    const nlohmann::json& benchmarks() const { return doc_["benchmarks"]; }

    void add_entry(nlohmann::json entry);   // one GB run (iteration or aggregate)
    void add_histogram(const std::string& name, long repetition_index, nlohmann::json histogram);

    // Loads results.json and histograms.json of an interrupted sweep; keeps its
    // entries, run_id and seed.  Throws std::runtime_error if unreadable.
    void load_existing();
    // run_names with at least one measured (non-error) iteration entry.
    std::set<std::string> completed_run_names() const;
    // context.ringlab of the loaded file (empty object if none was loaded).
    const nlohmann::json& previous_ringlab() const { return previous_ringlab_; }

    // Rewrites results.json and histograms.json (atomically, each).
    void write(bool complete, bool interrupted);

    // Any entry that failed verification, lost notifications or could not run.
    bool any_failure() const;

private:
    std::string dir_;
    nlohmann::json doc_;
    nlohmann::json histograms_;
    nlohmann::json previous_ringlab_ = nlohmann::json::object();
};

}  // namespace ringlab::results
