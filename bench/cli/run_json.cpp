#include "cli/run_json.hpp"

#include <unistd.h>

#include <filesystem>

#include "cli/args.hpp"
#include "results/atomic_write.hpp"
#include "results/entry.hpp"
#include "results/context.hpp"

namespace ringlab::cli {

void check_output_path(const std::string& path) {
    if (auto why = results::output_path_problem(path); !why.empty()) throw UsageError("--json " + path + " " + why);
}

void write_run_json(const std::string& path, const RunResult& r, const CliPmu& pmu, int argc, char** argv,
                    const nlohmann::json* guest) {
    std::string command;
    for (int i = 0; i < argc; ++i) {
        if (i) command += ' ';
        command += argv[i];
    }
    nlohmann::json doc;
    doc["context"] = results::make_context({r.config.driver_cpu, r.config.device_cpu}, pmu.probe_json(), pmu.warnings(), &r);
    auto& rl = doc["context"]["ringlab"];
    rl["command"] = command;
    rl["preset"] = nullptr;
    rl["spec_file"] = nullptr;
    rl["complete"] = true;
    rl["interrupted"] = false;

    auto readings = pmu.read(r);
    results::EntryExtras x;
    x.placement = "cpus:" + std::to_string(r.config.driver_cpu) + "," + std::to_string(r.config.device_cpu);
    x.relation = results::relation_of(r.config.driver_cpu, r.config.device_cpu);
    x.pmu = readings ? &*readings : nullptr;
    doc["benchmarks"] = nlohmann::json::array({results::single_entry(r, x)});
    if (guest) {
        doc["benchmarks"][0]["ringlab"]["host"] = "kvm";
        doc["benchmarks"][0]["ringlab"]["guest"] = *guest;
    }
    results::scrub_non_finite(doc);
    results::write_json_atomically(path, doc);
}

}  // namespace ringlab::cli
