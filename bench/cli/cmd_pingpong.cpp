// `ringlab pingpong`: the cache-line round trip between two CPUs, the floor
// every batch-1 ring on the same pair is measured against.
#include <cstdio>
#include <tuple>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/run_options.hpp"
#include "engine/cpu_affinity.hpp"
#include "engine/engine.hpp"

namespace ringlab::cli {

int cmd_pingpong(int argc, char** argv) {
    std::vector<OptionSpec> specs = {
        {"cpus", true, "A,B     the two CPUs (default: two distinct online CPUs)"},
        {"rounds", true, "N     round trips to time (default 200000, 64..100000000)"},
        {"repeat", true, "N     measure this many times and print each (default 1, 1..100)"},
        {"help", false, "       this text"},
    };
    Args a(specs, argc, argv, 2);
    if (a.has("help")) {
        std::printf("usage: ringlab pingpong [options]\n\n%s", Args::usage(specs).c_str());
        return 0;
    }
    a.expect_no_positional();
    int cpu_a = -1, cpu_b = -1;
    if (auto cpus = a.str("cpus")) {
        std::tie(cpu_a, cpu_b) = parse_cpu_pair("cpus", *cpus);
        if (cpu_a == cpu_b) throw UsageError("--cpus needs two different CPUs");
        for (int c : {cpu_a, cpu_b})
            if (auto why = cpu_usable(c); !why.empty()) throw UsageError(why);
    } else if (!default_cpu_pair(cpu_a, cpu_b)) {
        throw UsageError("fewer than two usable CPUs");
    }
    int rounds = int(a.uint_or("rounds", 200000, 64, 100000000));
    int repeat = int(a.uint_or("repeat", 1, 1, 100));
    for (int i = 0; i < repeat; ++i) {
        PingPongResult p = measure_pingpong(cpu_a, cpu_b, rounds);
        std::printf("pingpong cpus %d,%d: round trip median %.1f ns (p10 %.1f, p90 %.1f, min %.1f) over %d rounds; "
                    "timer %s at %.4f GHz\n",
                    cpu_a, cpu_b, p.median_ns, p.p10_ns, p.p90_ns, p.min_ns, p.rounds, p.timer_name.c_str(),
                    p.timer_hz / 1e9);
    }
    return 0;
}

}  // namespace ringlab::cli
