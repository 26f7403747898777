// interrupt.cpp: the sweep's signal watcher (interrupt.hpp).
#include "sweep/interrupt.hpp"

#include <pthread.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace ringlab::sweep {

std::atomic<bool> g_interrupted{false};
std::atomic<int> g_signal{0};
std::atomic<bool> g_write_failed{false};
std::timed_mutex g_doc_mutex;

namespace {
const char* signal_word(int sig) { return sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "Ctrl-C"; }
}  // namespace

SignalWatcher::SignalWatcher(std::function<void()> on_abort) : on_abort_(std::move(on_abort)) {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGUSR2}) sigaddset(&set, s);
    pthread_sigmask(SIG_BLOCK, &set, &old_mask_);
    g_interrupted = false;
    g_signal = 0;
    thread_ = std::thread([this, set] {
        int sig = 0;
        while (sigwait(&set, &sig) == 0) {
            if (stop_) return;
            if (sig == SIGUSR2) continue;
            if (!g_interrupted.exchange(true)) {
                g_signal = sig;
                std::string msg = std::string("\n[sweep] interrupted (") + signal_word(sig) +
                                  "): stopping after the current configuration (again to abort at once)\n";
                (void)!::write(2, msg.data(), msg.size());
                continue;
            }
            // Second signal: leave a file that says it was interrupted, then go.
            if (g_doc_mutex.try_lock_for(std::chrono::seconds(3))) {
                try {
                    on_abort_();
                } catch (...) {
                }
            }
            ::signal(sig, SIG_DFL);
            sigset_t one;
            sigemptyset(&one);
            sigaddset(&one, sig);
            pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
            ::raise(sig);
        }
    });
}

SignalWatcher::~SignalWatcher() {
    stop_ = true;
    pthread_kill(thread_.native_handle(), SIGUSR2);
    thread_.join();
    // Drop a SIGUSR2 still pending before restoring the caller's mask.
    sigset_t pending;
    sigpending(&pending);
    timespec zero{0, 0};
    sigset_t both;
    sigemptyset(&both);
    sigaddset(&both, SIGUSR2);
    if (sigismember(&pending, SIGUSR2)) sigtimedwait(&both, nullptr, &zero);
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

}  // namespace ringlab::sweep
