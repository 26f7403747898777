// `ringlab exitcost`: the VM boundary alone, each exit kind in ns (p50/p99).
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/guest_options.hpp"
#include "cli/run_json.hpp"
#include "cli/run_options.hpp"
#include "guest/guest.hpp"
#include "results/atomic_write.hpp"

namespace ringlab::cli {

nlohmann::json exitcost_json(const guest::ExitCostResult& r) {
    nlohmann::json j;
    j["host"] = "kvm";
    j["boundary"] = r.boundary;
    j["timer_hz"] = r.timer_hz;
    j["tsc"] = {{"offset_start_ns", r.tsc.offset_start_ns}, {"offset_end_ns", r.tsc.offset_end_ns},
                {"uncertainty_ns", r.tsc.uncertainty_ns}, {"same_rate", r.tsc.same_rate}, {"note", r.tsc.sentence}};
    j["guest"] = {{"irqs", r.irqs}, {"halts", r.halts}, {"halts_skipped", r.halts_skipped},
                  {"user_exits_io", r.user_exits_io}, {"user_exits_mmio", r.user_exits_mmio}};
    auto& kinds = j["kinds"] = nlohmann::json::array();
    for (const auto& k : r.kinds)
        kinds.push_back({{"kind", k.kind}, {"what", k.what}, {"samples", k.samples}, {"p50_ns", k.p50_ns},
                         {"p99_ns", k.p99_ns}, {"min_ns", k.min_ns}, {"mean_ns", k.mean_ns}, {"max_ns", k.max_ns}});
    return j;
}

int cmd_exitcost(int argc, char** argv) {
    std::vector<OptionSpec> specs = {
        {"cpus", true, "A,B     vCPU thread on A, the device thread on B (default: not pinned)"},
        {"iterations", true, "N samples per kind (default 2000, 10..1000000)"},
        {"kinds", true, "K,...  some of: pio, mmio, ioeventfd-pio, ioeventfd-mmio, irqfd-hlt-wake (default all)"},
        {"json", true, "FILE     write the result as JSON"},
        {"help", false, "        this text"},
    };
    Args a(specs, argc, argv, 2);
    if (a.has("help")) {
        std::printf("usage: ringlab exitcost [options]\n\nThe VM boundary alone: a KVM guest times each kind of exit.\n\n%s",
                    Args::usage(specs).c_str());
        for (const auto& [k, w] : guest::exit_kinds()) std::printf("  %-20s %s\n", k.c_str(), w.c_str());
        return 0;
    }
    if (!a.positional().empty()) throw UsageError("unexpected argument '" + a.positional()[0] + "'");
    guest::ExitCostOptions o;
    if (auto c = a.str("cpus")) std::tie(o.vcpu_cpu, o.device_cpu) = parse_cpu_pair("cpus", *c);
    o.iterations = std::uint32_t(a.uint_or("iterations", 2000, 10, 1000000));
    if (auto k = a.str("kinds")) {
        std::string s = *k;
        for (std::size_t p = 0; p <= s.size();) {
            std::size_t e = s.find(',', p);
            if (e == std::string::npos) e = s.size();
            std::string name = s.substr(p, e - p);
            bool ok = false;
            for (const auto& [kind, what] : guest::exit_kinds()) ok = ok || kind == name;
            if (!ok)
                throw UsageError("--kinds '" + name +
                                 "' is not an exit kind (valid: pio, mmio, ioeventfd-pio, ioeventfd-pio-wake, "
                                 "ioeventfd-mmio, ioeventfd-mmio-wake, irqfd-hlt-wake)");
            o.kinds.push_back(name);
            p = e + 1;
        }
    }
    auto json_path = a.str("json");
    if (json_path) check_output_path(*json_path);
    // Long enough for the slowest boundary seen (PVM: ~100 us per exit) at the largest count.
    o.watchdog_ms = std::uint32_t(std::min<std::uint64_t>(600000, 20000 + std::uint64_t(o.iterations) * 7 * 2));
    guest::ExitCostResult r;
    if (auto rc = guest_exit_status("ringlab exitcost", [&] { r = guest::measure_exitcost(o); })) return *rc;
    std::printf("ringlab exitcost: %s\n", r.boundary.c_str());
    std::printf("  %s\n", r.tsc.sentence.c_str());
    std::printf("  %-20s %8s %10s %10s %10s\n", "kind", "samples", "p50 ns", "p99 ns", "min ns");
    for (const auto& k : r.kinds)
        std::printf("  %-20s %8llu %10.0f %10.0f %10.0f\n", k.kind.c_str(), (unsigned long long)k.samples, k.p50_ns,
                    k.p99_ns, k.min_ns);
    std::printf("  guest: %llu call interrupts, %llu hlt (%llu halts skipped: the call came first)\n",
                (unsigned long long)r.irqs, (unsigned long long)r.halts, (unsigned long long)r.halts_skipped);
    if (json_path) {
        results::write_json_atomically(*json_path, exitcost_json(r));
        std::printf("  wrote %s\n", json_path->c_str());
    }
    return 0;
}

}  // namespace ringlab::cli
