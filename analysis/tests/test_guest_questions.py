"""The guest questions (the VM boundary) are asked only of runs with guest entries."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from ringlab_analysis import questions  # noqa: E402


class _Entry:
    def __init__(self, guest):
        self._guest = guest

    def axis(self, name, default=None):
        return self._guest if name == "guest" and self._guest else default


class _Run:
    def __init__(self, *guests):
        self.entries = [_Entry(g) for g in guests]


def test_seed_questions_only_without_guest_entries():
    assert questions.for_runs([_Run(None, "thread")]) == questions.QUESTIONS


def test_guest_questions_follow_when_an_entry_ran_in_kvm():
    qs = questions.for_runs([_Run("thread"), _Run("kvm")])
    assert qs[:len(questions.QUESTIONS)] == questions.QUESTIONS
    assert [q.axis for q in qs[len(questions.QUESTIONS):]] == ["kick", "call", "guest", "barrier", "kick_mode"]
    assert len({q.qid for q in qs}) == len(qs), "question ids are unique"


def test_guest_lock_question_asks_guest_entries_only():
    q = [q for q in questions.GUEST_QUESTIONS if q.qid == "q14"][0]
    assert q.axis == "kick_mode" and (q.num, q.den) == ("unlocked", "under-lock")
    assert "lock_hold_mean_ns" in q.metrics and "lock_wait_mean_ns" in q.metrics
    run = _Run("thread", "kvm", None)
    assert questions.entries_asked(q, [run]) == [run.entries[1]]
    q5 = [q for q in questions.QUESTIONS if q.qid == "q5"][0]
    assert questions.entries_asked(q5, [run]) == [run.entries[0], run.entries[2]], "q5: host threads (the default)"
