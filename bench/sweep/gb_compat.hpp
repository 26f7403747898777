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

// The message given to SkipWithError (empty when the run was not skipped).
template <class Run>
const std::string& run_skip_message(const Run& run) {
    if constexpr (requires { run.error_message; }) return run.error_message;
    else return run.skip_message;
}

}  // namespace ringlab::sweep::gb
