#include "answer/plausibility.hpp"

#include <cstdio>

#include "ringsim/barrier_table.hpp"

namespace ringlab::answer {

bool same_instructions(const std::string& a, const std::string& b, const std::string& question_id) {
    auto arch = ringsim::current_arch();
    if (!arch) return false;
    for (auto kind : ringsim::kSiteKinds) {
        const std::string k(ringsim::to_string(kind));
        // site-publish measures one site kind only; the ring questions every kind.
        if (question_id.rfind("site-", 0) == 0 && question_id != "site-" + k &&
            !(question_id == "site-notify" && k == "notify-check"))
            continue;
        const auto* sa = ringsim::find_site(*arch, a, kind);
        const auto* sb = ringsim::find_site(*arch, b, kind);
        if (!sa || !sb || sa->insns != sb->insns) return false;
    }
    return true;
}

void check_plausibility(const Question& q, QuestionOutcome& out) {
    std::vector<std::string> common;
    char buf[300];
    const std::size_t taken = out.pairs.size();
    if (taken && out.floor_moved * 10 > taken) {
        std::snprintf(buf, sizeof buf, "the floor moved within %zu of %zu pairs (set aside): the machine changed speed often",
                      out.floor_moved, taken);
        common.push_back(buf);
    }
    if (taken && out.off_cpu * 10 > taken) {
        std::snprintf(buf, sizeof buf,
                      "a side that should spin was off its CPU in %zu of %zu pairs (set aside): the CPUs are shared "
                      "with other work",
                      out.off_cpu, taken);
        common.push_back(buf);
    }
    if (out.failed)
        common.push_back(std::to_string(out.failed) +
                         " pairs had a failed slice (verification errors, lost notifications or a watchdog stall; "
                         "see notes): check with `ringlab stress` before trusting this configuration");
    for (auto& m : out.metrics) {
        m.flags.insert(m.flags.end(), common.begin(), common.end());
        if (m.count) continue;
        const Verdict v = m.decision.verdict;
        if (q.expect == Expect::b_not_faster && v == Verdict::faster)
            m.flags.push_back("IMPLAUSIBLE: " + out.b_label + " emits " + out.a_label +
                              "'s instructions plus a run-time choice at every site, yet measured faster beyond the "
                              "interval: suspect the machine (code alignment, a speed change), not the barrier");
        if (q.b_adds_work && v == Verdict::faster &&
            (q.b_barrier.empty() || !same_instructions(q.a_barrier, q.b_barrier, q.id)))
            m.flags.push_back("COUNTER-INTUITIVE, not an error: " + out.b_label +
                              " does more work per buffer in one role, yet the ring ran faster. A role that spends "
                              "longer per buffer polls the other role's lines less often, and the line transfers "
                              "it saves can outweigh its own work; `ringlab answer --calibrate --plant ring` "
                              "measures this ring's response to planted device work on this machine");
        if (q.expect == Expect::same_if_same_insns && (v == Verdict::faster || v == Verdict::slower) &&
            same_instructions(q.a_barrier, q.b_barrier, q.id))
            m.flags.push_back("IMPLAUSIBLE: `ringlab list` gives " + q.a_barrier + " and " + q.b_barrier +
                              " the same instructions on this architecture, yet they differ beyond the interval");
    }
}

}  // namespace ringlab::answer
