// interrupt.hpp: SIGINT, SIGTERM and SIGHUP during a sweep: stop after the current
// configuration, and a second signal ends the sweep at once with a valid results file.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include <signal.h>

namespace ringlab::sweep {

// The first signal taken (the exit status is 128 + its number, as a shell expects).
extern std::atomic<bool> g_interrupted;
extern std::atomic<int> g_signal;
// A results write failed (a full disk): every later configuration is skipped at once.
extern std::atomic<bool> g_write_failed;
// Held while the results document changes or is written.
extern std::timed_mutex g_doc_mutex;

// While it exists the three signals are blocked in every thread (the engine's threads
// inherit the mask, so a signal never interrupts a timed window or an eventfd wait) and
// one watcher thread takes them with sigwait.  The first sets g_interrupted (and
// g_signal); the second calls on_abort (under g_doc_mutex, so never half-way through a
// reported configuration) to leave a file that says it was interrupted, then dies of
// that signal at once.
class SignalWatcher {
public:
    explicit SignalWatcher(std::function<void()> on_abort);
    ~SignalWatcher();
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

private:
    std::function<void()> on_abort_;
    sigset_t old_mask_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace ringlab::sweep
