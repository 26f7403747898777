// hwloc_record.cpp: see hwloc_record.hpp.
#include "env/hwloc_record.hpp"

#include <cstdio>

namespace ringlab::env {

std::optional<std::string> lstopo_xml() {
    // Redirect stderr: a missing tool must not print into ringlab's own output.
    FILE* p = popen((std::string(kLstopoCommand) + " 2>/dev/null").c_str(), "r");
    if (!p) return std::nullopt;
    std::string out;
    char buf[8192];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int rc = pclose(p);
    if (rc != 0 || out.find("<topology") == std::string::npos) return std::nullopt;
    return out;
}

}  // namespace ringlab::env
