// gb_compat.hpp: the one place where Google Benchmark versions differ for ringlab.
//
// GB 1.8.0 replaced Run::error_occurred / Run::error_message with Run::skipped (an
// enum: NotSkipped = 0, SkippedWithMessage, SkippedWithError) and Run::skip_message.
// Debian 12 ships 1.7.1, Debian 13 1.9.1.  The member is detected on the type itself
// (a requires-expression), so no version number or distribution is named anywhere.
//
// ringlab only ever calls State::SkipWithError, so on every version a skipped run is
// one without a measurement; the results file records it as GB's own JSON does,
// `error_occurred: true` with `error_message`.
#pragma once

#include <string>
#include <type_traits>

namespace ringlab::sweep::gb {

// True when GB skipped this run (SkipWithError, or SkipWithMessage on 1.8+).
template <class Run>
bool run_skipped(const Run& run) {
    if constexpr (requires { run.error_occurred; }) {
        return static_cast<bool>(run.error_occurred);
    } else {
        using Skipped = std::remove_cvref_t<decltype(run.skipped)>;
        return run.skipped != Skipped{};  // value 0 is NotSkipped
    }
}

// Skip one repetition of a configuration whose other repetitions measure.  GB aggregates
// repetitions (mean, median...) only if every one reports the same iteration count, the
// skipped ones included: its statistics.cc CHECKs that and aborts the whole process (seen:
// a quick sweep on a loaded machine died when one repetition stopped short).  A repetition
// skipped before its loop started reports 0 iterations; one that entered the loop reports
// max_iterations like the others.  So enter the loop once, record no time, then skip.
template <class State>
void skip_repetition(State& state, const std::string& why) {
    if (state.KeepRunningBatch(state.max_iterations)) {
        state.SkipWithError(why.c_str());
        while (state.KeepRunningBatch(state.max_iterations)) {}  // ends the loop as GB expects
    } else {
        state.SkipWithError(why.c_str());
    }
}

// The message given to SkipWithError (empty when the run was not skipped).
template <class Run>
const std::string& run_skip_message(const Run& run) {
    if constexpr (requires { run.error_message; }) return run.error_message;
    else return run.skip_message;
}

}  // namespace ringlab::sweep::gb
