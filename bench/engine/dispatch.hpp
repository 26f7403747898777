// dispatch.hpp: from run-time names to one compile-time instantiation of the
// engine per layout x barrier.  Each layout's instantiations live in their own
// translation unit (dispatch_<layout>.cpp) so a parallel build compiles them
// side by side.
#pragma once

#include <string_view>

#include "engine/run_config.hpp"
#include "engine/run_result.hpp"

namespace ringlab::detail {

RunResult run_split(const RunConfig& cfg, double hz);
RunResult run_split_inorder(const RunConfig& cfg, double hz);
RunResult run_packed(const RunConfig& cfg, double hz);
RunResult run_packed_inorder(const RunConfig& cfg, double hz);
RunResult run_index(const RunConfig& cfg, double hz);

// Whether the layout implements a notify mode (false for an unknown layout).
bool layout_supports_notify(std::string_view layout, ringsim::NotifyMode mode);

}  // namespace ringlab::detail
