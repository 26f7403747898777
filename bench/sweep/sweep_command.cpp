// sweep_command.cpp: `ringlab sweep` flags, --dry-run, then the runner.
#include "sweep/sweep_command.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "config/axes.hpp"
#include "results/atomic_write.hpp"
#include "sweep/pmu_bridge.hpp"
#include "sweep/sweep_runner.hpp"
#include "sweep/sweep_spec.hpp"
#include "topo/topology.hpp"

namespace ringlab {

namespace {

using sweep::SpecError;

const char kUsage[] =
    "usage: ringlab sweep (--preset NAME | --spec FILE) --out DIR [options] [--benchmark_*...]\n"
    "\n"
    "Runs every configuration of a sweep spec under Google Benchmark and writes\n"
    "DIR/results.json (Google Benchmark JSON + ringlab extras, results/SCHEMA.md),\n"
    "DIR/histograms.json and DIR/spec.json.\n"
    "\n"
    "  --preset NAME      a spec shipped with ringlab: %s\n"
    "  --spec FILE        a sweep spec (JSON; see bench/presets/*.json)\n"
    "  --out DIR          results directory (required unless --dry-run)\n"
    "  --placement P      run every configuration on this placement (overrides the spec): %s\n"
    "  --cpus A,B         driver on CPU A, device on CPU B, for every configuration\n"
    "  --events LIST      PMU events (libpfm4 names, comma-separated, alias=NAME allowed)\n"
    "  --dry-run          list configurations, benchmark names, pruned combinations and\n"
    "                     the estimated time; run nothing, write nothing\n"
    "  --resume           continue an interrupted sweep in --out (same spec and flags)\n"
    "  --gb-table         Google Benchmark's own console table (every repetition and aggregate, every\n"
    "                     counter); by default the console has one line per configuration\n"
    "  --seed N           seed of the order shuffle (default: random, recorded)\n"
    "  --max-configurations N  refuse a spec whose product has more combinations than N\n"
    "                     (default 100000; 1..100000000), counted before it is expanded\n"
    "  -h, --help         this text\n"
    "  --version          ringlab's version, git revision and compiler\n"
    "  --benchmark_*      passed to Google Benchmark (filter, repetitions, min_time,\n"
    "                     enable_random_interleaving, out, ...). Repetitions run\n"
    "                     interleaved in a random order by default; give\n"
    "                     --benchmark_enable_random_interleaving=false for back to back\n"
    "\n"
    "Exit status: 0 all verified; 1 a configuration failed verification, lost\n"
    "notifications or could not run, or results could not be written; 2 bad input\n"
    "(nothing written); 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP (results.json\n"
    "stays valid with complete=false, interrupted=true; continue with --resume).\n";

void print_usage(FILE* f) {
    std::string names;
    for (const auto& n : sweep::preset_names()) names += (names.empty() ? "" : ", ") + n;
    std::string placements;
    for (const auto& p : config::placement_values()) placements += (placements.empty() ? "" : ", ") + p;
    std::fprintf(f, kUsage, names.c_str(), placements.c_str());
}

// The options, for the one parser (cli/args.hpp); --benchmark_* pass through to GB.
const std::vector<cli::OptionSpec>& option_specs() {
    static const std::vector<cli::OptionSpec> specs = {
        {"preset", true, "NAME"}, {"spec", true, "FILE"},  {"out", true, "DIR"},   {"placement", true, "P"},
        {"cpus", true, "A,B"},    {"events", true, "LIST"}, {"dry-run", false, ""}, {"resume", false, ""}, {"gb-table", false, ""},
        {"seed", true, "N"},      {"max-configurations", true, "N"}, {"help", false, ""},
    };
    return specs;
}

struct Args {
    std::string preset, spec_file, out, placement, events, cpus, seed, max_configurations;
    bool dry_run = false, resume = false, help = false, gb_table = false;
    std::vector<std::string> gb_args;
};

Args parse_args(int argc, char** argv) {
    const cli::Args p(option_specs(), argc, argv, 1, "--benchmark_");
    if (!p.positional().empty())
        throw SpecError("unexpected argument '" + p.positional().front() + "' (options start with --; see --help)");
    Args a;
    a.help = p.has("help");
    a.dry_run = p.has("dry-run");
    a.resume = p.has("resume");
    a.gb_table = p.has("gb-table");
    a.gb_args = p.passthrough();
    for (auto [name, dst] : {std::pair{"preset", &a.preset}, {"spec", &a.spec_file}, {"out", &a.out},
                             {"placement", &a.placement}, {"events", &a.events}, {"cpus", &a.cpus}, {"seed", &a.seed},
                             {"max-configurations", &a.max_configurations}}) {
        if (auto v = p.str(name)) {
            if (v->empty()) throw SpecError(std::string("option --") + name + " needs a non-empty value");
            *dst = *v;
        }
    }
    return a;
}

std::uint64_t parse_u64(const std::string& s, const char* what) {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
        throw SpecError(std::string(what) + " takes a non-negative integer, not '" + s + "'");
    try {
        return std::stoull(s);
    } catch (const std::exception&) {
        throw SpecError(std::string(what) + " is out of range: '" + s + "'");
    }
}

// The one --cpus parser (config/axes.hpp), then the sweep's own condition: it has no
// --allow-same-cpu, since every configuration spins on both CPUs.
std::pair<int, int> parse_cpus(const std::string& s, const topo::Topology* t) {
    int a = -1, b = -1;
    if (std::string err = config::parse_cpu_pair(s, a, b); !err.empty())
        throw SpecError(config::render(err, config::Spelling::flag));
    if (a == b) throw SpecError("--cpus needs two different CPUs (driver and device each spin on their own)");
    if (t) {
        auto usable = t->usable();
        auto ok = [&](int c) { return std::find(usable.begin(), usable.end(), c) != usable.end(); };
        if (!ok(a) || !ok(b))
            throw SpecError("--cpus " + s + ": CPU " + std::to_string(ok(a) ? b : a) +
                            " is not online or not in this process's affinity; usable CPUs: " + topo::format_cpu_list(usable));
    }
    return {a, b};
}

std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> v;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto c = s.find(',', start);
        if (c == std::string::npos) c = s.size();
        v.push_back(s.substr(start, c - start));
        start = c + 1;
    }
    return v;
}

void dry_run(const sweep::SweepPlan& p) {
    const auto& spec = p.spec;
    std::printf("sweep %s%s%s\n", spec.name.c_str(), spec.description.empty() ? "" : ": ", spec.description.c_str());
    for (const auto& row : spec.rows) {
        std::printf("\naxes%s%s%s%s:\n", row.name.empty() ? "" : " of row '", row.name.c_str(), row.name.empty() ? "" : "'",
                    row.allow_unsafe ? " (unsafe barriers allowed)" : "");
        for (const auto* ax : sweep::axes()) {
            std::string vals;
            for (const auto& v : row.axes.at(ax->name)) vals += (vals.empty() ? "" : ", ") + v.text;
            std::printf("  %-16s %s\n", ax->name.c_str(), vals.c_str());
        }
        const auto& s = row.settings;
        std::printf("  settings         %s\n", s.to_json().dump().c_str());
    }
    double total = 0;
    std::printf("\nconfigurations (%zu, in run order, seed %llu):\n", p.expansion.configs.size(),
                static_cast<unsigned long long>(p.expansion.seed));
    std::size_t i = 0;
    for (const auto& c : p.expansion.configs) {
        double est = sweep::estimate_seconds(c, spec.row_of(c).settings);
        total += est;
        std::printf("  %4zu  %-100s ~%s\n", ++i, c.benchmark_name().c_str(), sweep::estimate_text(est).c_str());
    }
    std::printf("\npruned (%zu):\n", p.expansion.pruned.size());
    for (const auto& pr : p.expansion.pruned)
        std::printf("  %-100s %s\n", pr.config.benchmark_name().c_str(), pr.reason.c_str());
    std::printf("\n%zu configurations, %zu pruned, %llu duplicates across rows, of %llu combinations.\n"
                "estimated time: %s (a rough model; the progress line's ETA corrects it as the sweep runs)\n",
                p.expansion.configs.size(), p.expansion.pruned.size(),
                static_cast<unsigned long long>(p.expansion.duplicates),
                static_cast<unsigned long long>(p.expansion.combinations), sweep::estimate_text(total).c_str());
}

constexpr std::uint64_t kDefaultMaxConfigurations = 100000;

// --out and the files the sweep will write there: a directory, and in it only new
// names or regular files (a rename would replace a device, FIFO or symlink).
void check_out_dir(const std::string& out) {
    if (auto why = results::output_dir_problem(out); !why.empty()) throw SpecError("--out " + out + " " + why);
    std::error_code ec;
    if (!std::filesystem::is_directory(out, ec)) return;
    for (const char* f : {"results.json", "histograms.json", "spec.json"}) {
        const std::string path = out + "/" + f;
        if (auto why = results::output_path_problem(path); !why.empty()) throw SpecError("--out: " + path + " " + why);
    }
}

// The Google Benchmark flags whose values ringlab depends on, checked in its own words
// (GB itself accepts --benchmark_repetitions=0 and -3).  Returns the repetitions asked
// for (the last flag wins, as in GB), which the sweep's estimate needs.
std::optional<int> check_gb_args(const std::vector<std::string>& gb) {
    std::optional<int> repetitions;
    for (const auto& g : gb) {
        const std::string flag = "--benchmark_repetitions";
        if (g.rfind(flag, 0) != 0) continue;
        if (g.size() == flag.size() || g[flag.size()] != '=')
            throw SpecError(flag + " needs a value: " + flag + "=N with N in 1..1000");
        const std::string v = g.substr(flag.size() + 1);
        if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 4 || std::stoul(v) < 1 ||
            std::stoul(v) > 1000)
            throw SpecError(flag + "=" + v + " is not valid (an integer from 1 to 1000)");
        repetitions = static_cast<int>(std::stoul(v));
    }
    // The interleaving is ringlab's default and decides how a Ctrl-C ends the sweep, so its
    // value must be one ringlab reads the same way as GB (GB takes any word by its first
    // letter: "maybe" means true to GB, and ringlab's Ctrl-C handling would have read false).
    for (const auto& g : gb) {
        const std::string flag = "--benchmark_enable_random_interleaving";
        if (g.rfind(flag, 0) != 0) continue;
        if (g != flag && g != flag + "=true" && g != flag + "=false")
            throw SpecError(g + " is not valid: " + flag + "=true or =false");
    }
    // Google Benchmark 1.8+ aborts the process on a malformed --benchmark_min_time, so
    // ringlab checks it first: seconds (1.7 and later), "Ns" or an iteration count "Nx" (1.8+).
    for (const auto& g : gb) {
        const std::string flag = "--benchmark_min_time";
        if (g.rfind(flag, 0) != 0) continue;
        const std::string bad_end = " is not valid (seconds above 0 up to 3600, as 0.5 or 0.5s, or iterations as 100x)";
        if (g.size() == flag.size() || g[flag.size()] != '=')
            throw SpecError(flag + " needs a value: seconds above 0 up to 3600, as 0.5 or 0.5s, or iterations as 100x");
        std::string v = g.substr(flag.size() + 1), num = v;
        if (!num.empty() && (num.back() == 's' || num.back() == 'x')) num.pop_back();
        char* end = nullptr;
        const double d = num.empty() ? 0 : std::strtod(num.c_str(), &end);
        if (num.empty() || end != num.c_str() + num.size() || num.find_first_not_of("0123456789.") != std::string::npos ||
            !(d > 0) || d > (v.back() == 'x' ? 1e12 : 3600))
            throw SpecError(flag + "=" + v + bad_end);
    }
    return repetitions;
}

int sweep_main_checked(int argc, char** argv) {
    Args a = parse_args(argc, argv);
    if (a.help) {
        print_usage(stdout);
        return 0;
    }
    if (a.preset.empty() == a.spec_file.empty())
        throw SpecError(a.preset.empty() ? "give one of --preset NAME or --spec FILE"
                                         : "give either --preset or --spec, not both");
    sweep::SweepPlan p;
    p.spec = a.preset.empty() ? sweep::load_spec_file(a.spec_file) : sweep::load_preset(a.preset);
    if (a.out.empty() && !a.dry_run) throw SpecError("--out DIR is required (or use --dry-run)");
    if (a.resume && a.dry_run) throw SpecError("--resume and --dry-run do not go together");
    if (!a.dry_run) check_out_dir(a.out);
    const std::optional<int> gb_repetitions = check_gb_args(a.gb_args);
    std::uint64_t max_configurations = kDefaultMaxConfigurations;
    if (!a.max_configurations.empty()) {
        max_configurations = parse_u64(a.max_configurations, "--max-configurations");
        if (max_configurations < 1 || max_configurations > 100'000'000)
            throw SpecError("--max-configurations " + a.max_configurations + " is out of range (1..100000000)");
    }
    p.preset = a.preset;
    p.spec_file = a.spec_file;
    p.out_dir = a.out;
    p.resume = a.resume;
    p.gb_table = a.gb_table;
    p.gb_args = a.gb_args;
    // Repetitions interleaved unless asked otherwise: back to back, a configuration's
    // repetitions all fall in the same minute of a VM whose speed changes from minute to
    // minute, their spread understates the run-to-run noise, and two runs of one binary then
    // differ "significantly".  Seen: 10 false verdicts in one A/A compare of two quick sweeps
    // back to back, 0 in 5 such pairs interleaved (AMD EPYC KVM guest).
    const bool order_given = std::any_of(a.gb_args.begin(), a.gb_args.end(), [](const std::string& g) {
        return g.rfind("--benchmark_enable_random_interleaving", 0) == 0;
    });
    if (!order_given) p.gb_args.push_back("--benchmark_enable_random_interleaving=true");
    p.gb_repetitions = gb_repetitions;
    for (int i = 0; i < argc; ++i) p.command_line.emplace_back(argv[i]);

    std::optional<topo::Topology> topology;
    try {
        topology = topo::read_topology();
    } catch (const std::exception&) {
        // The runner warns; expansion then keeps placements as written.
    }
    if (!a.cpus.empty()) {
        p.cpus = parse_cpus(a.cpus, topology ? &*topology : nullptr);
        // An explicit pair is its own placement: name it by what the pair shares.
        std::string rel = topology ? topo::relation_name(topo::classify(*topology, p.cpus->first, p.cpus->second))
                                   : std::string(sweep::kPlacementAuto);
        if (!a.placement.empty()) throw SpecError("give either --cpus or --placement, not both");
        const auto& pv = config::placement_values();
        const bool known = std::find(pv.begin(), pv.end(), rel) != pv.end();
        sweep::override_placement(p.spec, known ? rel : std::string(sweep::kPlacementAuto));
    }
    if (!a.placement.empty()) {
        sweep::override_placement(p.spec, a.placement);
        p.placement_override = a.placement;
    }
    if (!a.events.empty()) {
        p.events = split_commas(a.events);
        for (const auto& e : p.events)
            if (e.empty()) throw SpecError("--events: empty event name in '" + a.events + "'");
        // The runner probes them before writing anything; a dry run must refuse a typo too.
        if (a.dry_run) (void)sweep::open_pmu_session(p.events);
    }

    // The seed: --seed, else the interrupted sweep's (same order on --resume), else random.
    std::uint64_t seed = 0;
    bool have_seed = false;
    if (!a.seed.empty()) {
        seed = parse_u64(a.seed, "--seed");
        have_seed = true;
    } else if (a.resume) {
        std::ifstream f(a.out + "/results.json");
        auto j = f ? nlohmann::json::parse(f, nullptr, false) : nlohmann::json();
        if (j.is_object() && j.contains("context") && j["context"].contains("ringlab") &&
            j["context"]["ringlab"].contains("seed") && j["context"]["ringlab"]["seed"].is_number_unsigned()) {
            seed = j["context"]["ringlab"]["seed"].get<std::uint64_t>();
            have_seed = true;
        }
    }
    if (!have_seed) seed = std::random_device{}() | (std::uint64_t(std::random_device{}()) << 32);

    // Counted before the product is built: a spec of 2e9 combinations must be refused,
    // not expanded into memory.
    const std::uint64_t product = sweep::count_combinations(p.spec);
    if (product > max_configurations)
        throw SpecError("the spec has " + (product == UINT64_MAX ? std::string("more than 2^64") : std::to_string(product)) +
                        " combinations, more than --max-configurations " + std::to_string(max_configurations) +
                        " allows; split the spec into rows or raise --max-configurations");
    sweep::PlacementChoices choices;
    if (topology && !p.cpus) {
        for (const auto& pair : topo::representative_pairs(*topology)) choices.available.push_back(topo::relation_name(pair.relation));
        p.expansion = sweep::expand(p.spec, seed, &choices);
    } else {
        p.expansion = sweep::expand(p.spec, seed);
    }
    if (p.expansion.configs.empty() && !a.dry_run)
        throw SpecError("the spec leaves no configuration to run: all " + std::to_string(p.expansion.combinations) +
                        " combinations were pruned (see --dry-run for the reasons)");

    if (a.dry_run) {
        dry_run(p);
        return 0;
    }
    return sweep::run_sweep(p);
}

}  // namespace

int sweep_main(int argc, char** argv) {
    try {
        return sweep_main_checked(argc, argv);
    } catch (const SpecError& e) {
        std::fprintf(stderr, "ringlab sweep: %s\n", e.what());
        return 2;
    } catch (const cli::UsageError& e) {
        std::fprintf(stderr, "ringlab sweep: %s\n", e.what());
        return 2;
    }
}

}  // namespace ringlab
