#include "sweep/output_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace ringlab::results {

namespace {

const char* kind_of(mode_t m) {
    if (S_ISDIR(m)) return "a directory";
    if (S_ISLNK(m)) return "a symbolic link";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISSOCK(m)) return "a socket";
    return "not a regular file";
}

}  // namespace

std::string output_path_problem(const std::string& path) {
    namespace fs = std::filesystem;
    if (path.empty()) return "is empty; give a file name";
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISREG(st.st_mode))
            return std::string("is ") + kind_of(st.st_mode) +
                   "; ringlab writes only to a new path or an existing regular file (it would be replaced)";
    } else if (errno != ENOENT) {
        return std::string("cannot be inspected: ") + std::strerror(errno);
    }
    fs::path p(path);
    fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return ": directory " + dir.string() + " does not exist";
    if (::access(dir.c_str(), W_OK) != 0) return ": directory " + dir.string() + " is not writable";
    return "";
}

std::string output_dir_problem(const std::string& dir) {
    namespace fs = std::filesystem;
    if (dir.empty()) return "is empty; give a directory";
    std::error_code ec;
    if (fs::exists(dir, ec)) {
        if (!fs::is_directory(dir, ec)) return "exists and is not a directory";
        if (::access(dir.c_str(), W_OK) != 0) return "is not writable";
        return "";
    }
    // A new directory: the nearest existing ancestor must be a writable directory.
    fs::path p = fs::absolute(fs::path(dir), ec).parent_path();
    while (!p.empty() && !fs::exists(p, ec) && p != p.root_path()) p = p.parent_path();
    if (!fs::is_directory(p, ec)) return "cannot be created: " + p.string() + " is not a directory";
    if (::access(p.c_str(), W_OK) != 0) return "cannot be created: " + p.string() + " is not writable";
    return "";
}

}  // namespace ringlab::results
