// document.cpp: in-memory results.json / histograms.json, atomic rewrites.
#include "results/document.hpp"

#include <fstream>
#include <stdexcept>

#include "results/atomic_write.hpp"
#include "results/schema.hpp"

namespace ringlab::results {

ResultsDocument::ResultsDocument(std::string out_dir) : dir_(std::move(out_dir)) {
    doc_ = {{"context", nlohmann::json::object()}, {"benchmarks", nlohmann::json::array()}};
    doc_["context"]["ringlab"] = nlohmann::json::object();
    histograms_ = {{"schema_version", kSchemaVersion}, {"unit", "ns"}, {"entries", nlohmann::json::array()}};
}

void ResultsDocument::add_entry(nlohmann::json entry) { doc_["benchmarks"].push_back(std::move(entry)); }

void ResultsDocument::add_histogram(const std::string& name, long repetition_index, nlohmann::json histogram) {
    histograms_["entries"].push_back(
        {{"name", name}, {"repetition_index", repetition_index}, {"latency", std::move(histogram)}});
}

namespace {
nlohmann::json read_json(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw std::runtime_error("cannot read " + path);
    try {
        return nlohmann::json::parse(f);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(path + " is not valid JSON: " + e.what());
    }
}
}  // namespace

void ResultsDocument::load_existing() {
    auto old = read_json(results_path());
    if (!old.contains("benchmarks") || !old["benchmarks"].is_array() || !old.contains("context"))
        throw std::runtime_error(results_path() + " is not a ringlab results file (no context/benchmarks)");
    const auto& rl = old["context"].value("ringlab", nlohmann::json::object());
    if (rl.value("schema_version", 0) != kSchemaVersion)
        throw std::runtime_error(results_path() + " has schema_version " + rl.value("schema_version", nlohmann::json()).dump() +
                                 ", this ringlab writes " + std::to_string(kSchemaVersion));
    doc_["benchmarks"] = old["benchmarks"];
    previous_ringlab_ = rl;
    // Keep what identifies the sweep; the rest of the context is refreshed.
    for (const char* k : {"run_id", "seed", "started_at"})
        if (rl.contains(k)) doc_["context"]["ringlab"][k] = rl[k];
    doc_["context"]["ringlab"]["resumed_from_entries"] = doc_["benchmarks"].size();
    std::ifstream hf(histograms_path());
    if (hf) {
        auto h = read_json(histograms_path());
        if (h.contains("entries") && h["entries"].is_array()) histograms_["entries"] = h["entries"];
    }
}

std::set<std::string> ResultsDocument::completed_run_names() const {
    std::set<std::string> done;
    for (const auto& e : doc_["benchmarks"])
        if (e.value("run_type", "") == "iteration" && e.contains("run_name")) done.insert(e["run_name"].get<std::string>());
    return done;
}

void ResultsDocument::write(bool complete, bool interrupted) {
    doc_["context"]["ringlab"]["complete"] = complete;
    doc_["context"]["ringlab"]["interrupted"] = interrupted;
    nlohmann::json out = doc_;
    // Every producer records null reasons itself; this only guarantees the file never
    // holds a NaN/Infinity even if one slipped through (nlohmann would print null anyway).
    scrub_non_finite(out);
    histograms_["run_id"] = doc_["context"]["ringlab"].value("run_id", "");
    write_json_atomically(histograms_path(), histograms_);
    // results.json last: a reader that sees it complete sees the side file too.
    write_json_atomically(results_path(), out);
}

bool ResultsDocument::any_failure() const {
    for (const auto& e : doc_["benchmarks"]) {
        if (e.value("run_type", "") != "iteration") continue;
        if (e.value("error_occurred", false)) return true;
        const auto& r = e.value("ringlab", nlohmann::json::object());
        if (!r.value("valid", true)) return true;
        if (e.value("verify_errors", 0.0) > 0 || e.value("lost_notifications", 0.0) > 0) return true;
    }
    return false;
}

}  // namespace ringlab::results
