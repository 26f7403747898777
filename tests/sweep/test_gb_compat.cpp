// The Google Benchmark shim (bench/sweep/gb_compat.hpp): both shapes of Run compile
// and read right on any installed version, and the installed GB's real Run reports a
// SkipWithError through it.
#include <benchmark/benchmark.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sweep/gb_compat.hpp"

namespace {

using ringlab::sweep::gb::run_skip_message;
using ringlab::sweep::gb::run_skipped;
using ringlab::sweep::gb::skip_repetition;

struct RunBefore18 {  // GB <= 1.7
    bool error_occurred = false;
    std::string error_message;
};
struct RunFrom18 {  // GB >= 1.8
    enum Skipped { NotSkipped = 0, SkippedWithMessage, SkippedWithError };
    Skipped skipped = NotSkipped;
    std::string skip_message;
};

TEST(GbCompat, OldShape) {
    RunBefore18 r;
    EXPECT_FALSE(run_skipped(r));
    r.error_occurred = true;
    r.error_message = "engine failed: x";
    EXPECT_TRUE(run_skipped(r));
    EXPECT_EQ(run_skip_message(r), "engine failed: x");
}

TEST(GbCompat, NewShape) {
    RunFrom18 r;
    EXPECT_FALSE(run_skipped(r));
    r.skipped = RunFrom18::SkippedWithError;
    r.skip_message = "interrupted";
    EXPECT_TRUE(run_skipped(r));
    EXPECT_EQ(run_skip_message(r), "interrupted");
    r.skipped = RunFrom18::SkippedWithMessage;
    EXPECT_TRUE(run_skipped(r));
}

class Capture : public benchmark::BenchmarkReporter {
public:
    bool ReportContext(const Context&) override { return true; }
    void ReportRuns(const std::vector<Run>& runs) override { runs_.insert(runs_.end(), runs.begin(), runs.end()); }
    std::vector<Run> runs_;
};

// The installed library's own Run, filled by its own runner.
TEST(GbCompat, InstalledLibrarySkipWithError) {
    int argc = 1;
    char name[] = "test_gb_compat";
    char* argv[] = {name, nullptr};
    benchmark::Initialize(&argc, argv);
    benchmark::RegisterBenchmark("gbcompat_skips", [](benchmark::State& st) {
        st.SkipWithError("configuration rejected by the engine: test");
        for (auto _ : st) {}
    })->Iterations(1);
    benchmark::RegisterBenchmark("gbcompat_runs", [](benchmark::State& st) {
        for (auto _ : st) benchmark::DoNotOptimize(st.iterations());
    })->Iterations(1);
    Capture rep;
    benchmark::RunSpecifiedBenchmarks(&rep);
    benchmark::ClearRegisteredBenchmarks();
    ASSERT_EQ(rep.runs_.size(), 2u);
    for (const auto& r : rep.runs_) {
        if (r.run_name.function_name == "gbcompat_skips") {
            EXPECT_TRUE(run_skipped(r));
            EXPECT_EQ(run_skip_message(r), "configuration rejected by the engine: test");
        } else {
            EXPECT_EQ(r.run_name.function_name, "gbcompat_runs");
            EXPECT_FALSE(run_skipped(r));
            EXPECT_EQ(run_skip_message(r), "");
        }
    }
}

}  // namespace

// One repetition of three fails (a run stopped short on a loaded machine): GB must still
// aggregate the other two instead of aborting the process in its statistics.
TEST(GbCompat, OneFailedRepetitionDoesNotAbortTheAggregates) {
    int calls = 0;
    benchmark::RegisterBenchmark("gbcompat_reps", [&calls](benchmark::State& st) {
        if (++calls == 2) {
            skip_repetition(st, "run stopped after 3 of 5 buffers");
            return;
        }
        while (st.KeepRunningBatch(st.max_iterations)) st.SetIterationTime(1e-6);
    })->Iterations(5)->Repetitions(3)->UseManualTime();
    Capture rep;
    benchmark::RunSpecifiedBenchmarks(&rep);
    benchmark::ClearRegisteredBenchmarks();
    int measured = 0, skipped = 0, aggregates = 0;
    for (const auto& r : rep.runs_) {
        if (r.run_type == benchmark::BenchmarkReporter::Run::RT_Aggregate) ++aggregates;
        else if (run_skipped(r)) {
            ++skipped;
            EXPECT_EQ(run_skip_message(r), "run stopped after 3 of 5 buffers");
            EXPECT_EQ(r.iterations, 5);  // what keeps GB's statistics from aborting
        } else {
            ++measured;
        }
    }
    EXPECT_EQ(measured, 2);
    EXPECT_EQ(skipped, 1);
    EXPECT_GE(aggregates, 3);  // mean, median, stddev (cv too on 1.8+)
}
