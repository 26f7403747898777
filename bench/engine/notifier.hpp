// notifier.hpp: the kick/call transport.  An eventfd per direction, as vhost
// uses (ioeventfd for kicks, irqfd for calls), plus a modelled cost.
//
// --kick-cost-ns spins for that long on every kick and every call, standing in
// for the VM exit/entry a real notification costs (Linux's ringtest fakes it
// the same way).  --inject drops a fraction of notifications on purpose so the
// watchdog can be seen to work.
#pragma once

#include <cstdint>
#include <string>

namespace ringlab {

class Notifier {
public:
    // cost_ticks: timer ticks to spin per notification; drop_p: probability to drop one.
    Notifier(std::uint64_t cost_ticks, double drop_p, std::uint64_t seed);
    ~Notifier();
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

    // Sender: pay the cost, then signal (unless this one is injected as dropped).
    // `deliver` is false when the peer never sleeps (wait=spin): the eventfd write
    // would be pure overhead nobody reads.  Returns false if the signal was dropped.
    bool signal(bool deliver);

    // Receiver: block until signalled or timeout_ms passes.  Returns true if signalled.
    bool wait(int timeout_ms);

    // Watchdog and shutdown: wake the receiver without counting as a notification.
    void force_wake();

    // Watchdog: is a signal queued that the receiver has not consumed yet?
    bool signalled() const;

    std::uint64_t dropped() const { return dropped_; }
    // The eventfd itself, for a transport that signals it without this class: KVM's
    // ioeventfd (kicks) and irqfd (calls) in `ringlab run --guest kvm`.
    int fd() const { return fd_; }

private:
    int fd_ = -1;
    std::uint64_t cost_ticks_;
    std::uint64_t drop_threshold_;  // drop if rng < threshold (0 = never)
    std::uint64_t rng_;
    std::uint64_t dropped_ = 0;
};

}  // namespace ringlab
