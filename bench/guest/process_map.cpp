#include "guest/process_map.hpp"

#include <fstream>
#include <sstream>

namespace ringlab::guest {

std::vector<HostRegion> parse_shareable(const std::string& text, const std::vector<HostRegion>& skip) {
    std::vector<HostRegion> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string range, perms, offset, dev, inode, path;
        ls >> range >> perms >> offset >> dev >> inode;
        std::getline(ls >> std::ws, path);
        auto dash = range.find('-');
        if (dash == std::string::npos || perms.size() < 4) continue;
        HostRegion r;
        r.start = std::stoull(range.substr(0, dash), nullptr, 16);
        r.end = std::stoull(range.substr(dash + 1), nullptr, 16);
        r.name = path;
        if (perms[0] != 'r') continue;
        if (path == "[vvar]" || path == "[vdso]" || path == "[vsyscall]" || path.rfind("[vvar", 0) == 0) continue;
        if (path.rfind("/dev/", 0) == 0 || path.rfind("anon_inode:", 0) == 0 || path.rfind("/memfd:", 0) == 0) continue;
        // Cut out the skipped ranges (each lies inside one mapping or not at all).
        std::vector<HostRegion> pieces{r};
        for (const auto& s : skip) {
            std::vector<HostRegion> next;
            for (const auto& p : pieces) {
                if (s.end <= p.start || s.start >= p.end) {
                    next.push_back(p);
                    continue;
                }
                if (p.start < s.start) next.push_back({p.start, s.start, p.name});
                if (s.end < p.end) next.push_back({s.end, p.end, p.name});
            }
            pieces = std::move(next);
        }
        for (auto& p : pieces) {
            if (!out.empty() && out.back().end == p.start) out.back().end = p.end;
            else out.push_back(p);
        }
    }
    return out;
}

std::vector<HostRegion> shareable_regions(const std::vector<HostRegion>& skip) {
    std::ifstream f("/proc/self/maps");
    std::stringstream ss;
    ss << f.rdbuf();
    return parse_shareable(ss.str(), skip);
}

}  // namespace ringlab::guest
