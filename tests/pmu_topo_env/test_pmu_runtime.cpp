// PMU capture on this machine: the probe, per-thread groups, readings and JSON.
// Hardware counters may or may not exist where this runs (a VM without a virtual
// PMU has none); each test asserts the branch the probe reports, never skips.
#include <gtest/gtest.h>

#include <cerrno>
#include <set>
#include <thread>

#include "pmu/counters.hpp"
#include "pmu/events.hpp"
#include "pmu/perf_group.hpp"
#include "pmu/pmu_json.hpp"
#include "pmu/probe.hpp"
#include "results/entry.hpp"
#include "results/pmu_section.hpp"

using namespace ringlab;
using namespace ringlab::pmu;

namespace {
void busy(std::uint64_t n = 20'000'000) {
    volatile std::uint64_t x = 0;
    for (std::uint64_t i = 0; i < n; ++i) x = x + i;
}

// Runs one counted busy window in a fresh thread, as the engine's role threads do.
std::unique_ptr<RoleCounters> counted_window(CounterFactory& f, Role role) {
    std::unique_ptr<RoleCounters> c;
    std::thread t([&] {
        c = f.open_for_this_thread(role);
        c->start();
        busy();
        c->stop();
    });
    t.join();
    return c;
}

// perf_event_open itself missing (ENOSYS): qemu-user does not emulate it.
bool no_perf_syscall() {
    PerfGroup g;
    g.open({base_attr(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK)});
    return !g.any_open() && g.members()[0].open_errno == ENOSYS;
}

const HardwareReading* reading(const PmuRoleCounters& c, const std::string& alias) {
    for (const auto& r : c.hardware())
        if (r.alias == alias) return &r;
    return nullptr;
}
}  // namespace

TEST(EventList, ParsesNamesAndAliases) {
    auto v = parse_event_list("perf::CYCLES, c2c=MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM,INST_RETIRED:u=1");
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[0].alias, "perf..cycles");
    EXPECT_EQ(v[0].name, "perf::CYCLES");
    EXPECT_EQ(v[1].alias, "c2c");
    EXPECT_EQ(v[1].name, "MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM");
    EXPECT_EQ(v[2].name, "INST_RETIRED:u=1");  // '=' after ':' is a libpfm4 modifier, not an alias
    EXPECT_THROW(parse_event_list("a,,b"), std::invalid_argument);
    EXPECT_THROW(parse_event_list("=X"), std::invalid_argument);
}

TEST(DefaultSet, EveryAliasPresentAndExplained) {
    DefaultSet s = default_set();
    EXPECT_FALSE(s.note.empty());
    std::set<std::string> aliases;
    for (const auto& e : s.events) {
        aliases.insert(e.alias);
        if (e.name.empty()) {
            EXPECT_FALSE(e.note.empty()) << e.alias << " has no event and no note";
        }
    }
    for (const char* a : {"cycles", "instructions", "branch-misses", "l1d-misses", "llc-misses", "c2c"})
        EXPECT_TRUE(aliases.count(a)) << a;
}

TEST(Errors, ExplainNamesTheCause) {
    EXPECT_NE(explain_open_errno(EACCES, true).find("perf_event_paranoid"), std::string::npos);
    EXPECT_NE(explain_open_errno(EPERM, true).find("CAP_PERFMON"), std::string::npos);
    EXPECT_NE(explain_open_errno(ENOENT, true).find("no hardware PMU"), std::string::npos);
    EXPECT_NE(explain_open_errno(EOPNOTSUPP, true).find("EOPNOTSUPP"), std::string::npos);
    EXPECT_NE(explain_open_errno(EINVAL, true).find("constraint"), std::string::npos);
}

TEST(Probe, UnknownEventKeepsLibpfmError) {
    Capability cap = probe({{"bogus", "RINGLAB_NO_SUCH_EVENT", "", 0}});
    ASSERT_EQ(cap.events.size(), 1u);
    EXPECT_FALSE(cap.events[0].available);
    EXPECT_NE(cap.events[0].reason.find("unknown event 'RINGLAB_NO_SUCH_EVENT': libpfm4:"), std::string::npos)
        << cap.events[0].reason;
    EXPECT_FALSE(cap.events[0].encoding);
}

TEST(Counters, SoftwareCountsAndHardwareMatchesTheProbe) {
    Capability cap = probe();
    ASSERT_FALSE(cap.events.empty());
    PmuCounterFactory factory(cap);
    auto c = counted_window(factory, Role::driver);
    const PmuRoleCounters* p = as_pmu(c.get());
    ASSERT_NE(p, nullptr);
    ASSERT_TRUE(p->stopped());

    const SoftwareReading& sw = p->software();
    if (no_perf_syscall()) {
        // qemu-user (the cross-architecture test runs): nothing can count, and every
        // reading says so instead of vanishing.
        EXPECT_NE(sw.reason.find("ENOSYS"), std::string::npos) << sw.reason;
        EXPECT_FALSE(sw.task_clock_ns.has_value());
        EXPECT_FALSE(cap.hardware_available);
        for (const auto& r : p->hardware()) {
            EXPECT_FALSE(r.value.has_value());
            EXPECT_FALSE(r.reason.empty());
        }
        return;
    }
    // Software counters work everywhere else, VMs included.
    EXPECT_TRUE(sw.reason.empty()) << sw.reason;
    ASSERT_TRUE(sw.task_clock_ns.has_value());
    EXPECT_GT(*sw.task_clock_ns, 0u);
    EXPECT_TRUE(sw.context_switches.has_value());
    EXPECT_TRUE(sw.cpu_migrations.has_value());
    EXPECT_TRUE(sw.page_faults.has_value());

    ASSERT_EQ(p->hardware().size(), cap.events.size());  // nothing dropped
    for (const auto& r : p->hardware())
        EXPECT_TRUE(r.value.has_value() != !r.reason.empty()) << r.alias << ": a value xor a reason";

    const HardwareReading* cycles = reading(*p, "cycles");
    ASSERT_NE(cycles, nullptr);
    if (cap.hardware_available) {
        // A PMU counts here: cycles and instructions of a busy loop are non-zero.
        ASSERT_TRUE(cycles->value.has_value()) << cycles->reason;
        EXPECT_GT(*cycles->value, 0.0);
        EXPECT_GT(cycles->running_ns, 0u);
        const HardwareReading* ins = reading(*p, "instructions");
        ASSERT_NE(ins, nullptr);
        ASSERT_TRUE(ins->value.has_value()) << ins->reason;
        EXPECT_GT(*ins->value, 1e6);  // the loop retires tens of millions
        std::cout << "hardware PMU present (" << cap.pmu << "): cycles=" << *cycles->value
                  << " instructions=" << *ins->value << "\n";
    } else {
        // No PMU (or not permitted): cycles is recorded, null, with the probe's reason.
        EXPECT_FALSE(cycles->value.has_value());
        EXPECT_FALSE(cap.reason.empty());
        const bool named = cycles->reason.find("PMU") != std::string::npos ||
                           cycles->reason.find("perf_event_paranoid") != std::string::npos ||
                           cycles->reason.find("counter") != std::string::npos;
        EXPECT_TRUE(named) << cycles->reason;
        std::cout << "no hardware counters: " << cap.reason << "\n";
    }
}

// stop() ends the count; the readings, taken later, hold the window only.  The
// engine reads them after the role thread has exited, as this test does.
TEST(Counters, ReadingsCoverTheWindowOnly) {
    if (no_perf_syscall()) {
        EXPECT_FALSE(probe().hardware_available);
        return;
    }
    PmuCounterFactory factory(probe());
    std::unique_ptr<RoleCounters> c;
    std::thread t([&] {
        c = factory.open_for_this_thread(Role::device);
        busy(50'000'000);  // before the window: not counted
        c->start();
        busy(2'000'000);
        c->stop();
        busy(50'000'000);  // after the window: not counted
    });
    t.join();
    const PmuRoleCounters* p = as_pmu(c.get());
    ASSERT_NE(p, nullptr);
    const SoftwareReading& sw = p->software();
    ASSERT_TRUE(sw.task_clock_ns.has_value()) << sw.reason;
    EXPECT_GT(*sw.task_clock_ns, 0u);
    // The window is 1/25 of the work outside it: it cannot have counted either side.
    std::uint64_t outside_ns = 0;
    {
        PmuRoleCounters whole(Role::driver, Capability{}, true);
        whole.start();
        busy(50'000'000);
        whole.stop();
        ASSERT_TRUE(whole.software().task_clock_ns.has_value()) << whole.software().reason;
        outside_ns = *whole.software().task_clock_ns;
    }
    EXPECT_LT(*sw.task_clock_ns * 4, outside_ns) << "window " << *sw.task_clock_ns << " ns, 50M-loop " << outside_ns;
    for (const auto& r : p->hardware())
        if (r.alias == "instructions" && r.value) {
            EXPECT_LT(*r.value, 50e6) << "instructions outside the window were counted";
        }
}

TEST(Counters, OverfullGroupIsReportedNotDropped) {
    DefaultSet s = default_set();
    s.events.clear();
    for (int i = 0; i < 16; ++i) s.events.push_back({"cycles" + std::to_string(i), "perf::CYCLES", "", 0});
    Capability cap = probe_set(s);
    ASSERT_EQ(cap.events.size(), 16u);
    int unavailable = 0;
    for (const auto& e : cap.events)
        if (!e.available) {
            ++unavailable;
            EXPECT_FALSE(e.reason.empty());
        }
    if (cap.hardware_available) {
        // No PMU has 16 counters: the kernel refuses the group at open time (EINVAL
        // from its group validation) or never schedules it.
        EXPECT_GT(unavailable, 0);
        bool explained = false;
        for (const auto& e : cap.events)
            explained |= e.reason.find("not scheduled") != std::string::npos ||
                         e.reason.find("EINVAL") != std::string::npos || e.reason.find("ENOSPC") != std::string::npos;
        EXPECT_TRUE(explained);
    } else {
        EXPECT_EQ(unavailable, 16);
    }
}

TEST(Json, ContextAndEntryFollowTheSchema) {
    Capability cap = probe();
    auto ctx = context_json(cap);
    for (const char* k : {"hardware_available", "reason", "pmu", "events", "privilege"}) EXPECT_TRUE(ctx.contains(k)) << k;
    ASSERT_EQ(ctx["events"].size(), cap.events.size());
    for (const auto& e : ctx["events"]) {
        for (const char* k : {"alias", "name", "encoding", "available", "reason"}) EXPECT_TRUE(e.contains(k)) << k;
        if (!e["encoding"].is_null()) {
            EXPECT_EQ(e["encoding"]["config"].get<std::string>().rfind("0x", 0), 0u);
            EXPECT_FALSE(e["encoding"]["fqname"].get<std::string>().empty());
        }
        EXPECT_EQ(e["available"].get<bool>(), e["reason"].is_null());
    }
    PmuCounterFactory factory(cap);
    auto d = counted_window(factory, Role::driver);
    auto v = counted_window(factory, Role::device);
    // The entry's PMU section, through the one writer production uses (bench/results).
    results::PmuReadings readings{readings_of(d.get()), readings_of(v.get())};
    nlohmann::json e = nlohmann::json::object();
    results::Nulls nulls;
    results::write_pmu_section(e, &readings, nulls);
    const auto& pmu = e["pmu"];
    ASSERT_EQ(pmu["driver"].size(), cap.events.size());
    ASSERT_EQ(pmu["device"].size(), cap.events.size());
    for (const char* k : {"alias", "name", "value", "enabled_ns", "running_ns", "scaled", "multiplexed"})
        EXPECT_TRUE(pmu["driver"][0].contains(k)) << k;
    results::PmuReadings driver_only{readings_of(d.get()), readings_of(nullptr)};
    results::write_pmu_section(e, &driver_only, nulls);
    const auto& sw = e["software"];
    if (no_perf_syscall()) {
        EXPECT_TRUE(sw["driver"]["task_clock_ns"].is_null());
        EXPECT_NE(nulls.json()["software.driver.task_clock_ns"].get<std::string>().find("ENOSYS"), std::string::npos);
    } else {
        EXPECT_GT(sw["driver"]["task_clock_ns"].get<double>(), 0.0);
    }
    EXPECT_TRUE(sw["device"].is_null());  // no counters opened for the device: no software readings
    nlohmann::json flat = nlohmann::json::object();
    results::add_flat_pmu_counters(flat, readings, 1000);
    std::size_t counted = 0;
    for (const auto& hw : readings.driver.hardware) counted += hw.value.has_value();
    for (std::size_t i = 0; i < cap.events.size(); ++i) {
        const auto& hw = readings.device.hardware[i];
        const std::string name = results::flat_pmu_counter_name("device", hw.alias);
        if (cap.events[i].spec.alias == "branch-misses") EXPECT_EQ(name, "pmu_device_branch_misses_per_buffer");
        // Only the counters that counted become flat counters; the others keep their reason.
        EXPECT_EQ(flat.contains(name), hw.value.has_value()) << name;
        EXPECT_TRUE(hw.value.has_value() != !hw.reason.empty()) << name;
        counted += hw.value.has_value();
    }
    for (const auto& [k, v] : flat.items()) EXPECT_EQ(k.find('-'), std::string::npos) << k;
    EXPECT_EQ(flat.size(), counted);  // one flat counter per counter that counted, in both roles
}
