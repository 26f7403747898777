// `ringlab run` and `ringlab stress`.
#include <chrono>
#include <cstdio>
#include <string>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/guest_options.hpp"
#include "cli/pmu_glue.hpp"
#include "cli/run_json.hpp"
#include "cli/run_options.hpp"
#include "cli/summary.hpp"
#include "config/axes.hpp"
#include "engine/engine.hpp"
#include "ringsim/barrier_table.hpp"

namespace ringlab::cli {

static void warn_unsafe(const RunConfig& c) {
    auto arch = ringsim::current_arch();
    if (!arch) return;
    for (auto kind : ringsim::kSiteKinds) {
        const auto* site = ringsim::find_site(*arch, c.barrier, kind);
        if (site && !site->safe)
            std::fprintf(stderr, "ringlab: note: barrier '%s' is not safe at the %s site on %s (a baseline, not a choice)\n",
                         c.barrier.c_str(), std::string(ringsim::to_string(kind)).c_str(),
                         std::string(ringsim::to_string(*arch)).c_str());
    }
}

// `run --guest kvm`: the driver in a KVM guest.  No KVM here: exit 2 with why.
static int run_in_guest(const ValidConfig& cfg, const std::optional<std::string>& json_path,
                        const Args& a, int argc, char** argv) {
    if (a.has("events")) throw UsageError("--guest kvm does not take --events yet (no PMU group inside the guest)");
    warn_unsafe(cfg.config());
    guest::GuestRunResult r;
    if (auto rc = guest_exit_status("ringlab run", [&] { r = guest::run_guest(cfg); })) return *rc;
    print_run_summary(stdout, r.run);
    print_guest_summary(stdout, r);
    if (json_path) {
        CliPmu pmu(a);
        nlohmann::json facts = guest_facts_json(r.guest);
        write_run_json(*json_path, r.run, pmu, argc, argv, &facts);
        std::printf("  wrote %s\n", json_path->c_str());
    }
    return r.run.valid ? 0 : 1;
}

int cmd_run(int argc, char** argv) {
    auto specs = run_option_specs();
    specs.push_back({"json", true, "FILE       write the result (results format, one entry) atomically"});
    add_pmu_option_specs(specs);
    specs.push_back({"help", false, "           this text"});
    Args a(specs, argc, argv, 2);
    if (a.has("help")) {
        std::printf("usage: ringlab run [options]\n\n%s", Args::usage(specs).c_str());
        return 0;
    }
    if (!a.positional().empty()) throw UsageError("unexpected argument '" + a.positional()[0] + "'");
    RunConfig cfg = run_config_from(a);
    auto json_path = a.str("json");
    if (json_path) check_output_path(*json_path);
    guest_options_into(a, cfg);
    if (cfg.host == HostKind::kvm) return run_in_guest(check_run_config(cfg), json_path, a, argc, argv);
    CliPmu pmu(a);
    cfg.counters = pmu.factory();
    const ValidConfig valid = check_run_config(cfg);
    warn_unsafe(cfg);
    RunResult r = run_engine(valid);
    if (cfg.verbose)  // --verbose: where the run laid out the ring
        for (const auto& area : r.areas)
            std::printf("  area %-24s %p  %6zu bytes  %s\n", area.name.c_str(), area.addr, area.bytes,
                        area.shared ? "shared" : "private");
    print_run_summary(stdout, r);
    pmu.print_summary(stdout, r);
    if (json_path) {
        write_run_json(*json_path, r, pmu, argc, argv);
        std::printf("  wrote %s\n", json_path->c_str());
    }
    return r.valid ? 0 : 1;
}

// stress runs with other defaults than run: its --help must state those, not run's.
static void stress_defaults(std::vector<OptionSpec>& specs) {
    auto set = [&](const char* name, const char* help) {
        for (auto& s : specs)
            if (s.name == name) s.help = help;
    };
    set("notify", "M      poll | flags | event-idx (stress default event-idx)");
    set("wait", "W      spin | sleep | hybrid (stress default sleep)");
    set("watchdog-ms", "N report a side stuck this long (10..600000, stress default 200)");
    set("warmup", "N      buffers before each run's window (stress default 1)");
    set("no-floor", "        always on in stress (no round-trip measurement)");
    set("buffers", "N     not used by stress: see --chunk");
    set("duration", "S    not used by stress: see --time");
}

int cmd_stress(int argc, char** argv) {
    auto specs = run_option_specs();
    stress_defaults(specs);
    specs.push_back({"time", true, "S          how long to keep running (default 10, 0.1..86400)"});
    specs.push_back({"chunk", true, "N         buffers per engine run (default 20000)"});
    specs.push_back({"help", false, "           this text"});
    Args a(specs, argc, argv, 2);
    if (a.has("help")) {
        std::printf("usage: ringlab stress [options]\n\n"
                    "Runs one configuration again and again with notifications on and sleeping sides, and counts\n"
                    "lost notifications and verification errors. Defaults differ from `run`: --notify event-idx\n"
                    "--wait sleep --watchdog-ms 200 --no-floor, so that sides go to sleep as often as possible.\n\n%s",
                    Args::usage(specs).c_str());
        return 0;
    }
    a.expect_no_positional();
    if (a.has("buffers")) throw UsageError("stress runs --chunk buffers per engine run; --buffers is not used here");
    if (a.has("duration")) throw UsageError("stress runs for --time seconds; --duration is not used here");
    RunConfig cfg = run_config_from(a);
    if (!a.has("notify")) cfg.notify = ringsim::NotifyMode::event_idx;
    if (!a.has("wait")) cfg.wait = WaitMode::sleep;
    if (!a.has("watchdog-ms")) cfg.watchdog_ms = 200;
    cfg.measure_floor = false;
    cfg.warmup_buffers = a.has("warmup") ? cfg.warmup_buffers : 1;
    cfg.buffers = a.uint_or("chunk", 20000, 1, 1ull << 32);
    double seconds = a.double_or("time", 10, 0.1, 86400);
    guest_options_into(a, cfg);
    cfg.exitcost_iterations = 0;
    const ValidConfig valid = check_run_config(cfg);
    warn_unsafe(cfg);
    // --guest kvm: each chunk is a guest run (the driver in the vCPU); no KVM: exit 2.
    auto run_once = [&]() -> RunResult { return guest::run_configuration(valid); };

    auto t0 = std::chrono::steady_clock::now();
    std::uint64_t runs = 0, buffers = 0, lost = 0, errors = 0, sleeps = 0, kicks = 0, calls = 0, invalid = 0;
    do {
        RunResult r;
        if (auto rc = guest_exit_status("ringlab stress", [&] { r = run_once(); })) return *rc;
        ++runs;
        buffers += r.buffers;
        lost += r.lost_notifications;
        errors += r.errors.total();
        sleeps += r.driver.sleeps + r.device.sleeps;
        kicks += r.driver.notifications;
        calls += r.device.notifications;
        if (!r.valid) {
            ++invalid;
            for (const auto& w : r.watchdog)
                std::printf("run %llu: WATCHDOG (%s) waited for %s\n  state: %s\n", (unsigned long long)runs,
                            w.role.c_str(), w.waited_for.c_str(), w.state.c_str());
            for (const auto& p : r.problems) std::printf("run %llu: %s\n", (unsigned long long)runs, p.c_str());
        }
    } while (std::chrono::steady_clock::now() - t0 < std::chrono::duration<double>(seconds));
    double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("ringlab stress: layout=%s barrier=%s notify=%s wait=%s batch=%u outstanding=%u for %.1f s\n",
                cfg.layout.c_str(), cfg.barrier.c_str(), a.str_or("notify", "event-idx").c_str(),
                a.str_or("wait", "sleep").c_str(), cfg.batch, cfg.outstanding ? cfg.outstanding : cfg.ring_size, el);
    if (cfg.host == HostKind::kvm)
        std::printf("  driver in a KVM guest: kick %s, call %s, doorbell %s, guest barriers %s\n",
                    kick_path_name(cfg.kick_path), call_path_name(cfg.call_path), doorbell_name(cfg.doorbell),
                    guest_barriers_name(cfg.guest_barriers));
    std::printf("  %llu runs, %llu buffers, %llu sleeps, %llu kicks, %llu calls\n", (unsigned long long)runs,
                (unsigned long long)buffers, (unsigned long long)sleeps, (unsigned long long)kicks,
                (unsigned long long)calls);
    std::printf("  lost notifications: %llu; verification errors: %llu; invalid runs: %llu\n",
                (unsigned long long)lost, (unsigned long long)errors, (unsigned long long)invalid);
    std::printf("  verdict: %s\n", lost || errors
                                       ? "UNSAFE here: this configuration lost notifications or corrupted buffers"
                                       : "no failure observed in this time (absence of evidence, not proof)");
    return lost || errors ? 1 : 0;
}

}  // namespace ringlab::cli
