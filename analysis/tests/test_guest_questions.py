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
    assert [q.axis for q in qs[len(questions.QUESTIONS):]] == ["kick", "call", "guest", "barrier"]
    assert len({q.qid for q in qs}) == len(qs), "question ids are unique"
