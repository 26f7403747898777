// guest_api.cpp: `ringlab run --guest kvm` on x86_64: validation, CPU choice, the
// floor and the same run's exit cost, then the layout's GuestRun.

#include "engine/engine.hpp"
#include "guest/guest.hpp"
#include "guest/x86_64/boundary.hpp"
#include "guest/x86_64/guest_dispatch.hpp"
#include "ringsim/clock.hpp"

namespace ringlab::guest {

std::string validate_guest(const RunConfig& c, const GuestOptions& g) {
    const bool notify = c.notify != ringsim::NotifyMode::poll;
    if (g.call == CallPath::irqfd && !notify)
        return "--call irqfd needs notifications (--notify flags or event-idx): with --notify poll the device never calls";
    if (c.submitters != 1)
        return "--guest kvm runs one submitter (one vCPU) so far: --submitters must be 1";
    if (c.kick_cost_ns != 0)
        return "--kick-cost-ns models an exit with a spin; --guest kvm takes real exits: leave it at 0";
    if (c.drop_call > 0 && g.call != CallPath::irqfd)
        return "--inject drop-call needs --call irqfd (a polling guest takes no calls)";
    if (c.drop_kick > 0 && !notify) return "--inject drop-kick needs --notify flags or event-idx";
    return {};
}

GuestRunResult run_guest(const RunConfig& in, const GuestOptions& g) {
    std::string err = validate(in);
    if (err.empty()) err = validate_guest(in, g);
    if (!err.empty()) throw std::invalid_argument(err);
    KvmProbe probe = probe_kvm();
    if (!probe.usable) throw GuestUnavailable(probe.reason);
    RunConfig cfg = prepare_run(in);
    const auto& clk = ringsim::clock::info();

    // The same run's exit cost for the kick and call paths in use, like the floor.
    ExitCostResult ec;
    const bool notify = cfg.notify != ringsim::NotifyMode::poll;
    if (g.exitcost_iterations && notify) {
        ExitCostOptions o;
        o.vcpu_cpu = cfg.driver_cpu;
        o.device_cpu = cfg.device_cpu;
        o.iterations = g.exitcost_iterations;
        o.rounds = 1;
        const bool mmio = g.doorbell == Doorbell::mmio;
        o.kinds.push_back(g.kick == KickPath::exit ? (mmio ? "mmio" : "pio") : (mmio ? "ioeventfd-mmio" : "ioeventfd-pio"));
        if (g.call == CallPath::irqfd) o.kinds.push_back("irqfd-hlt-wake");
        ec = measure_exitcost(o);
    }
    const bool floor = cfg.measure_floor && cfg.driver_cpu != cfg.device_cpu;
    std::optional<double> floor_before;
    if (floor) floor_before = measure_pingpong(cfg.driver_cpu, cfg.device_cpu, 20000).median_ns;

    GuestRunResult r;
    if (cfg.layout == "split") r = x86::run_guest_split(cfg, g, clk.hz);
    else if (cfg.layout == "split-inorder") r = x86::run_guest_split_inorder(cfg, g, clk.hz);
    else if (cfg.layout == "packed") r = x86::run_guest_packed(cfg, g, clk.hz);
    else r = x86::run_guest_index(cfg, g, clk.hz);
    if (floor) {
        r.run.floor_before_ns = floor_before;
        r.run.floor_after_ns = measure_pingpong(cfg.driver_cpu, cfg.device_cpu, 20000).median_ns;
    }
    r.run.timer_name = clk.name;
    r.run.timer_core_cycles = clk.core_cycles;
    r.run.timer_resolution_ticks = clk.resolution_ticks;
    r.guest.boundary = x86::boundary_sentence();
    r.guest.kick = g.kick == KickPath::ioeventfd ? "ioeventfd" : "exit";
    r.guest.call = g.call == CallPath::irqfd ? "irqfd" : "poll";
    r.guest.doorbell = g.doorbell == Doorbell::mmio ? "mmio" : "pio";
    r.guest.exitcost = ec.kinds;
    r.guest.tsc = ec.tsc;
    return r;
}

}  // namespace ringlab::guest
