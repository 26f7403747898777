// sweep_runner.cpp: the sweep under Google Benchmark: one registered benchmark per
// configuration, the one call that runs a configuration (run_configuration), the console
// reporter, and the results directory's life (resume, first write, last write).
// Its pieces live beside it: signals (interrupt.cpp), the progress line (progress.cpp),
// results entries (results_recorder.cpp), the results contract itself (bench/results).
#include "sweep/sweep_runner.hpp"

#include <benchmark/benchmark.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <map>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "engine/engine.hpp"
#include "env/hwloc_record.hpp"
#include "guest/guest.hpp"
#include "sweep/gb_compat.hpp"
#include "sweep/interrupt.hpp"
#include "sweep/progress.hpp"
#include "sweep/results_recorder.hpp"
#include "sweep/pmu_bridge.hpp"
#include "results/entry.hpp"
#include "results/document.hpp"
#include "results/context.hpp"
#include "topo/topology.hpp"

namespace ringlab::sweep {

namespace {

// lstopo's XML of the machine, beside results.json (results/SCHEMA.md).
constexpr const char* kHwlocTopologyFile = "topology-hwloc.xml";

// ---------------------------------------------------------------------------
// One registered benchmark and what its runs measured
// ---------------------------------------------------------------------------
struct Runner {
    SweepPlan& plan;
    results::ResultsDocument doc;
    std::unique_ptr<PmuSession> pmu;
    topo::Topology topology;
    bool have_topology = false;
    std::vector<std::unique_ptr<Slot>> slots;
    std::map<std::string, Slot*> by_name;
    std::optional<std::pair<int, int>> auto_pair;        // what "auto" resolved to, kept for the sweep
    bool env_has_timer = false;
    ResultsRecorder recorder{doc};
    ProgressLine line;
    bool user_min_time = false, user_reps = false, interleaving = false;
    int gb_repetitions = 1;

    explicit Runner(SweepPlan& p) : plan(p), doc(p.out_dir) {}

    std::pair<int, int> pair_for(const std::string& placement) {
        if (plan.cpus) return *plan.cpus;
        if (placement == kPlacementAuto) return auto_pair.value_or(std::pair{-1, -1});
        if (!have_topology) throw std::runtime_error("CPU topology unavailable; use --cpus A,B or placement auto");
        auto p = topo::placement_pair(topology, placement);
        return {p.a, p.b};
    }


    // The environment again, now with the timer a run reported and the CPUs it used.
    void refresh_environment(const RunResult& r) {
        std::lock_guard<std::timed_mutex> lock(g_doc_mutex);
        results::set_environment(doc.ringlab(), {r.config.driver_cpu, r.config.device_cpu},
                        pmu ? pmu->warnings() : std::vector<std::string>{}, &r);
        env_has_timer = r.timer_hz > 0;
    }

    // The one place the sweep runs a configuration (a host other than this process, such
    // as a KVM guest, is chosen here).
    // The engine's threads, or the KVM guest for guest kvm.
    RunResult run_configuration(const ValidConfig& cfg) { return guest::run_configuration(cfg); }

    // The benchmark function of one configuration.
    void run_one(benchmark::State& state, Slot& slot) {
        // With random interleaving every configuration starts early, so there a Ctrl-C
        // stops everything and the partial configurations are dropped (see ReportRuns).
        if (g_interrupted && (!slot.started || interleaving)) {
            gb::skip_repetition(state, "interrupted");
            return;
        }
        if (g_write_failed) {  // the results cannot be kept: measuring more would be wasted
            gb::skip_repetition(state, "interrupted");
            return;
        }
        slot.started = true;
        const auto& s = slot.row->settings;
        RunConfig cfg = slot.config.to_run_config();
        // Always a buffer count: GB's repetitions must all report the same iteration count
        // (its statistics CHECK that), so a time box is GB's min_time growing the count.
        cfg.buffers = static_cast<std::uint64_t>(state.max_iterations);
        cfg.warmup_buffers = s.warmup_buffers;
        cfg.watchdog_ms = s.watchdog_ms;
        cfg.spin_ns = s.spin_ns;
        cfg.latency = s.latency == "on" ? LatencyMode::on : s.latency == "off" ? LatencyMode::off : LatencyMode::automatic;
        std::pair<int, int> pair;
        try {
            pair = pair_for(slot.config.at("placement"));
        } catch (const std::exception& e) {  // no topology, or no such pair: this config cannot run
            gb::skip_repetition(state, std::string("placement: ") + e.what());
            return;
        }
        auto [a, b] = pair;
        cfg.driver_cpu = a;
        cfg.device_cpu = b;
        // Every repetition brackets its own window with the floor: on a machine whose speed
        // changes under a sweep (a VM), a floor taken once per CPU pair would turn the
        // later entries' efficiency into a ratio of two different speeds.
        cfg.measure_floor = s.measure_floor;
        cfg.counters = pmu ? pmu->factory() : nullptr;

        // The spec's rules pruned this configuration already; what is left to reject here is
        // the machine's (a CPU this placement chose is not usable).
        std::optional<ValidConfig> valid;
        try {
            valid = ValidConfig::check(cfg);
        } catch (const std::invalid_argument& e) {
            gb::skip_repetition(state, std::string("configuration rejected by the engine: ") + e.what());
            return;
        }
        Trial t;
        try {
            t.result = run_configuration(*valid);
        } catch (const std::exception& e) {
            gb::skip_repetition(state, std::string("engine failed: ") + e.what());
            return;
        }
        RunResult& r = t.result;
        const int da = r.config.driver_cpu, db = r.config.device_cpu;
        if (slot.config.at("placement") == kPlacementAuto && !plan.cpus && !auto_pair && da >= 0 && db >= 0)
            auto_pair = std::pair{da, db};  // every later "auto" run uses the same pair
        t.relation = results::relation_of(da, db);
        if (pmu) {
            t.pmu = pmu->read(r);
            t.has_pmu = true;
        }
        if (!env_has_timer) refresh_environment(r);

        const auto wanted = static_cast<std::uint64_t>(state.max_iterations);
        const std::uint64_t got = r.buffers;
        std::string short_msg;
        if (got == 0) short_msg = "no buffers completed";
        else if (got < wanted)
            short_msg = "run stopped after " + std::to_string(got) + " of " + std::to_string(wanted) + " buffers";
        if (!short_msg.empty()) {
            for (const auto& p : r.problems) short_msg += "; " + p;
            slot.trials.push_back(std::move(t));
            gb::skip_repetition(state, short_msg);
            return;
        }
        // Counters GB aggregates over repetitions and shows on the console.
        results::Nulls nulls;
        results::EntryExtras x{slot.config.at("placement"), t.relation, t.has_pmu ? &t.pmu : nullptr};
        auto counters = results::export_counters(r, x, nulls);
        for (const auto& [k, v] : counters.items())
            if (v.is_number()) state.counters[k] = benchmark::Counter(v.get<double>());
        slot.trials.push_back(std::move(t));
        // One iteration = one buffer.  Should the engine complete a few more than asked
        // (a batch in flight), report exactly `wanted` at the same time per buffer.
        const double seconds = r.seconds * double(wanted) / double(got);
        while (state.KeepRunningBatch(static_cast<benchmark::IterationCount>(wanted))) state.SetIterationTime(seconds);
    }

    void report(const benchmark::BenchmarkReporter::Run& run) {
        auto it = by_name.find(run.run_name.function_name);
        if (it == by_name.end()) return;  // not one of ours
        recorder.record(run, *it->second);
    }

    void progress(const Slot& slot, int runs) { line.advance(slot.name, slot.estimate_s, slot.repetitions, runs); }
};

// Console output for humans, plus capture into the results document.
class CaptureReporter : public benchmark::ConsoleReporter {
public:
    CaptureReporter(Runner& r, OutputOptions o, bool gb_table)
        : ConsoleReporter(o), runner_(r), gb_table_(gb_table) {}

    // GB's header (CPU, caches, load) only with its table: ringlab's own line says what ran where.
    bool ReportContext(const Context& c) override { return gb_table_ ? ConsoleReporter::ReportContext(c) : true; }

    // GB calls this twice per configuration: its repetitions, then (with repetitions > 1)
    // their aggregates.
    void ReportRuns(const std::vector<Run>& runs) override {
        if (runs.empty()) return;
        std::lock_guard<std::timed_mutex> lock(g_doc_mutex);
        const std::string name = runs.front().run_name.function_name;
        // A configuration with any run skipped after Ctrl-C is not a result: drop all of
        // it (its aggregates too), so --resume runs it again whole.
        if (dropped_.count(name)) return;
        for (const auto& run : runs)
            if (gb::run_skipped(run) && gb::run_skip_message(run) == "interrupted") {
                dropped_.insert(name);
                return;
            }
        std::vector<Run> shown;
        Slot* slot = nullptr;
        int iterations = 0;
        for (const auto& run : runs) {
            runner_.report(run);
            auto it = runner_.by_name.find(run.run_name.function_name);
            if (it != runner_.by_name.end()) slot = it->second;
            iterations += run.run_type == Run::RT_Iteration ? 1 : 0;
            Run copy = run;
            // Keep the readable name on the console: drop GB's /iterations:N/repeats:R/manual_time.
            copy.run_name.iterations.clear();
            copy.run_name.repetitions.clear();
            copy.run_name.time_type.clear();
            copy.run_name.min_time.clear();
            shown.push_back(std::move(copy));
        }
        if (gb_table_) ConsoleReporter::ReportRuns(shown);
        else if (iterations) print_line(shown);
        if (!slot) return;
        slot->trials.clear();  // reported; a histogram each is too much to keep for a full sweep
        try {
            runner_.doc.ringlab()["configurations"]["done"] = runner_.doc.completed_run_names().size();
            runner_.doc.write(false, g_interrupted.load());
        } catch (const std::exception& e) {
            if (!g_write_failed.exchange(true))
                std::fprintf(stderr, "[sweep] cannot write results: %s; stopping the sweep (the last results.json "
                             "written stays as it was)\n", e.what());
            write_failed = true;
        }
        if (iterations) runner_.progress(*slot, iterations);
    }

    bool write_failed = false;

private:
    // One line per configuration: its name, the median ns per buffer of its repetitions and
    // their range, and why any repetition failed.
    static void print_line(const std::vector<Run>& runs) {
        std::vector<double> ns;
        std::string failure;
        int failed = 0;
        for (const auto& run : runs) {
            if (run.run_type != Run::RT_Iteration) continue;
            if (gb::run_skipped(run)) {
                ++failed;
                if (failure.empty()) failure = gb::run_skip_message(run);
            } else {
                ns.push_back(run.GetAdjustedRealTime());
            }
        }
        const std::string name = runs.front().benchmark_name();
        if (ns.empty()) {
            std::printf("  %s  FAILED: %s\n", name.c_str(), failure.c_str());
        } else {
            std::sort(ns.begin(), ns.end());
            const double med = ns.size() % 2 ? ns[ns.size() / 2] : 0.5 * (ns[ns.size() / 2 - 1] + ns[ns.size() / 2]);
            std::printf("  %s  %.4g ns/buffer (median of %zu, range %.4g-%.4g)%s%s\n", name.c_str(), med, ns.size(),
                        ns.front(), ns.back(), failed ? "; FAILED repetitions: " : "", failed ? failure.c_str() : "");
        }
        std::fflush(stdout);
    }

    Runner& runner_;
    bool gb_table_;
    std::set<std::string> dropped_;
};

// How many registered benchmarks Google Benchmark will run: GB applies its own
// --benchmark_filter (and every other selection flag) and lists what it selected
// (--benchmark_list_tests) into a discarded stream, returning the count.  The flags are
// then parsed again as given, list_tests off, for the real run.
std::size_t count_selected(const std::vector<std::string>& gb_args) {
    auto initialize = [&](const char* list_tests) {
        std::vector<std::string> args{"ringlab sweep"};
        args.insert(args.end(), gb_args.begin(), gb_args.end());
        args.emplace_back(list_tests);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        int argc = static_cast<int>(args.size());
        benchmark::Initialize(&argc, argv.data());
    };
    initialize("--benchmark_list_tests=true");
    std::ostringstream discard;
    benchmark::ConsoleReporter quiet(benchmark::ConsoleReporter::OO_None);
    quiet.SetOutputStream(&discard);
    quiet.SetErrorStream(&discard);
    const std::size_t n = benchmark::RunSpecifiedBenchmarks(&quiet);
    initialize("--benchmark_list_tests=false");
    return n;
}

}  // namespace

bool gb_flag_given(const std::vector<std::string>& gb_args, const std::string& flag) {
    for (const auto& a : gb_args)
        if (a == "--" + flag || a.rfind("--" + flag + "=", 0) == 0) return true;
    return false;
}

int run_sweep(SweepPlan& plan) {
    Runner run(plan);
    namespace fs = std::filesystem;

    // Resume: everything must match the interrupted sweep, or its results would mix
    // two different experiments in one file.
    std::set<std::string> already;
    if (plan.resume) {
        if (!fs::exists(run.doc.results_path())) {
            std::fprintf(stderr, "ringlab sweep: --resume: %s does not exist; nothing to resume (drop --resume)\n",
                         run.doc.results_path().c_str());
            return 2;
        }
        try {
            run.doc.load_existing();
            std::ifstream sf(run.doc.spec_path());
            nlohmann::json old_spec = sf ? nlohmann::json::parse(sf, nullptr, false) : nlohmann::json();
            if (old_spec != plan.spec.source) {
                std::fprintf(stderr, "ringlab sweep: --resume: the spec differs from the one in %s; resume with the same "
                             "--preset/--spec, or use another --out\n", run.doc.spec_path().c_str());
                return 2;
            }
            const auto& prev = run.doc.previous_ringlab();
            auto same = [&](const char* key, const nlohmann::json& now) {
                return prev.value(key, nlohmann::json()) == now;
            };
            nlohmann::json placement = plan.placement_override.empty() ? nlohmann::json() : nlohmann::json(plan.placement_override);
            nlohmann::json cpus = plan.cpus ? nlohmann::json{plan.cpus->first, plan.cpus->second} : nlohmann::json();
            if (!same("placement_override", placement) || !same("cpus_override", cpus)) {
                std::fprintf(stderr, "ringlab sweep: --resume: --placement/--cpus differ from the interrupted sweep's "
                             "(%s, %s); give the same ones\n", prev.value("placement_override", nlohmann::json()).dump().c_str(),
                             prev.value("cpus_override", nlohmann::json()).dump().c_str());
                return 2;
            }
        } catch (const std::exception& e) {
            std::fprintf(stderr, "ringlab sweep: --resume: %s\n", e.what());
            return 2;
        }
        // Repetitions and time per run decide what each entry is a sample of: mixing
        // 5-repetition and 2-repetition configurations in one file is two experiments.
        for (const char* flag : {"benchmark_repetitions", "benchmark_min_time"}) {
            const auto& prev = run.doc.previous_ringlab();
            std::vector<std::string> prev_flags;
            if (prev.contains("gb_flags") && prev["gb_flags"].is_array())
                for (const auto& f : prev["gb_flags"])
                    if (f.is_string()) prev_flags.push_back(f.get<std::string>());
            auto value_of = [&](const std::vector<std::string>& flags) {
                std::string v = "(not given)";
                for (const auto& f : flags)
                    if (f.rfind(std::string("--") + flag + "=", 0) == 0) v = f.substr(std::strlen(flag) + 3);
                return v;
            };
            if (value_of(prev_flags) != value_of(plan.gb_args)) {
                std::fprintf(stderr, "ringlab sweep: --resume: --%s is %s now but was %s in the interrupted sweep; "
                             "give the same value, or use another --out\n", flag, value_of(plan.gb_args).c_str(),
                             value_of(prev_flags).c_str());
                return 2;
            }
        }
        already = run.doc.completed_run_names();
    } else if (fs::exists(run.doc.results_path())) {
        std::fprintf(stderr, "ringlab sweep: %s already holds a results.json; use --resume to continue it, or another --out\n",
                     plan.out_dir.c_str());
        return 2;
    }

    // PMU probe before anything is written: a bad --events list is bad input.
    try {
        run.pmu = open_pmu_session(plan.events);
    } catch (const SpecError& e) {
        std::fprintf(stderr, "ringlab sweep: %s\n", e.what());
        return 2;
    }

    try {
        run.topology = topo::read_topology();
        run.have_topology = true;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "[sweep] warning: CPU topology unavailable (%s); relations will be null\n", e.what());
    }

    // Google Benchmark's own flags.
    std::vector<std::string> gb_argv_s{"ringlab sweep"};
    for (const auto& a : plan.gb_args) gb_argv_s.push_back(a);
    std::vector<char*> gb_argv;
    for (auto& s : gb_argv_s) gb_argv.push_back(s.data());
    gb_argv.push_back(nullptr);
    int gb_argc = static_cast<int>(gb_argv_s.size());
    benchmark::Initialize(&gb_argc, gb_argv.data());
    if (gb_argc > 1) {
        std::string bad;
        for (int i = 1; i < gb_argc; ++i) bad += std::string(" ") + gb_argv[i];
        std::fprintf(stderr, "ringlab sweep: Google Benchmark did not accept:%s (see --benchmark_help... flags in "
                     "`ringlab sweep --help`)\n", bad.c_str());
        return 2;
    }
    run.user_min_time = gb_flag_given(plan.gb_args, "benchmark_min_time");
    run.user_reps = plan.gb_repetitions.has_value();
    for (const auto& a : plan.gb_args)
        if (a == "--benchmark_enable_random_interleaving" || a == "--benchmark_enable_random_interleaving=true")
            run.interleaving = true;
    if (run.user_reps) run.gb_repetitions = *plan.gb_repetitions;
    if (gb_flag_given(plan.gb_args, "benchmark_list_tests")) {
        // GB lists and runs nothing: register and let it print; no results directory.
        for (const auto& c : plan.expansion.configs)
            benchmark::RegisterBenchmark(c.benchmark_name().c_str(), [](benchmark::State&) {});
        benchmark::RunSpecifiedBenchmarks();
        benchmark::ClearRegisteredBenchmarks();
        return 0;
    }

    // Register one benchmark per configuration, in the shuffled order.
    std::size_t skipped = 0;
    for (const auto& c : plan.expansion.configs) {
        auto slot = std::make_unique<Slot>();
        slot->config = c;
        slot->name = c.benchmark_name();
        if (already.count(slot->name)) {
            ++skipped;
            continue;
        }
        slot->row = &plan.spec.row_of(c);
        const auto& s = slot->row->settings;
        slot->repetitions = run.user_reps ? run.gb_repetitions : s.repetitions;
        slot->estimate_s = estimate_seconds(c, s) / std::max(1, s.repetitions) * slot->repetitions;
        Slot* raw = slot.get();
        auto* b = benchmark::RegisterBenchmark(slot->name.c_str(),
                                               [&run, raw](benchmark::State& st) { run.run_one(st, *raw); });
        b->UseManualTime()->Unit(benchmark::kNanosecond);
        const double min_time = s.duration_s > 0 ? s.duration_s : s.min_time;  // duration_s: same, by GB's growth
        if (!run.user_min_time) {
            if (min_time > 0) b->MinTime(min_time);
            else b->Iterations(static_cast<benchmark::IterationCount>(s.buffers));
        }
        if (!run.user_reps) b->Repetitions(s.repetitions);
        run.by_name[slot->name] = raw;
        run.slots.push_back(std::move(slot));
    }
    run.line.total = count_selected(plan.gb_args);
    if (run.line.total == 0 && !run.slots.empty()) {
        std::fprintf(stderr, "ringlab sweep: --benchmark_filter '%s' matches none of the %zu configurations to run "
                     "(see --dry-run for their names); nothing written\n",
                     benchmark::GetBenchmarkFilter().c_str(), run.slots.size());
        benchmark::ClearRegisteredBenchmarks();
        return 2;
    }
    for (const auto& s : run.slots) run.line.total_estimate += s->estimate_s;
    if (run.line.total < run.slots.size() && run.line.total > 0)
        run.line.total_estimate *= double(run.line.total) / double(run.slots.size());

    // The results directory: spec.json and a first results.json before any measurement,
    // so even a sweep killed during its first configuration leaves a valid file.
    std::error_code ec;
    fs::create_directories(plan.out_dir, ec);
    if (ec) {
        std::fprintf(stderr, "ringlab sweep: cannot create %s: %s\n", plan.out_dir.c_str(), ec.message().c_str());
        benchmark::ClearRegisteredBenchmarks();
        return 2;
    }
    // Context: GB's fields and context.ringlab, from bench/results' one producer (GB's
    // own view of the machine would be a second writer of the same fields).
    {
        std::vector<int> cpus;
        if (plan.cpus) cpus = {plan.cpus->first, plan.cpus->second};
        auto kept = run.doc.ringlab();  // run_id and started_at of a resumed sweep
        auto fresh = results::make_context(cpus, run.pmu ? run.pmu->probe_json() : nlohmann::json(),
                                  run.pmu ? run.pmu->warnings() : std::vector<std::string>{});
        for (const char* k : {"run_id", "started_at", "seed", "resumed_from_entries"})
            if (kept.contains(k)) fresh["ringlab"][k] = kept[k];
        run.doc.context() = std::move(fresh);
    }
    auto& r = run.doc.ringlab();
    r["seed"] = plan.expansion.seed;
    r["preset"] = plan.preset.empty() ? nlohmann::json() : nlohmann::json(plan.preset);
    r["spec_file"] = plan.spec_file.empty() ? nlohmann::json() : nlohmann::json(plan.spec_file);
    r["spec_name"] = plan.spec.name;
    r["command_line"] = plan.command_line;
    r["placement_override"] = plan.placement_override.empty() ? nlohmann::json() : nlohmann::json(plan.placement_override);
    r["cpus_override"] = plan.cpus ? nlohmann::json{plan.cpus->first, plan.cpus->second} : nlohmann::json();
    r["gb_flags"] = plan.gb_args;
    nlohmann::json pruned = nlohmann::json::array();
    for (const auto& p : plan.expansion.pruned) pruned.push_back({{"name", p.config.benchmark_name()}, {"reason", p.reason}});
    r["configurations"] = {{"total", plan.expansion.configs.size()},
                           {"to_run", run.line.total},
                           {"done", already.size()},
                           {"skipped_resumed", skipped},
                           {"pruned", plan.expansion.pruned.size()},
                           {"duplicates", plan.expansion.duplicates},
                           {"combinations", plan.expansion.combinations}};
    r["pruned"] = pruned;
    // hwloc's view of the machine beside ringlab's own (bench/env/hwloc_record.hpp).
    if (auto xml = env::lstopo_xml()) {
        const fs::path xp = fs::path(plan.out_dir) / kHwlocTopologyFile;
        std::ofstream(xp) << *xml;
        r["hwloc_topology"] = {{"file", kHwlocTopologyFile}, {"command", env::kLstopoCommand}};
    } else {
        r["hwloc_topology"] = {{"file", nullptr},
                               {"reason", "lstopo-no-graphics (Debian: hwloc) not installed or failed"}};
    }
    try {
        results::write_json_atomically(run.doc.spec_path(), plan.spec.source);
        run.doc.write(false, false);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ringlab sweep: %s\n", e.what());
        benchmark::ClearRegisteredBenchmarks();
        return 2;
    }
    for (const auto& w : r["warnings"]) std::fprintf(stderr, "[sweep] warning: %s\n", w.get<std::string>().c_str());
    std::fprintf(stderr, "[sweep] run %s: %zu configurations to run (%zu already done, %zu pruned), %s by the model (the ETA below follows the measured pace), seed %llu, into %s\n",
                 r["run_id"].get<std::string>().c_str(), run.line.total, skipped, plan.expansion.pruned.size(),
                 hms(run.line.total_estimate).c_str(), static_cast<unsigned long long>(plan.expansion.seed),
                 plan.out_dir.c_str());

    bool interrupted = false;
    g_write_failed = false;
    {
        SignalWatcher watcher([&run] { run.doc.write(false, true); });
        CaptureReporter rep(run, isatty(1) ? benchmark::ConsoleReporter::OO_Color : benchmark::ConsoleReporter::OO_None,
                            plan.gb_table);
        if (run.line.total > 0) benchmark::RunSpecifiedBenchmarks(&rep);
        interrupted = g_interrupted.load();
    }
    benchmark::ClearRegisteredBenchmarks();
    if (g_write_failed) {
        std::fprintf(stderr, "ringlab sweep: stopped: results could not be written to %s (see above); "
                     "%s holds the configurations written before the failure\n",
                     plan.out_dir.c_str(), run.doc.results_path().c_str());
        return 1;
    }

    r["finished_at"] = results::utc_now("%Y-%m-%dT%H:%M:%SZ");
    r["configurations"]["done"] = run.doc.completed_run_names().size();
    const bool complete = !interrupted && run.doc.completed_run_names().size() >= run.line.total + already.size();
    try {
        run.doc.write(complete, interrupted);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ringlab sweep: cannot write results: %s\n", e.what());
        return 1;
    }
    const bool failed = run.doc.any_failure();
    if (interrupted) {
        std::fprintf(stderr, "[sweep] interrupted after %zu/%zu configurations; %s is valid (complete=false). "
                     "Continue with: ringlab sweep ... --out %s --resume\n",
                     run.line.done(), run.line.total, run.doc.results_path().c_str(), plan.out_dir.c_str());
        return 128 + (g_signal.load() ? g_signal.load() : SIGINT);
    }
    std::fprintf(stderr, "[sweep] done: %zu configurations in %s -> %s%s\n", run.line.done(),
                 hms(run.line.elapsed_s()).c_str(),
                 run.doc.results_path().c_str(),
                 failed ? " (SOME CONFIGURATIONS FAILED VERIFICATION, LOST NOTIFICATIONS OR COULD NOT RUN)" : "");
    return failed ? 1 : 0;
}

}  // namespace ringlab::sweep
