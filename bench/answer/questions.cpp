// questions.cpp: the questions of the seed threads, each with the metric its
// thread argued about, and the per-site primitive loops for seed 000's site kinds.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "answer/question.hpp"
#include "guest/kvm_access.hpp"
#include "engine/cpu_affinity.hpp"
#include "ringsim/barriers.hpp"
#include "ringsim/clock.hpp"

namespace ringlab::answer {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Metric ns_per_buffer() {
    return {"ns_per_buffer", "ns per buffer (wall time of the window / buffers)", false,
            [](const RunResult& r) { return r.ns_per_buffer(); }};
}
Metric cpu_per_buffer() {
    // Seed 003 asks for throughput divided by the CPU time used: its inverse, CPU ns per buffer.
    return {"cpu_ns_per_buffer", "CPU ns per buffer (driver + device thread CPU time / buffers)", false,
            [](const RunResult& r) {
                return r.buffers ? double(r.driver.cpu_ns + r.device.cpu_ns) / double(r.buffers) : kNaN;
            }};
}
Metric kicks_per_buffer() {
    return {"kicks_per_buffer", "kicks per buffer (driver notifications / buffers)", true,
            [](const RunResult& r) { return r.buffers ? double(r.driver.notifications) / double(r.buffers) : kNaN; }};
}
Metric latency(double p, const char* id, const char* name) {
    return {id, name, false, [p](const RunResult& r) {
                return r.latency && r.latency->count() ? double(r.latency->percentile(p)) : kNaN;
            }};
}
// Medians, not means: submitters share one CPU here, and one preempted holder moves a
// slice's mean by milliseconds (the means and maxima go to the notes).
Metric lock_hold_p50() {
    return {"lock_hold_p50_us", "median time the submitters' lock is held per submitting acquisition, us", false,
            [](const RunResult& r) { return r.lock.hold.count ? double(r.lock.hold_hist.percentile(0.5)) / 1000 : kNaN; }};
}
Metric lock_wait_p50() {
    return {"lock_wait_p50_us", "median wait for the submitters' lock per submitting acquisition, us", false,
            [](const RunResult& r) { return r.lock.wait.count ? double(r.lock.wait_hist.percentile(0.5)) / 1000 : kNaN; }};
}
// Seed 002's own figures (lockstat's hold and wait, mean and max), for the 2-vCPU guest question.
Metric lock_us(const char* id, const char* name, bool hold, bool max) {
    return {id, name, false, [hold, max](const RunResult& r) {
                const DurationStats& d = hold ? r.lock.hold : r.lock.wait;
                if (!d.count) return kNaN;
                return (max ? double(d.max_ns) : d.mean_ns()) / 1000;
            }};
}
Metric site_ns() { return {"ns_per_site", "ns per barrier site (store or load plus the site's fence)", false, {}}; }

Side engine_side(const std::string& label, RunConfig cfg) {
    Side s;
    s.label = label;
    s.cfg = std::move(cfg);
    return s;
}

RunConfig base(std::string barrier, std::uint32_t batch = 1) {
    RunConfig c;
    c.barrier = std::move(barrier);
    c.batch = batch;
    return c;
}

// --- per-site primitive loops (seed 000: what each site kind costs alone) ---------------
struct alignas(128) Line { std::uint16_t w = 0; };
Line g_a, g_b;

enum class Site { publish, consume, notify };

template <class P, Site S>
[[gnu::noinline]] std::uint64_t site_loop(std::uint64_t n) {
    std::uint16_t v = 0;
    std::uint32_t sink = 0;
    const std::uint64_t t0 = ringsim::clock::now();
    for (std::uint64_t i = 0; i < n; ++i) {
        if constexpr (S == Site::publish) {
            P::publish_store(&g_a.w, ++v);
        } else if constexpr (S == Site::consume) {
            sink += P::consume_load(&g_a.w);
        } else {
            // A store, the fence, a load of another line: the store->load pattern the
            // notify-check exists for (with an empty store buffer a fence costs less).
            ringsim::detail::store_relaxed(&g_a.w, ++v);
            P::notify_check();
            sink += ringsim::detail::load_relaxed(&g_b.w);
        }
    }
    const std::uint64_t t1 = ringsim::clock::now_end();
    asm volatile("" ::"r"(sink));
    return t1 - t0;
}

template <class P, Site S>
Side site_side(const std::string& label) {
    Side s;
    s.label = label;
    s.micro = [](std::uint64_t units, int /*cpu*/) {
        Slice sl;
        site_loop<P, S>(units / 8 + 1);  // warm-up: a slice's first loop pays for cold lines
        const std::uint64_t cpu0 = thread_cpu_ns();
        const auto w0 = ringsim::clock::now();
        const std::uint64_t ticks = site_loop<P, S>(units);
        const auto w1 = ringsim::clock::now_end();
        const std::uint64_t cpu1 = thread_cpu_ns();
        const double hz = ringsim::clock::info().hz;
        const double ns = double(ticks) * 1e9 / hz;
        sl.per_unit_ns = ns / double(units);
        sl.values = {sl.per_unit_ns};
        const double wall_ns = double(w1 - w0) * 1e9 / hz;
        sl.spins = true;
        sl.on_cpu = wall_ns > 0 ? std::min(1.0, double(cpu1 - cpu0) / wall_ns) : 1;
        return sl;
    };
    return s;
}

template <Site S>
Question site_question(const char* id, const char* kind) {
    Question q;
    q.id = id;
    q.seed = "000";
    q.text = std::string("one ") + kind + " site alone: mandatory vs smp barrier, ns per site";
    q.a = site_side<ringsim::SmpBarrier, S>("barrier=smp");
    q.b = site_side<ringsim::MandatoryBarrier, S>("barrier=mandatory");
    q.metrics = {site_ns()};
    q.expect = Expect::same_if_same_insns;
    q.a_barrier = "smp";
    q.b_barrier = "mandatory";
    return q;
}

Question ring_question(std::string id, std::string seed, std::string text, Side a, Side b,
                       std::vector<Metric> m, Expect e = Expect::none, std::string ab = {}, std::string bb = {}) {
    Question q;
    q.id = std::move(id);
    q.seed = std::move(seed);
    q.text = std::move(text);
    q.a = std::move(a);
    q.b = std::move(b);
    q.metrics = std::move(m);
    q.expect = e;
    q.a_barrier = std::move(ab);
    q.b_barrier = std::move(bb);
    return q;
}

std::vector<Question> make_questions() {
    std::vector<Question> qs;
    qs.push_back(site_question<Site::publish>("site-publish", "publish (store->store)"));
    qs.push_back(site_question<Site::consume>("site-consume", "consume (load->load)"));
    qs.push_back(site_question<Site::notify>("site-notify", "notify-check (store->load)"));
    for (std::uint32_t batch : {1u, 32u})
        qs.push_back(ring_question("mandatory-vs-smp-b" + std::to_string(batch), "000",
                                   "mandatory vs smp barriers in the ring, batch " + std::to_string(batch),
                                   engine_side("barrier=smp", base("smp", batch)),
                                   engine_side("barrier=mandatory", base("mandatory", batch)), {ns_per_buffer()},
                                   Expect::same_if_same_insns, "smp", "mandatory"));
    for (auto& q : qs)
        if (q.id.rfind("mandatory-vs-smp-b", 0) == 0) q.b_adds_work = true;
    qs.push_back(ring_question("branch-vs-smp", "000",
                               "a run-time branch at every site (choosing smp) vs compile-time smp, batch 1",
                               engine_side("barrier=smp", base("smp")), engine_side("barrier=branch", base("branch")),
                               {ns_per_buffer()}, Expect::b_not_faster));
    qs.push_back(ring_question("ops-vs-smp", "000",
                               "an ops table of function pointers (choosing smp) vs compile-time smp, batch 1",
                               engine_side("barrier=smp", base("smp")), engine_side("barrier=ops", base("ops")),
                               {ns_per_buffer()}, Expect::b_not_faster));
    {
        // The same choice made for a remote processor: the table picks mandatory at run time.
        RunConfig ops = base("ops");
        ops.runtime_barrier = "mandatory";
        qs.push_back(ring_question("ops-vs-mandatory", "000",
                                   "an ops table choosing mandatory at run time vs compile-time mandatory, batch 1",
                                   engine_side("barrier=mandatory", base("mandatory")),
                                   engine_side("barrier=ops:mandatory", ops), {ns_per_buffer()}, Expect::b_not_faster));
    }
    qs.push_back(ring_question("virt-vs-smp", "004", "virt_* vs smp_* barriers, batch 1 (same instructions expected)",
                               engine_side("barrier=smp", base("smp")), engine_side("barrier=virt", base("virt")),
                               {ns_per_buffer()}, Expect::same_if_same_insns, "smp", "virt"));
    {
        RunConfig s = base("smp"), p = base("smp");
        p.layout = "packed";
        qs.push_back(ring_question("packed-vs-split", "001", "packed vs split ring, throughput at batch 1",
                                   engine_side("layout=split", s), engine_side("layout=packed", p),
                                   {ns_per_buffer()}));
        s.outstanding = p.outstanding = 1;
        qs.push_back(ring_question("packed-vs-split-latency", "001",
                                   "packed vs split ring, round-trip latency at --outstanding 1",
                                   engine_side("layout=split", s), engine_side("layout=packed", p),
                                   {latency(0.5, "latency_p50_ns", "round-trip latency p50, ns"),
                                    latency(0.99, "latency_p99_ns", "round-trip latency p99, ns")}));
    }
    {
        // Notifications only exist when a side may sleep: --wait sleep, batch 1.
        RunConfig f = base("smp"), e = base("smp");
        f.notify = ringsim::NotifyMode::flags;
        e.notify = ringsim::NotifyMode::event_idx;
        f.wait = e.wait = WaitMode::sleep;
        qs.push_back(ring_question("event-idx-vs-flags", "001", "event-idx vs flags suppression (--wait sleep, batch 1)",
                                   engine_side("notify=flags", f), engine_side("notify=event-idx", e),
                                   {kicks_per_buffer(), cpu_per_buffer()}));
    }
    {
        RunConfig u = base("smp"), r = base("smp");
        u.submitters = r.submitters = 2;
        u.kick_cost_ns = r.kick_cost_ns = 2000;
        // A kick happens only where the device may sleep (as the seeds preset's seed002 row):
        // under --notify poll both sides were the same run, with no kick to hold the lock for.
        u.notify = r.notify = ringsim::NotifyMode::flags;
        u.wait = r.wait = WaitMode::sleep;
        r.kick_mode = KickMode::unlocked;
        qs.push_back(ring_question("kick-unlocked", "002",
                                   "kick with the lock released vs under the lock (2 submitters, kick cost 2000 ns)",
                                   engine_side("kick=under-lock", u), engine_side("kick=unlocked", r),
                                   {lock_hold_p50(), lock_wait_p50(), ns_per_buffer()}));
    }
    {
        RunConfig rel = base("smp"), bar = base("smp");
        bar.device_access = DeviceAccess::barrier;
        qs.push_back(ring_question("device-barrier", "003",
                                   "a full barrier before every device access vs relaxed accessors, batch 1",
                                   engine_side("device-access=relaxed", rel), engine_side("device-access=barrier", bar),
                                   {cpu_per_buffer(), ns_per_buffer()}));
        qs.back().b_adds_work = true;
    }
    // Real virtio buffers (chains, indirect tables, completion order): batch 32, where the
    // ring's descriptor bookkeeping rather than one round trip per buffer sets the cost.
    for (const char* layout : {"split", "packed"})
        for (std::uint32_t n : {2u, 8u}) {
            RunConfig d = base("smp", 32), i = base("smp", 32);
            d.layout = i.layout = layout;
            d.sg = i.sg = n;
            i.indirect = IndirectMode::on;
            qs.push_back(ring_question(std::string("indirect-vs-direct-") + layout + "-sg" + std::to_string(n), "001",
                                       std::string(layout) + " ring, a chain of " + std::to_string(n) +
                                           " descriptors in an indirect table vs direct in the ring (ring capacity "
                                           "used per buffer: 1 descriptor vs " + std::to_string(n) + "), batch 32",
                                       engine_side("indirect=off", d), engine_side("indirect=on", i), {ns_per_buffer()}));
        }
    for (const char* layout : {"split", "packed"}) {
        // Both sides take the chain engine (sg 2), so only the completion order differs.
        RunConfig o = base("smp", 32), r = base("smp", 32);
        o.layout = r.layout = layout;
        o.sg = r.sg = 2;
        r.completion = Completion::random;
        qs.push_back(ring_question(std::string("random-vs-inorder-") + layout, "001",
                                   std::string(layout) + " ring, random vs in-order completion within a device batch "
                                                         "(2-descriptor chains, batch 32)",
                                   engine_side("completion=in-order", o), engine_side("completion=random", r),
                                   {ns_per_buffer()}));
    }
    for (std::uint32_t batch : {1u, 32u}) {
        RunConfig p = base("smp", batch), q = base("smp", batch);
        p.layout = "packed";
        q.layout = "packed-inorder";
        qs.push_back(ring_question("packed-inorder-vs-packed-b" + std::to_string(batch), "001",
                                   "packed ring with VIRTIO_F_IN_ORDER (one used descriptor per device batch) vs "
                                   "packed, batch " + std::to_string(batch),
                                   engine_side("layout=packed", p), engine_side("layout=packed-inorder", q),
                                   {ns_per_buffer()}));
    }
    // --- The VM boundary (issue 14): the driver in a KVM guest (RunConfig::host = kvm; the
    // slices run through guest::run_configuration, one VM per slice, set up outside the
    // timed window; exitcost_iterations 0: no same-run exit cost per slice).  Listed only
    // where KVM is usable (ringlab env says why not), so that `answer` runs everywhere.
    if (guest::probe_kvm().usable) {
        auto guest = [](RunConfig c) {
            c.host = HostKind::kvm;
            c.exitcost_iterations = 0;
            c.notify = ringsim::NotifyMode::flags;
            c.wait = WaitMode::sleep;  // a sleeping device: every kick it asked for is taken
            return c;
        };
        RunConfig io = guest(base("smp")), ex = guest(base("smp"));
        ex.kick_path = KickPath::exit;
        qs.push_back(ring_question("guest-kick-exit-vs-ioeventfd", "002",
                                   "the real kick: an exit to user space per kick (QEMU without ioeventfd) vs "
                                   "KVM_IOEVENTFD, driver in a KVM guest (--notify flags --wait sleep, batch 1)",
                                   engine_side("kick=ioeventfd", io), engine_side("kick=exit", ex),
                                   {ns_per_buffer(), kicks_per_buffer()}));
        RunConfig poll = guest(base("smp")), irq = guest(base("smp"));
        irq.call_path = CallPath::irqfd;
        qs.push_back(ring_question("guest-call-irqfd-vs-poll", "003",
                                   "the call path: the guest halts and takes a KVM_IRQFD interrupt vs polls "
                                   "(--notify flags --wait sleep, batch 1)",
                                   engine_side("call=poll", poll), engine_side("call=irqfd", irq),
                                   {ns_per_buffer(), cpu_per_buffer()}));
        // Seed 004: in a UP guest smp_mb() is a compiler barrier, virt_mb() stays a fence.
        // Spinning device (it never sleeps, so no wake-up can be lost): the cost of the
        // driver's notify-check alone, at every publish (event-idx, batch 1).
        RunConfig virt = guest(base("virt")), up = guest(base("smp"));
        virt.wait = up.wait = WaitMode::spin;
        virt.notify = up.notify = ringsim::NotifyMode::event_idx;
        virt.guest_barriers = up.guest_barriers = GuestBarriers::up;
        qs.push_back(ring_question("guest-up-smp-vs-virt", "004",
                                   "a UP guest (--guest-barriers up): smp, whose smp_mb is then a compiler barrier "
                                   "(unsafe), vs virt (keeps its fence); event-idx, spinning device, batch 1",
                                   engine_side("barrier=virt", virt), engine_side("barrier=smp", up),
                                   {ns_per_buffer()}));
        // Seed 002 inside the guest: two vCPUs, each a submitter, share the ring under the
        // submit lock (in guest memory); the kick, a real KVM_IOEVENTFD exit, inside the
        // lock or after it is released.  Both vCPU threads share the driver CPU (as the
        // threads engine's submitters do), so the lock is contended when the host preempts
        // a vCPU that holds it, the lock-holder preemption an exit under the lock invites.
        RunConfig held = guest(base("smp")), released = guest(base("smp"));
        held.vcpus = held.submitters = released.vcpus = released.submitters = 2;
        released.kick_mode = KickMode::unlocked;
        qs.push_back(ring_question("guest-kick-unlocked", "002",
                                   "kick with the lock released vs under the lock, 2 vCPUs of a KVM guest sharing "
                                   "one ring (KVM_IOEVENTFD kicks, --notify flags --wait sleep, batch 1)",
                                   engine_side("kick=under-lock", held), engine_side("kick=unlocked", released),
                                   {lock_us("lock_hold_mean_us", "mean time the lock is held per submitting "
                                            "acquisition, us", true, false),
                                    lock_us("lock_wait_mean_us", "mean wait for the lock per submitting acquisition, us",
                                            false, false),
                                    lock_us("lock_hold_max_us", "longest hold of the lock in a slice, us", true, true),
                                    lock_us("lock_wait_max_us", "longest wait for the lock in a slice, us", false, true),
                                    ns_per_buffer()}));
        // The spin model against the real boundary: threads with --kick-cost-ns 2000 (the
        // value the seed 002 question uses) vs the guest's ioeventfd kicks.
        RunConfig model = base("smp"), real = guest(base("smp"));
        model.notify = ringsim::NotifyMode::flags;
        model.wait = WaitMode::sleep;
        model.kick_cost_ns = 2000;
        qs.push_back(ring_question("guest-exit-vs-kick-cost-model", "002",
                                   "the spin model (threads, --kick-cost-ns 2000) vs a real KVM_IOEVENTFD kick from "
                                   "a guest (--notify flags --wait sleep, batch 1)",
                                   engine_side("host=thread,kick-cost-ns=2000", model), engine_side("host=kvm", real),
                                   {ns_per_buffer(), kicks_per_buffer()}));
    }
    return qs;
}

}  // namespace

const std::vector<Question>& all_questions() {
    static const std::vector<Question> qs = make_questions();
    return qs;
}

const Question* find_question(const std::string& id) {
    for (const auto& q : all_questions())
        if (q.id == id) return &q;
    return nullptr;
}

Question calibration_question(double pct, std::uint64_t extra_ns, const std::string& id, bool ring_site) {
    // --outstanding 1: one buffer in flight, the configuration whose noise is the largest
    // of the questions' (every buffer is a full round trip).
    RunConfig a = base("smp"), b = base("smp");
    a.outstanding = b.outstanding = 1;
    if (ring_site) b.device_extra_ns = extra_ns;
    Side sa = engine_side("planted=0", a);
    Side sb = engine_side("planted=" + std::to_string(extra_ns) + "ns", b);
    if (!ring_site) {
        sb.serial_plant_pct = sa.serial_plant_pct = pct;
        sa.serial_plant_counts = false;  // the same spin after A's window, not counted (question.hpp)
    }
    const std::string what = extra_ns ? std::string(ring_site ? "planted device delay in the ring of "
                                                              : "planted serial delay of about ") +
                                            std::to_string(extra_ns) + " ns per buffer"
                                      : "A/A: both sides identical";
    return ring_question(id, "-", what, std::move(sa), std::move(sb), {ns_per_buffer()});
}

}  // namespace ringlab::answer
