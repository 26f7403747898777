// pmu_glue.hpp: PMU capture for `ringlab run`, through the sweep's PMU session
// when the build has libpfm4, or a record saying why not when it has not.
#pragma once

#include <cstdio>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/args.hpp"
#include "engine/run_result.hpp"
#include "results/entry.hpp"

namespace ringlab::cli {

void add_pmu_option_specs(std::vector<OptionSpec>& specs);

class CliPmu {
public:
    explicit CliPmu(const Args& a);  // reads --events and --no-pmu
    ~CliPmu();
    CounterFactory* factory();
    nlohmann::json probe_json() const;
    std::vector<std::string> warnings() const;
    // nullopt when nothing was captured
    std::optional<results::PmuReadings> read(const RunResult& r) const;
    void print_summary(std::FILE* out, const RunResult& r) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The capability probe alone (for `ringlab env`).
nlohmann::json pmu_probe_json();

}  // namespace ringlab::cli
