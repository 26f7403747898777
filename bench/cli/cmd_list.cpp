// `ringlab list`: every axis and its values, which combinations are refused,
// and the instruction each barrier policy emits at each site on each
// architecture (the table a test proves against the disassembly).
#include <cstdio>
#include <string>

#include "cli/args.hpp"
#include "cli/commands.hpp"
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
    std::string barriers;
    for (auto n : ringsim::kBarrierNames) barriers += (barriers.empty() ? "" : ", ") + std::string(n);
    std::printf(
        "Axes (ringlab run flags; sweep spec keys in brackets)\n"
        "  --layout        [layout]         split, split-inorder, packed, index, packed-inorder\n"
        "  --barrier       [barrier]        %s\n"
        "  --runtime-barrier                smp, mandatory  (what branch and ops choose at run time)\n"
        "  --notify        [notify]         poll, flags, event-idx  (index: poll, flags)\n"
        "  --wait          [wait]           spin, sleep, hybrid  (sleep/hybrid need notify != poll)\n"
        "  --batch         [batch]          1 .. ring size\n"
        "  --ring-size     [ring_size]      2 .. 32768, powers of two\n"
        "  --outstanding   [outstanding]    batch .. ring size (1 = round-trip latency)\n"
        "  --kick-cost-ns  [kick_cost_ns]   0 .. 10000000\n"
        "  --submitters    [submitters]     1 .. 64  (--kick-under-lock | --kick-unlocked need 2+)\n"
        "  --device-access [device_access]  relaxed, barrier\n"
        "  --payload       [payload_bytes]  0 .. 4096, multiple of 8\n"
        "  --sg            [sg]             1 .. 16 descriptors per buffer (index: 1; direct: at most ring size)\n"
        "  --indirect      [indirect]       off, on, auto, auto=K (K 0..16; index: off)\n"
        "  --completion    [completion]     in-order, reverse, random, random:SEED (in-order layouts: in-order)\n"
        "  --cpus / sweep [placement]       A,B  |  all, smt, same-l2, same-l3, cross-l3, cross-socket\n\n"
        "Barrier site kinds: publish (store->store), consume (load->load), notify-check (store->load).\n"
        "UNSAFE marks a site whose instruction does not give that order on that architecture: a baseline\n"
        "for measurement, which `ringlab stress` can show losing notifications or reading stale data.\n\n",
        barriers.c_str());
    std::printf("%s", ringsim::format_barrier_table(only).c_str());
    auto here = ringsim::current_arch();
    std::printf("\nThis binary: %s.  `ctest -R disasm` proves this table against objdump for all three.\n",
                here ? std::string(ringsim::to_string(*here)).c_str() : "unknown architecture");
    return 0;
}

}  // namespace ringlab::cli
