// atomic_write.cpp: output paths that may be written, and the atomic write itself.
#include "results/atomic_write.hpp"

#include <fcntl.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
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

std::size_t scrub_non_finite(nlohmann::json& j) {
    std::size_t n = 0;
    if (j.is_number_float()) {
        if (!std::isfinite(j.get<double>())) {
            j = nullptr;
            return 1;
        }
    } else if (j.is_structured()) {
        for (auto& v : j) n += scrub_non_finite(v);
    }
    return n;
}

void write_json_atomically(const std::string& path, const nlohmann::json& j, int indent) {
    // The rename below would replace a device, FIFO or symlink with a regular file.
    if (auto why = output_path_problem(path); !why.empty()) throw std::runtime_error(path + " " + why);
    const std::string text = j.dump(indent) + "\n";
    // Same directory as the target: rename(2) is only atomic within one file system.
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot create " + tmp + ": " + std::strerror(errno));
    const char* p = text.data();
    std::size_t left = text.size();
    while (left) {
        ssize_t w = ::write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR) continue;  // SIGINT during a write must not lose the file
            int e = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(e));
        }
        p += w;
        left -= std::size_t(w);
    }
    // fsync so that after a crash the renamed file has its content, not zero bytes.
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        int e = errno;
        ::unlink(tmp.c_str());
        throw std::runtime_error("cannot flush " + tmp + ": " + std::strerror(e));
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        ::unlink(tmp.c_str());
        throw std::runtime_error("cannot rename " + tmp + " to " + path + ": " + std::strerror(e));
    }
}

}  // namespace ringlab::results
