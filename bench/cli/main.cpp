// ringlab: the command-line front end.  It parses flags and writes files; the
// engine, the sweep runner and the PMU capture do the measuring.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "engine/engine.hpp"
#if RINGLAB_HAVE_SWEEP
#include "sweep/sweep_command.hpp"
#endif

namespace {

void usage(std::FILE* out) {
    std::fprintf(out,
                 "ringlab %s: cycle-level benchmark of virtio-style shared-memory rings\n\n"
                 "usage: ringlab COMMAND [options]   (ringlab COMMAND --help for its options)\n\n"
                 "  run        one configuration: driver and device threads over one ring, every buffer verified\n"
                 "  stress     run a configuration repeatedly with notifications: is this barrier choice safe here?\n"
                 "  pingpong   the cache-line round trip between two CPUs (the physical floor)\n"
                 "  answer     the seed threads' questions as verdicts: paired, interleaved A/B slices in one process\n"
                 "  sweep      many configurations under Google Benchmark into a results directory\n"
                 "  list       axes, values, and the instruction each barrier policy emits per architecture\n"
                 "  topo       CPUs, caches, sockets, NUMA and representative CPU pairs\n"
                 "  env        the environment record (JSON with --json)\n"
                 "  exitcost   the KVM boundary alone: each exit kind (PIO, MMIO, ioeventfd, irqfd wake-up) in ns\n"
                 "  version    version and build\n",
                 RINGLAB_VERSION);
}

void print_version() { std::printf("ringlab %s (git %s, %s)\n", RINGLAB_VERSION, RINGLAB_GIT_REV, RINGLAB_COMPILER); }

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    std::string cmd = argv[1];
    try {
        if (cmd == "run") return ringlab::cli::cmd_run(argc, argv);
        if (cmd == "stress") return ringlab::cli::cmd_stress(argc, argv);
        if (cmd == "pingpong") return ringlab::cli::cmd_pingpong(argc, argv);
        if (cmd == "list") return ringlab::cli::cmd_list(argc, argv);
        if (cmd == "topo") return ringlab::cli::cmd_topo(argc, argv);
        if (cmd == "env") return ringlab::cli::cmd_env(argc, argv);
        if (cmd == "answer") return ringlab::cli::cmd_answer(argc, argv);
        if (cmd == "exitcost") return ringlab::cli::cmd_exitcost(argc, argv);
#if RINGLAB_HAVE_SWEEP
        if (cmd == "sweep") return ringlab::sweep_main(argc - 1, argv + 1);
#endif
        if (cmd == "version" || cmd == "--version") {
            const std::vector<ringlab::cli::OptionSpec> specs = {{"help", false, "       this text"}};
            ringlab::cli::Args a(specs, argc, argv, 2);
            if (a.has("help")) {
                std::printf("usage: ringlab version\n\nPrints the version, the git revision and the compiler.\n\n%s",
                            ringlab::cli::Args::usage(specs).c_str());
                return 0;
            }
            if (!a.positional().empty())
                throw ringlab::cli::UsageError("unexpected argument '" + a.positional()[0] + "' (version takes no arguments)");
            print_version();
            return 0;
        }
        if ((cmd == "help" || cmd == "--help" || cmd == "-h") && argc > 2) {
            // `ringlab help run`: the command's own --help.
            std::string sub = argv[2];
            char help_flag[] = "--help";
            char* args[] = {argv[0], argv[2], help_flag, nullptr};
            if (sub == "run") return ringlab::cli::cmd_run(3, args);
            if (sub == "stress") return ringlab::cli::cmd_stress(3, args);
            if (sub == "pingpong") return ringlab::cli::cmd_pingpong(3, args);
            if (sub == "list") return ringlab::cli::cmd_list(3, args);
            if (sub == "topo") return ringlab::cli::cmd_topo(3, args);
            if (sub == "env") return ringlab::cli::cmd_env(3, args);
#if RINGLAB_HAVE_SWEEP
            if (sub == "sweep") return ringlab::sweep_main(2, args + 1);
#endif
            throw ringlab::cli::UsageError("unknown command '" + sub + "'");
        }
        if (cmd == "help" || cmd == "--help" || cmd == "-h") {
            usage(stdout);
            return 0;
        }
        std::fprintf(stderr, "ringlab: unknown command '%s'\n\n", cmd.c_str());
        usage(stderr);
        return 2;
    } catch (const ringlab::cli::VersionRequest&) {  // COMMAND --version
        print_version();
        return 0;
    } catch (const ringlab::EngineStuck& e) {
        // The engine's threads still run on the aborted run's memory: end at once, with
        // no destructors and no atexit handlers.
        std::fprintf(stderr, "ringlab: %s; exiting\n", e.what);
        std::fflush(stderr);
        std::_Exit(3);
    } catch (const ringlab::cli::UsageError& e) {
        std::fprintf(stderr, "ringlab %s: %s\n", cmd.c_str(), e.what());
        return 2;
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "ringlab %s: %s\n", cmd.c_str(), e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ringlab %s: error: %s\n", cmd.c_str(), e.what());
        return 1;
    }
}
