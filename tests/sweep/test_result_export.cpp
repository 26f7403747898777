// RunResult -> results contract, on RunResults built here (no engine run needed).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include <unistd.h>

#include "results/entry.hpp"
#include "results/context.hpp"

using namespace ringlab;
using nlohmann::json;

namespace {

RunResult sample(std::uint64_t buffers = 1000) {
    RunResult r;
    r.config.layout = "packed";
    r.config.driver_cpu = 0;
    r.config.device_cpu = 1;
    r.buffers = buffers;
    r.seconds = 1e-4;
    r.ticks = 260000;
    r.timer_name = "rdtsc";
    r.timer_hz = 2.6e9;
    r.driver.cpu_ns = 100000;
    r.device.cpu_ns = 90000;
    r.driver.notifications = 10;
    r.device.notifications = 20;
    r.floor_before_ns = 48.0;
    r.floor_after_ns = 52.0;
    return r;
}

}  // namespace

TEST(ResultExport, PerBufferCountersAndNullReasons) {
    auto r = sample();
    results::Nulls nulls;
    results::EntryExtras x{"auto", "same-l3", nullptr};
    auto c = results::export_counters(r, x, nulls);
    EXPECT_DOUBLE_EQ(c["ns_per_buffer"].get<double>(), 100.0);
    EXPECT_DOUBLE_EQ(c["cycles_per_buffer"].get<double>(), 260.0);
    EXPECT_DOUBLE_EQ(c["kicks_per_buffer"].get<double>(), 0.01);
    EXPECT_DOUBLE_EQ(c["calls_per_buffer"].get<double>(), 0.02);
    EXPECT_DOUBLE_EQ(c["cpu_ns_per_buffer"].get<double>(), 190.0);
    EXPECT_DOUBLE_EQ(c["floor_rtt_ns"].get<double>(), 50.0);
    EXPECT_DOUBLE_EQ(c["efficiency"].get<double>(), 0.5);
    // No latency histogram: null, each with a reason.
    for (const char* k : {"latency_p50_ns", "latency_p99_ns", "latency_p999_ns", "latency_max_ns"}) {
        EXPECT_TRUE(c[k].is_null()) << k;
        EXPECT_TRUE(nulls.json().contains(k)) << k;
    }
    EXPECT_FALSE(c.contains("lock_hold_mean_ns"));  // one submitter: no lock figures
}

TEST(ResultExport, ZeroBuffersGivesNullsNotNaN) {
    auto r = sample(0);
    r.seconds = 0;
    results::Nulls nulls;
    results::EntryExtras x;
    auto c = results::export_counters(r, x, nulls);
    auto e = results::export_entry_ringlab(r, x, nulls);
    for (const auto& [k, v] : c.items()) {
        if (v.is_number_float()) {
            EXPECT_TRUE(std::isfinite(v.get<double>())) << k;
        }
        if (v.is_null()) {
            EXPECT_TRUE(e["nulls"].contains(k)) << k << " is null without a reason";
        }
    }
    EXPECT_TRUE(c["ns_per_buffer"].is_null());
    EXPECT_TRUE(c["buffers_per_second"].is_null());
    EXPECT_TRUE(e["relation"].is_null());
    EXPECT_TRUE(e["nulls"].contains("relation"));
}

TEST(ResultExport, NonFiniteValuesBecomeNullWithAReason) {
    results::Nulls n;
    EXPECT_TRUE(n.number("x", std::numeric_limits<double>::quiet_NaN(), "why").is_null());
    EXPECT_TRUE(n.number("y", std::numeric_limits<double>::infinity(), "why").is_null());
    EXPECT_EQ(n.number("z", 2.5, "why").get<double>(), 2.5);
    EXPECT_TRUE(n.json().contains("x") && n.json().contains("y") && !n.json().contains("z"));
    json j = {{"a", std::numeric_limits<double>::quiet_NaN()}, {"b", {1.0, std::numeric_limits<double>::infinity()}}};
    EXPECT_EQ(results::scrub_non_finite(j), 2u);
    EXPECT_TRUE(j["a"].is_null() && j["b"][1].is_null());
}

TEST(ResultExport, PmuReadingsBecomeFlatCountersOnlyWhenCounted) {
    auto r = sample();
    results::PmuReadings pmu;
    pmu.driver.hardware.push_back({"branch-misses", "perf::BRANCH-MISSES", 500.0, 10, 10, false, false, ""});
    pmu.driver.hardware.push_back({"cycles", "perf::CYCLES", std::nullopt, 0, 0, false, false, "no hardware PMU"});
    pmu.driver.software = results::SoftwareReading{1000.0, 2.0, 0.0, 0.0, ""};
    results::Nulls nulls;
    results::EntryExtras x{"auto", "smt", &pmu};
    auto c = results::export_counters(r, x, nulls);
    auto e = results::export_entry_ringlab(r, x, nulls);
    EXPECT_DOUBLE_EQ(c["pmu_driver_branch_misses_per_buffer"].get<double>(), 0.5);
    EXPECT_FALSE(c.contains("pmu_driver_cycles_per_buffer"));
    ASSERT_EQ(e["pmu"]["driver"].size(), 2u);
    EXPECT_TRUE(e["pmu"]["driver"][1]["value"].is_null());
    EXPECT_EQ(e["pmu"]["driver"][1]["reason"], "no hardware PMU");
    EXPECT_EQ(e["nulls"]["pmu.driver.cycles"], "no hardware PMU");
    EXPECT_EQ(e["software"]["driver"]["context_switches"].get<double>(), 2.0);
    EXPECT_TRUE(e["software"]["device"].is_null());  // the device role had no readings
}

TEST(ResultExport, LatencyHistogramPercentilesAndJson) {
    auto r = sample();
    Histogram h;
    for (std::uint64_t v = 1; v <= 1000; ++v) h.record(v);
    r.latency = h;
    results::Nulls nulls;
    results::EntryExtras x;
    auto c = results::export_counters(r, x, nulls);
    EXPECT_NEAR(c["latency_p50_ns"].get<double>(), 500, 8);
    EXPECT_NEAR(c["latency_p99_ns"].get<double>(), 990, 10);
    EXPECT_EQ(c["latency_max_ns"].get<double>(), 1000);
    auto j = results::histogram_to_json(h);
    EXPECT_EQ(j["count"], 1000u);
    std::uint64_t total = 0;
    for (const auto& b : j["buckets"]) {
        EXPECT_LE(b[0].get<std::uint64_t>(), b[1].get<std::uint64_t>());
        total += b[2].get<std::uint64_t>();
    }
    EXPECT_EQ(total, 1000u);
    EXPECT_TRUE(results::histogram_to_json(Histogram{})["p50"].is_null());
}

TEST(ResultExport, SingleEntryIsGoogleBenchmarkShaped) {
    auto r = sample();
    results::EntryExtras x{"same-l3", "same-l3", nullptr};
    auto e = results::single_entry(r, x);
    EXPECT_EQ(e["name"], "ring/layout:packed/barrier:smp/notify:poll/batch:1/ring:256/placement:same-l3");
    EXPECT_EQ(e["run_name"], e["name"]);
    EXPECT_EQ(e["run_type"], "iteration");
    EXPECT_EQ(e["time_unit"], "ns");
    EXPECT_DOUBLE_EQ(e["real_time"].get<double>(), 100.0);
    EXPECT_DOUBLE_EQ(e["cpu_time"].get<double>(), 190.0);
    EXPECT_EQ(e["iterations"], 1000u);
    EXPECT_EQ(e["ringlab"]["relation"], "same-l3");
    EXPECT_EQ(e["ringlab"]["cpus"], json({0, 1}));
}

TEST(ResultExport, AtomicWriteReplacesWholeFileAndLeavesNoTemporary) {
    namespace fs = std::filesystem;
    auto dir = fs::temp_directory_path() / ("ringlab-export-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    auto path = (dir / "x.json").string();
    results::write_json_atomically(path, json{{"a", 1}});
    results::write_json_atomically(path, json{{"b", 2}});
    std::ifstream f(path);
    auto j = json::parse(f);
    EXPECT_EQ(j, json({{"b", 2}}));
    std::size_t files = 0;
    for (auto& p : fs::directory_iterator(dir)) (void)p, ++files;
    EXPECT_EQ(files, 1u);
    EXPECT_THROW(results::write_json_atomically((dir / "no/such/dir/x.json").string(), json{}), std::runtime_error);
    fs::remove_all(dir);
}
