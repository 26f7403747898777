// plausibility.hpp: checks that flag (never hide) a result the machine or the
// instructions say cannot be right: B measured faster although it runs A's
// instructions plus more; a difference where `ringlab list` gives both sides the
// same instructions; pairs in which the floor moved or a spinning side was preempted.
#pragma once

#include "answer/paired.hpp"
#include "answer/question.hpp"

namespace ringlab::answer {

// Appends to every metric's flags; the verdicts themselves stay as measured.
void check_plausibility(const Question& q, QuestionOutcome& out);

// True when both policies emit the same instruction at every site kind on this architecture
// (or at the one site kind a site question measures).
bool same_instructions(const std::string& a, const std::string& b, const std::string& question_id);

}  // namespace ringlab::answer
