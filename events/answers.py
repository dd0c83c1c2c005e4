"""Registrations' answers to their events' own questions (EventQuestion), as columns.

``Registration.answers`` holds the answers by question id (a string key, as
JSON keeps it): text, the choice made, or true/false for a yes-or-no
question. An export of registrations gets one column per question, headed by
its label; registrations of several events share a column where their
questions have the same label (each event's 用餐 in one 用餐 column).
"""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from .models import EventQuestion, Registration


def question_columns(questions: Iterable[EventQuestion]) -> list[tuple[str, tuple[str, ...]]]:
    """(label, ids of the questions with that label) in the questions' order."""
    columns: dict[str, list[str]] = {}
    for question in questions:
        columns.setdefault(question.label.strip(), []).append(str(question.pk))
    return [(label, tuple(ids)) for label, ids in columns.items()]


def answer(registration: Registration, ids: Iterable[str]):
    """The registration's answer to the first of the questions ``ids`` it answered, or ""."""
    answers = registration.answers or {}
    for key in ids:
        if answers.get(key) not in (None, ""):
            return answers[key]
    return ""


def answer_text(value) -> str:
    """An answer as text: 是/否 for yes or no."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return "" if value is None else str(value)


def answered(registration: Registration, questions: Iterable[EventQuestion]) -> list[tuple]:
    """(question, answer as text) for each of ``questions``, answered or not."""
    return [
        (question, answer_text(answer(registration, [str(question.pk)]))) for question in questions
    ]
