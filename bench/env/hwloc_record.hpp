// hwloc_record.hpp: hwloc's own view of the machine, recorded beside the results.
//
// ringlab reads topology from sysfs itself (bench/topo; tests/pmu_topo_env/compare_hwloc.py
// shows it agrees with hwloc on the committed fake trees).  Where hwloc's lstopo is
// installed, its XML is kept too, so a reader has packages, dies, clusters, caches and
// hybrid core kinds as hwloc sees them.
#pragma once

#include <optional>
#include <string>

namespace ringlab::env {

// `lstopo-no-graphics --of xml -` (bounded by `timeout 10`), or nullopt when lstopo or
// timeout is missing or fails.  The command run is kLstopoCommand.
inline constexpr const char* kLstopoCommand = "timeout 10 lstopo-no-graphics --of xml -";
std::optional<std::string> lstopo_xml();

}  // namespace ringlab::env
