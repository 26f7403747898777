// `ringlab list`: every axis and its values (the configuration table), which combinations are refused,
// and the instruction each barrier policy emits at each site on each
// architecture (the table a test proves against the disassembly).
#include <cstdio>
#include <string>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "config/axes.hpp"
#include "ringsim/barrier_table.hpp"
#include "ringsim/barriers.hpp"

namespace ringlab::cli {

int cmd_list(int argc, char** argv) {
    std::vector<OptionSpec> specs = {
        {"arch", true, "A      only this architecture: x86_64 | aarch64 | ppc64le"},
        {"help", false, "      this text"},
    };
    Args a(specs, argc, argv, 2);
    if (a.has("help")) {
        std::printf("usage: ringlab list [options]\n\n%s", Args::usage(specs).c_str());
        return 0;
    }
    a.expect_no_positional();
    std::optional<ringsim::Arch> only;
    if (auto arch = a.str("arch")) {
        auto v = a.choice_or("arch", "", {"x86_64", "aarch64", "ppc64le"});
        for (auto x : ringsim::kArchs)
            if (ringsim::to_string(x) == v) only = x;
    }
    // The configuration table (config/axes.hpp): every field, its flag and spec key, its values.
    std::printf("Axes and settings (ringlab run flags; sweep spec keys in brackets)\n");
    for (const auto& f : config::fields()) {
        std::string flag = f.flag.empty() ? "" : "--" + f.flag;
        for (const auto& s : f.switches) flag += (flag.empty() ? "--" : " | --") + s.flag;
        if (flag.empty() && !f.is_axis()) continue;  // set by other commands only (answer --calibrate)
        if (f.name == "placement") flag = "--cpus / sweep";
        const std::string key = f.is_axis() ? "[" + f.name + "]" : "";
        // The words first (bash completion reads them up to two spaces), then the range.
        std::string values;
        if (f.kind == config::Kind::toggle) values = "a switch: " + f.help;
        else
            for (const auto& w : f.words) values += (values.empty() ? "" : ", ") + w;
        if (f.kind != config::Kind::word && f.kind != config::Kind::toggle)
            values += values.empty() ? f.range : "  (" + f.range + ")";
        std::printf("  %-34s %-17s %s\n", flag.c_str(), key.c_str(), values.c_str());
    }
    std::printf("\nRefused combinations (pruned by the sweep; `run` refuses them):\n");
    for (const auto& r : config::rules())
        std::printf("  %s%s\n", r.summary.c_str(), r.invalid ? "" : "  (pointless: pruned, allowed in run)");
    std::printf(
        "\nBarrier site kinds: publish (store->store), consume (load->load), notify-check (store->load).\n"
        "UNSAFE marks a site whose instruction does not give that order on that architecture: a baseline\n"
        "for measurement, which `ringlab stress` can show losing notifications or reading stale data.\n\n");
    std::printf("%s", ringsim::format_barrier_table(only).c_str());
    auto here = ringsim::current_arch();
    std::printf("\nThis binary: %s.  `ctest -R disasm` proves this table against objdump for all three.\n",
                here ? std::string(ringsim::to_string(*here)).c_str() : "unknown architecture");
    return 0;
}

}  // namespace ringlab::cli
