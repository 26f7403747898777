// micro_main.cpp: ringlab-micro's entry point.
//
//   ringlab-micro [--cpus=A,B] [Google Benchmark flags]
//   e.g. ringlab-micro --cpus=0,2 --benchmark_filter='site/|fullbarrier/'
//          --benchmark_out=micro.json --benchmark_out_format=json
//
// The CPU pair of the round trip comes from --cpus, else $RINGLAB_MICRO_CPUS,
// else 0,1.  Output is Google Benchmark's own (console, and JSON with
// --benchmark_out); the context carries the architecture, the timer and the pair.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "micro.hpp"
#include "ringsim/arch.hpp"

namespace {

bool parse_pair(const char* s, int& a, int& b) {
    char comma = 0;
    char tail = 0;
    return s && std::sscanf(s, "%d%c%d%c", &a, &comma, &b, &tail) == 3 && comma == ',' && a >= 0 && b >= 0;
}

}  // namespace

int main(int argc, char** argv) {
    int cpu_a = 0, cpu_b = 1;
    const char* from = "default";
    if (const char* env = std::getenv("RINGLAB_MICRO_CPUS")) {
        if (!parse_pair(env, cpu_a, cpu_b)) {
            std::fprintf(stderr, "ringlab-micro: RINGLAB_MICRO_CPUS='%s' is not A,B (two CPU numbers)\n", env);
            return 2;
        }
        from = "RINGLAB_MICRO_CPUS";
    }
    // Take --cpus out of argv before Google Benchmark parses the rest.
    int out = 1;
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--cpus=", 7) == 0) {
            if (!parse_pair(argv[i] + 7, cpu_a, cpu_b)) {
                std::fprintf(stderr, "ringlab-micro: %s: expected --cpus=A,B (two CPU numbers)\n", argv[i]);
                return 2;
            }
            from = "--cpus";
        } else {
            argv[out++] = argv[i];
        }
    }
    argc = out;

    const auto& clk = ringsim::clock::info();
    benchmark::AddCustomContext("ringlab_arch", ringsim::arch::kArchName);
    benchmark::AddCustomContext("ringlab_timer", clk.name);
    benchmark::AddCustomContext("ringlab_timer_hz", std::to_string(clk.hz));
    benchmark::AddCustomContext("ringlab_timer_core_cycles", clk.core_cycles ? "true" : "false");
    benchmark::AddCustomContext("ringlab_cpus", std::to_string(cpu_a) + "," + std::to_string(cpu_b) + " (" + from + ")");
    benchmark::AddCustomContext("ringlab_compiler", __VERSION__);

    ringlab::micro::register_site_benchmarks();
    ringlab::micro::register_full_barrier_benchmarks();
    ringlab::micro::register_roundtrip_benchmarks(cpu_a, cpu_b);
    ringlab::micro::register_one_thread_benchmarks();

    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
