// guest_options.hpp: `ringlab run`'s --guest, --kick, --call and --doorbell.
#pragma once

#include <cstdio>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/args.hpp"
#include "guest/guest.hpp"

namespace ringlab::cli {

// The guest fields are table rows (parsed by run_config_from); this adds the one condition
// that is the command line's own: --exitcost-iterations without --guest kvm.
void guest_options_into(const Args& a, RunConfig& cfg);
nlohmann::json guest_facts_json(const guest::GuestFacts& f);
void print_guest_summary(std::FILE* out, const guest::GuestRunResult& r);

// Calls f (which runs a guest) for `command` ("ringlab run"...): a guest this machine
// cannot start (GuestUnavailable) is exit status 2, one that ended badly (GuestFailure)
// is 1, each with its reason on stderr; nullopt when f returned normally.
template <class F>
std::optional<int> guest_exit_status(const char* command, F&& f) {
    try {
        f();
    } catch (const guest::GuestUnavailable& e) {
        std::fprintf(stderr, "%s: %s\n", command, e.what());
        return 2;
    } catch (const guest::GuestFailure& e) {
        std::fprintf(stderr, "%s: %s\n", command, e.what());
        return 1;
    }
    return std::nullopt;
}

}  // namespace ringlab::cli
