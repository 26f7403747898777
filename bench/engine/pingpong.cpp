// pingpong.cpp: the physical floor of a batch-1 ring on a CPU pair: one cache
// line bounced between two pinned threads.  Thread A writes an odd value, B
// answers with the next even one; a round trip is two line transfers, the same
// minimum a request/completion pair through any shared-memory ring must pay.
#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "engine/cpu_affinity.hpp"
#include "engine/engine.hpp"
#include "ringsim/arch.hpp"
#include "ringsim/clock.hpp"

namespace ringlab {

namespace {
struct alignas(128) Line {
    std::atomic<std::uint64_t> v{0};
};
constexpr int kChunk = 64;  // rounds per timed chunk: keeps the timer's own fences out of the figure

// Spins until `line` holds `want`; false if the deadline (in ticks) passes or the peer gave up.
bool await(const Line& line, std::uint64_t want, std::uint64_t deadline, const std::atomic<bool>& quit) {
    for (unsigned n = 0; line.v.load(std::memory_order_acquire) != want; ++n) {
        ringsim::arch::cpu_relax();
        if ((n & 0xffff) == 0xffff &&
            (ringsim::clock::now() > deadline || quit.load(std::memory_order_relaxed)))
            return false;
    }
    return true;
}
}  // namespace

PingPongResult measure_pingpong(int cpu_a, int cpu_b, int rounds) {
    if (rounds < kChunk) rounds = kChunk;
    const auto& clk = ringsim::clock::info();
    const std::uint64_t deadline = ringsim::clock::now() + std::uint64_t(clk.hz * 30);  // 30 s bound
    const int chunks = rounds / kChunk;
    Line line;
    std::atomic<bool> quit{false};
    std::vector<double> per_round(chunks);
    std::string error;

    std::thread b([&] {
        std::string e = pin_this_thread(cpu_b);
        if (!e.empty()) { error = e; quit = true; return; }
        for (std::uint64_t i = 0; i < std::uint64_t(chunks + 1) * kChunk; ++i) {
            if (!await(line, 2 * i + 1, deadline, quit)) { quit = true; return; }
            line.v.store(2 * i + 2, std::memory_order_release);
        }
    });
    // Side A runs on a thread of its own too: pinning the caller would leave it
    // (and whatever it runs next) stuck on cpu_a.
    std::string e;
    bool ok = true;
    std::thread a([&] {
        e = pin_this_thread(cpu_a);
        ok = e.empty();
        std::uint64_t i = 0;
        // One untimed chunk first, to bring both threads and the line into steady state.
        for (int c = -1; ok && c < chunks; ++c) {
            std::uint64_t t0 = ringsim::clock::now();
            for (int k = 0; k < kChunk; ++k, ++i) {
                line.v.store(2 * i + 1, std::memory_order_release);
                if (!await(line, 2 * i + 2, deadline, quit)) { ok = false; break; }
            }
            std::uint64_t t1 = ringsim::clock::now_end();
            if (ok && c >= 0) per_round[c] = double(t1 - t0) / kChunk;
        }
        quit = true;
    });
    a.join();
    quit = true;
    b.join();
    if (!e.empty()) throw std::runtime_error(e);
    if (!error.empty()) throw std::runtime_error(error);
    if (!ok) throw std::runtime_error("pingpong: the peer CPU stopped answering for 30 s");
    std::sort(per_round.begin(), per_round.end());
    auto at = [&](double q) { return per_round[std::size_t(q * double(per_round.size() - 1))] * 1e9 / clk.hz; };
    return {at(0.5), at(0.1), at(0.9), at(0.0), clk.hz, clk.name, chunks * kChunk};
}

}  // namespace ringlab
