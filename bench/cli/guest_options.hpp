// guest_options.hpp: `ringlab run`'s --guest, --kick, --call and --doorbell.
#pragma once

#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/args.hpp"
#include "guest/guest.hpp"

namespace ringlab::cli {

void add_guest_option_specs(std::vector<OptionSpec>& specs);
// nullopt: --guest thread (the default); throws UsageError for a bad value or a
// kick/call/doorbell flag without --guest kvm.
std::optional<guest::GuestOptions> guest_options_from(const Args& a);
nlohmann::json guest_facts_json(const guest::GuestFacts& f);
void print_guest_summary(std::FILE* out, const guest::GuestRunResult& r);

}  // namespace ringlab::cli
