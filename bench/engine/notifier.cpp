#include "engine/notifier.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "ringsim/arch.hpp"
#include "ringsim/clock.hpp"

namespace ringlab {

Notifier::Notifier(std::uint64_t cost_ticks, double drop_p, std::uint64_t seed)
    : cost_ticks_(cost_ticks), rng_(seed | 1) {
    fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
    if (drop_p <= 0) drop_threshold_ = 0;
    else if (drop_p >= 1) drop_threshold_ = ~0ull;
    else drop_threshold_ = static_cast<std::uint64_t>(drop_p * 18446744073709551615.0);
}

Notifier::~Notifier() {
    if (fd_ >= 0) close(fd_);
}

bool Notifier::signal(bool deliver) {
    if (cost_ticks_) {
        std::uint64_t until = ringsim::clock::now() + cost_ticks_;
        while (ringsim::clock::now() < until) ringsim::arch::cpu_relax();
    }
    if (drop_threshold_) {
        rng_ ^= rng_ << 13;  // xorshift64: cheap and good enough to pick drops
        rng_ ^= rng_ >> 7;
        rng_ ^= rng_ << 17;
        if (rng_ < drop_threshold_) {
            ++dropped_;
            return false;
        }
    }
    if (deliver) {
        std::uint64_t one = 1;
        ssize_t n = write(fd_, &one, sizeof one);
        (void)n;  // EAGAIN only when the counter would overflow: the receiver is awake anyway
    }
    return true;
}

bool Notifier::wait(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    int rc;
    do {
        rc = poll(&p, 1, timeout_ms);
    } while (rc < 0 && errno == EINTR);
    if (rc <= 0) return false;
    std::uint64_t v;
    ssize_t n = read(fd_, &v, sizeof v);
    return n == sizeof v;
}

void Notifier::force_wake() {
    std::uint64_t one = 1;
    ssize_t n = write(fd_, &one, sizeof one);
    (void)n;
}

}  // namespace ringlab

namespace ringlab {

bool Notifier::signalled() const {
    pollfd p{fd_, POLLIN, 0};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

}  // namespace ringlab
