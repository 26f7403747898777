#include "cli/guest_options.hpp"

#include <cstdio>

namespace ringlab::cli {

// --guest, --kick, --call, --doorbell and --exitcost-iterations are rows of the
// configuration table (config/axes.cpp): run_config_from() has parsed and checked them.
void guest_options_into(const Args& a, RunConfig& cfg) {
    if (cfg.host == HostKind::thread && a.has("exitcost-iterations"))
        throw UsageError("--exitcost-iterations applies to --guest kvm only");
}

nlohmann::json guest_facts_json(const guest::GuestFacts& f) {
    nlohmann::json j;
    j["boundary"] = f.boundary;
    j["kick"] = f.kick;
    j["call"] = f.call;
    j["doorbell"] = f.doorbell;
    j["exits_to_user_space"] = {{"io", f.exits_io}, {"mmio", f.exits_mmio}, {"signal", f.exits_intr}};
    j["results_page"] = {{"doorbells", f.doorbells}, {"call_interrupts", f.irqs}, {"hlt", f.halts},
                         {"hlt_skipped", f.halts_skipped}, {"kicks_dropped", f.kicks_dropped}};
    auto& ec = j["exitcost"] = nlohmann::json::array();
    for (const auto& k : f.exitcost)
        ec.push_back({{"kind", k.kind}, {"samples", k.samples}, {"p50_ns", k.p50_ns}, {"p99_ns", k.p99_ns},
                      {"min_ns", k.min_ns}});
    // One results area per vCPU: where it ran, what it rang, its share of the lock.
    auto& vs = j["vcpus"] = nlohmann::json::array();
    for (const auto& v : f.vcpus)
        vs.push_back({{"index", v.index},
                      {"cpu", v.cpu},
                      {"apic_id", v.apic_id},
                      {"takes_calls", v.takes_calls},
                      {"doorbells", v.doorbells},
                      {"kicks", v.kicks},
                      {"exits_to_user_space", {{"io", v.exits_io}, {"mmio", v.exits_mmio}}},
                      {"lock_yields", v.yields},
                      {"lock", {{"acquisitions", v.lock_acquisitions},
                                {"contentions", v.lock_contentions},
                                {"hold_mean_ns", v.lock_hold_mean_ns},
                                {"hold_max_ns", v.lock_hold_max_ns},
                                {"wait_mean_ns", v.lock_wait_mean_ns},
                                {"wait_max_ns", v.lock_wait_max_ns}}}});
    if (!f.exitcost.empty())
        j["tsc"] = {{"offset_start_ns", f.tsc.offset_start_ns}, {"offset_end_ns", f.tsc.offset_end_ns},
                    {"uncertainty_ns", f.tsc.uncertainty_ns}, {"same_rate", f.tsc.same_rate}};
    return j;
}

void print_guest_summary(std::FILE* out, const guest::GuestRunResult& r) {
    const auto& f = r.guest;
    std::fprintf(out, "  guest: %s\n", f.boundary.c_str());
    std::fprintf(out, "  guest: kick %s (%s doorbell), call %s; exits to user space: %llu I/O, %llu MMIO, %llu signal\n",
                 f.kick.c_str(), f.doorbell.c_str(), f.call.c_str(), (unsigned long long)f.exits_io,
                 (unsigned long long)f.exits_mmio, (unsigned long long)f.exits_intr);
    std::fprintf(out, "  guest: results page: %llu doorbells, %llu call interrupts, %llu hlt (%llu skipped), %llu kicks dropped\n",
                 (unsigned long long)f.doorbells, (unsigned long long)f.irqs, (unsigned long long)f.halts,
                 (unsigned long long)f.halts_skipped, (unsigned long long)f.kicks_dropped);
    if (f.vcpus.size() > 1)
        for (const auto& v : f.vcpus)
            std::fprintf(out,
                         "  guest: vCPU %d (APIC %d, CPU %d%s): %llu doorbells, %llu lock acquisitions (%llu contended, "
                         "%llu yields), hold mean %.2f us max %.2f us, wait mean %.2f us max %.2f us\n",
                         v.index, v.apic_id, v.cpu, v.takes_calls ? ", takes the calls" : "",
                         (unsigned long long)v.doorbells, (unsigned long long)v.lock_acquisitions,
                         (unsigned long long)v.lock_contentions, (unsigned long long)v.yields,
                         v.lock_hold_mean_ns / 1000, v.lock_hold_max_ns / 1000, v.lock_wait_mean_ns / 1000,
                         v.lock_wait_max_ns / 1000);
    for (const auto& k : f.exitcost)
        std::fprintf(out, "  guest: exit cost %-16s p50 %.0f ns, p99 %.0f ns (%llu samples, this run)\n", k.kind.c_str(),
                     k.p50_ns, k.p99_ns, (unsigned long long)k.samples);
    if (r.run.buffers) {
        const double kicks = double(r.run.driver.notifications) / double(r.run.buffers);
        const double calls = double(r.run.device.notifications) / double(r.run.buffers);
        std::fprintf(out, "  guest: %.4f kicks and %.4f calls per buffer\n", kicks, calls);
    }
}

}  // namespace ringlab::cli
