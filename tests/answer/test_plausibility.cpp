// The plausibility check's instruction lookup, against the barrier table.
#include <gtest/gtest.h>

#include <set>

#include "answer/plausibility.hpp"
#include "answer/question.hpp"
#include "config/axes.hpp"

using namespace ringlab::answer;

TEST(Plausibility, VirtAndSmpEmitTheSameInstructions) {
    EXPECT_TRUE(same_instructions("smp", "virt", "virt-vs-smp"));
    EXPECT_FALSE(same_instructions("smp", "mandatory", "mandatory-vs-smp-b1"));
}

TEST(Plausibility, ImplausibleFasterIsFlagged) {
    const Question* q = find_question("ops-vs-smp");
    ASSERT_NE(q, nullptr);
    QuestionOutcome out;
    out.a_label = q->a.label;
    out.b_label = q->b.label;
    MetricOutcome m;
    m.decision.verdict = Verdict::faster;
    out.metrics.push_back(m);
    check_plausibility(*q, out);
    ASSERT_EQ(out.metrics[0].flags.size(), 1u);
    EXPECT_NE(out.metrics[0].flags[0].find("IMPLAUSIBLE"), std::string::npos);
    out.metrics[0].flags.clear();
    out.metrics[0].decision.verdict = Verdict::slower;
    check_plausibility(*q, out);
    EXPECT_TRUE(out.metrics[0].flags.empty());
}

// More work in a role, yet faster: possible in a ring, so a note rather than IMPLAUSIBLE,
// and only for a faster verdict.
TEST(Plausibility, MoreWorkYetFasterIsExplained) {
    for (const char* id : {"mandatory-vs-smp-b1", "device-barrier"}) {
        const Question* q = find_question(id);
        ASSERT_NE(q, nullptr);
        EXPECT_TRUE(q->b_adds_work) << id;
        QuestionOutcome out;
        out.b_label = q->b.label;
        MetricOutcome m;
        m.decision.verdict = Verdict::faster;
        out.metrics.push_back(m);
        check_plausibility(*q, out);
        bool noted = false;
        for (const auto& f : out.metrics[0].flags) noted = noted || f.find("COUNTER-INTUITIVE") != std::string::npos;
        EXPECT_TRUE(noted) << id;
        out.metrics[0].flags.clear();
        out.metrics[0].decision.verdict = Verdict::slower;
        check_plausibility(*q, out);
        for (const auto& f : out.metrics[0].flags) EXPECT_EQ(f.find("COUNTER-INTUITIVE"), std::string::npos) << id;
    }
    EXPECT_FALSE(find_question("packed-vs-split")->b_adds_work);
}

TEST(Questions, EverySeedThreadHasAQuestion) {
    std::set<std::string> seeds;
    for (const auto& q : all_questions()) {
        seeds.insert(q.seed);
        EXPECT_FALSE(q.metrics.empty()) << q.id;
        EXPECT_EQ(find_question(q.id), &q);
    }
    for (const char* s : {"000", "001", "002", "003", "004"}) EXPECT_TRUE(seeds.count(s)) << s;
    EXPECT_EQ(find_question("no-such-question"), nullptr);
}

// No question may compare configurations that the configuration table calls pointless (the
// sweep prunes them): a kick cost with --notify poll, say, never kicks, so both sides of
// "kick under the lock vs released" were once the same run.
TEST(Questions, NoSideIsAPointlessConfiguration) {
    for (const auto& q : all_questions())
        for (const Side* s : {&q.a, &q.b}) {
            if (s->micro) continue;
            const auto p = ringlab::config::prune(s->cfg);
            EXPECT_FALSE(p) << q.id << " " << s->label << ": " << p.message;
        }
}
