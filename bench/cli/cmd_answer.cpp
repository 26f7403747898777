// `ringlab answer`: the seed threads' questions answered with verdicts, each from
// paired, interleaved slices in this process (bench/answer), into DIR/verdicts.json.
#include <sched.h>
#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "answer/calibrate.hpp"
#include "answer/paired.hpp"
#include "answer/question.hpp"
#include "answer/verdicts_json.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/run_options.hpp"
#include "engine/cpu_affinity.hpp"
#include "engine/engine.hpp"
#include "env/environment.hpp"
#include "ringsim/clock.hpp"
#include "results/atomic_write.hpp"

namespace ringlab::cli {
namespace {

std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty()) out.push_back(item);
    return out;
}

std::string question_ids() {
    std::string v;
    for (const auto& q : answer::all_questions()) v += (v.empty() ? "" : ", ") + q.id;
    return v;
}

void print_list() {
    std::printf("Questions of `ringlab answer` (A is the reference; the verdict is about B; every metric is a cost):\n\n");
    for (const auto& q : answer::all_questions()) {
        std::string metrics;
        for (const auto& m : q.metrics) metrics += (metrics.empty() ? "" : ", ") + m.id;
        std::printf("  %-24s seed %s: %s\n  %-24s A: %s   B: %s   metrics: %s\n\n", q.id.c_str(), q.seed.c_str(),
                    q.text.c_str(), "", q.a.label.c_str(), q.b.label.c_str(), metrics.c_str());
    }
}

double load_average() {
    std::ifstream f("/proc/loadavg");
    double x = -1;
    if (f >> x) return x;
    return -1;
}

// Restores the calling thread's CPU mask when the site questions are done with it.
class PinnedHere {
public:
    explicit PinnedHere(int cpu) {
        ok_ = sched_getaffinity(0, sizeof saved_, &saved_) == 0;
        std::string err = pin_this_thread(cpu);
        if (!err.empty()) throw std::runtime_error(err);
    }
    ~PinnedHere() {
        if (ok_) sched_setaffinity(0, sizeof saved_, &saved_);
    }
    PinnedHere(const PinnedHere&) = delete;
    PinnedHere& operator=(const PinnedHere&) = delete;

private:
    cpu_set_t saved_{};
    bool ok_ = false;
};

}  // namespace

int cmd_answer(int argc, char** argv) {
    std::vector<OptionSpec> specs = {
        {"list", false, "             the questions, their sides and metrics"},
        {"question", true, "ID[,ID]   only these questions (repeatable, or further arguments; default: all)", true},
        {"budget", true, "S           time budget per question, seconds (default 30; 1..3600)"},
        {"target-pct", true, "P       stop when the 95% interval's half-width is below P% (default 1; 0.05..50)"},
        {"threshold-pct", true, "T    equivalence margin: 'no difference beyond +-T%' (default 2; 0.1..50)"},
        {"cpus", true, "A,B           driver CPU, device CPU (default: two distinct usable CPUs)"},
        {"slice-ms", true, "MS        timed window of one slice (default 2; 0.5..2000)"},
        {"min-pairs", true, "N        no verdict from fewer pairs (default 10; 3..100000)"},
        {"seed", true, "N             seed of the pairs' random order (default: random, recorded)"},
        {"calibrate", false, "        plant known slowdowns and A/A pairs; report detection and false verdicts"},
        {"plant-pct", true, "P[,P]    --calibrate: planted slowdowns in percent (default 2,5,10; each 0.1..100)"},
        {"trials", true, "N           --calibrate: trials per planted effect and A/A (default 3; 1..1000)"},
        {"plant", true, "SITE         --calibrate: serial (default: spun after B's window, tests the statistics) | ring (in the device's loop: the ring's response)"},
        {"out", true, "DIR            write DIR/verdicts.json (DIR is created; its parent must exist)"},
        {"help", false, "             this text"},
    };
    Args a(specs, argc, argv, 2);
    if (a.has("help")) {
        std::printf("usage: ringlab answer [--question ID ...] [--budget S] [--cpus A,B] [--target-pct P]\n"
                    "                      [--threshold-pct T] --out DIR\n"
                    "       ringlab answer --calibrate [--plant-pct 2,5,10] [--trials N] [--plant serial|ring] [--budget S] --out DIR\n"
                    "       ringlab answer --list\n\n"
                    "A and B run alternately in short slices on one CPU pair (pairs' orders in balanced twos, a\n"
                    "random order then its opposite; the floor measured around every slice); each pair gives one\n"
                    "ratio B/A; measuring stops when the 95%%\n"
                    "interval's half-width is below the target or the budget is spent. Verdicts: 'B is X%% slower\n"
                    "[lo, hi]' / faster, 'no difference beyond +-T%%' (the whole interval inside +-T), or\n"
                    "'inconclusive' with the reason. Every verdict states the smallest effect it resolves (mde).\n\n%s",
                    Args::usage(specs).c_str());
        return 0;
    }
    if (a.has("list")) {
        print_list();
        return 0;
    }
    const bool calibrate = a.has("calibrate");
    std::vector<const answer::Question*> qs;
    std::vector<std::string> ids = a.has("question") ? split_commas(*a.str("question")) : std::vector<std::string>{};
    for (const auto& p : a.positional()) {
        if (!a.has("question")) throw UsageError("unexpected argument '" + p + "' (question ids follow --question)");
        ids.push_back(p);
    }
    // "--question ," (or "--question ''") names none: that is not "all of them" (minutes of work).
    if (a.has("question") && ids.empty())
        throw UsageError("--question names no question (give one or more ids, comma-separated; see --list)");
    if (calibrate && !ids.empty()) throw UsageError("--calibrate runs its own questions: leave out --question");
    if (!calibrate && (a.has("plant-pct") || a.has("trials") || a.has("plant")))
        throw UsageError("--plant-pct, --plant and --trials belong to --calibrate");
    for (const auto& id : ids) {
        const auto* q = answer::find_question(id);
        if (!q) throw UsageError("unknown question '" + id + "' (valid: " + question_ids() + "; see --list)");
        qs.push_back(q);
    }
    if (!calibrate && qs.empty())
        for (const auto& q : answer::all_questions()) qs.push_back(&q);

    answer::AnswerOptions o;
    o.budget_s = a.double_or("budget", calibrate ? 10 : 30, 1, 3600);
    o.target_pct = a.double_or("target-pct", 1, 0.05, 50);
    o.threshold_pct = a.double_or("threshold-pct", 2, 0.1, 50);
    o.slice_ms = a.double_or("slice-ms", 2, 0.5, 2000);
    o.min_pairs = std::size_t(a.uint_or("min-pairs", 10, 3, 100000));
    o.seed = a.has("seed") ? a.uint_or("seed", 0, 0, ~0ull) : std::random_device{}();
    answer::CalibrateOptions co;
    if (auto p = a.str("plant-pct")) {
        co.plant_pct.clear();
        for (const auto& s : split_commas(*p)) {
            char* end = nullptr;
            double x = std::strtod(s.c_str(), &end);
            if (*end || !(x >= 0.1 && x <= 100))
                throw UsageError("--plant-pct '" + s + "' is not valid (percentages from 0.1 to 100, comma-separated)");
            co.plant_pct.push_back(x);
        }
        if (co.plant_pct.empty()) throw UsageError("--plant-pct needs at least one percentage (0.1 to 100)");
    }
    co.trials = int(a.uint_or("trials", 3, 1, 1000));
    co.site = a.choice_or("plant", "serial", {"serial", "ring"}) == "ring" ? answer::PlantSite::ring
                                                                          : answer::PlantSite::serial;

    // The CPU pair: the engine's own check, so the reason is the one `ringlab run` would give.
    if (auto cpus = a.str("cpus")) {
        std::tie(o.cpu_a, o.cpu_b) = parse_cpu_pair("cpus", *cpus);
    } else if (!default_cpu_pair(o.cpu_a, o.cpu_b)) {
        throw UsageError("fewer than two usable CPUs: `ringlab answer` needs a pair (--cpus A,B)");
    }
    {
        RunConfig probe;
        probe.driver_cpu = o.cpu_a;
        probe.device_cpu = o.cpu_b;
        try {
            (void)check_run_config(probe);  // the table's words, in flag spellings, as `ringlab run` gives them
        } catch (const UsageError& e) {
            throw UsageError("--cpus " + std::to_string(o.cpu_a) + "," + std::to_string(o.cpu_b) + ": " + e.what());
        }
    }

    auto out_dir = a.str("out");
    if (!out_dir || out_dir->empty()) throw UsageError("--out DIR is required (where verdicts.json goes)");
    namespace fs = std::filesystem;
    fs::path dir(*out_dir);
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
        throw UsageError("--out " + *out_dir + " exists and is not a directory");
    fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
    if (!fs::exists(dir, ec) && !fs::is_directory(parent, ec))
        throw UsageError("--out " + *out_dir + ": the parent directory " + parent.string() + " does not exist");
    if (!fs::exists(dir, ec) && !fs::create_directory(dir, ec))
        throw UsageError("--out " + *out_dir + ": cannot create it (" + ec.message() + ")");

    answer::RunInfo info;
    info.version = RINGLAB_VERSION;
    info.git_rev = RINGLAB_GIT_REV;
    for (int i = 0; i < argc; ++i) info.command += (i ? " " : "") + std::string(argv[i]);
    info.cpu_a = o.cpu_a;
    info.cpu_b = o.cpu_b;
    info.load_average = load_average();
    {
        env::Options eo;
        const auto& clk = ringsim::clock::info();
        eo.timer = env::TimerFacts{clk.name, clk.hz, clk.core_cycles, true, clk.resolution_ticks};
        eo.measured_cpus = {o.cpu_a, o.cpu_b};
        auto rec = env::collect(eo);
        info.environment = rec.environment;
        try {
            info.cpu_model = rec.environment.at("cpu_model").get<std::string>();
        } catch (const std::exception&) {
            info.cpu_model = "unknown";
        }
    }
    o.progress = stdout;
    std::printf("ringlab answer: CPUs %d,%d on %s (load average %.2f), budget %.0f s per %s, target +-%.3g%%, "
                "threshold +-%.3g%%, seed %llu\n",
                o.cpu_a, o.cpu_b, info.cpu_model.c_str(), info.load_average, o.budget_s,
                calibrate ? "trial" : "question", o.target_pct, o.threshold_pct, (unsigned long long)o.seed);
    std::fflush(stdout);

    std::vector<answer::QuestionOutcome> outcomes;
    std::optional<answer::CalibrationReport> cal;
    const fs::path json_path = dir / "verdicts.json";
    auto write = [&] {
        auto doc = answer::verdicts_document(info, o, outcomes, cal);
        results::write_json_atomically(json_path.string(), doc);
    };
    bool failed = false;
    if (calibrate) {
        cal = answer::run_calibration(o, co);
        for (const auto& t : cal->trials) outcomes.push_back(t.out);
    } else {
        for (const auto* q : qs) {
            std::optional<PinnedHere> pin;
            if (q->a.micro) pin.emplace(o.cpu_a);
            outcomes.push_back(answer::run_question(*q, o));
            const auto& r = outcomes.back();
            std::printf("  %-24s %s (%zu pairs, %.0f s)\n", r.id.c_str(), r.metrics[0].words.c_str(),
                        r.metrics[0].summary.n, r.seconds);
            std::fflush(stdout);
            write();  // after every question: an interrupted run keeps what it answered
        }
    }
    for (const auto& r : outcomes) failed = failed || r.failed > 0;
    write();
    std::printf("\n%s", answer::verdict_table(outcomes).c_str());
    for (const auto& r : outcomes)
        for (const auto& m : r.metrics)
            for (const auto& f : m.flags) std::printf("  FLAG %s/%s: %s\n", r.id.c_str(), m.id.c_str(), f.c_str());
    if (cal) {
        std::printf("\ncalibration (plant %s; base %.1f ns per buffer at --outstanding 1%s):\n", to_string(cal->site), cal->base_ns,
                    cal->base_clean ? "" : "; every probe run was interrupted by other processes, so the plants are sized from a slow run");
        for (const auto& g : cal->groups) {
            if (g.target_pct == 0)
                std::printf("  A/A           %d trials: %d false verdicts (slower/faster), interval covers 1 in %d\n",
                            g.trials, g.false_verdicts, g.covered);
            else
                std::printf("  planted %4.1f%%  %d trials: detected (slower) %d, wrong direction %d, interval covers the planted ratio in %d\n",
                            g.target_pct, g.trials, g.detected, g.false_verdicts, g.covered);
        }
        if (cal->resolved_pct)
            std::printf("  smallest planted effect found in every trial: %.3g%%; median mde of the trials %.2f%%\n",
                        *cal->resolved_pct, cal->median_mde_pct);
        else
            std::printf("  no planted effect was found in every trial; median mde of the trials %.2f%%\n",
                        cal->median_mde_pct);
    }
    std::printf("  wrote %s\n", json_path.c_str());
    return failed ? 1 : 0;
}

}  // namespace ringlab::cli
