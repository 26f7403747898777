// run_configuration.cpp: one configuration on the host cfg.host names.  The one place
// the sweep and the answer runner choose between the engine's threads and the guest.
#include "config/axes.hpp"
#include "engine/engine.hpp"
#include "guest/guest.hpp"

namespace ringlab::guest {

RunResult run_configuration(const ValidConfig& cfg, GuestFacts* facts) {
    if (cfg.config().host == HostKind::thread) return run_engine(cfg);
    GuestRunResult r = run_guest(cfg);
    if (facts) *facts = std::move(r.guest);
    return std::move(r.run);
}

}  // namespace ringlab::guest
