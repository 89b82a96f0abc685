"""The reference scorer: the same arithmetic as templates/static/quiz.js.

It works over the same compiled tables.

Scores only add up rows of the tables. A score is 0-100, rounded half up in whole-number
arithmetic so Python and JavaScript agree to the last digit.
"""

from __future__ import annotations

from typing import Any

Tables = dict[str, Any]
_NO_RUNWAY = 10**9  # a path with no runway figure sorts after every path that has one


def totals(tables: Tables, answers: list[int]) -> list[int]:
    """Points per role: the sum of the chosen option's row of every question."""
    sums = [0] * len(tables["roles"])
    for question, choice in zip(tables["questions"], answers, strict=False):
        for r, points in enumerate(question["options"][choice]["points"]):
            sums[r] += points
    return sums


def scores(tables: Tables, answers: list[int]) -> list[int]:
    """Each role's total as a share of its maximum, 0-100, rounded half up."""
    return [
        (200 * t + m) // (2 * m) if m else 0
        for t, m in zip(totals(tables, answers), tables["max"], strict=True)
    ]


def runway_key(tables: Tables, answers: list[int], role: int) -> int:
    """Shortest runway (low months) from the reader's background into a role, for tie-breaks."""
    q = tables["background_question"]
    if q is None:
        return _NO_RUNWAY
    runway = tables["runway"][answers[q]][role]
    return runway[0] if runway else _NO_RUNWAY


def ranking(tables: Tables, answers: list[int], score: list[int] | None = None) -> list[int]:
    """Role indices best first.

    Higher score, then shorter runway, then the stated tie-break order.
    """
    score = score if score is not None else scores(tables, answers)
    return sorted(
        range(len(score)),
        key=lambda r: (-score[r], runway_key(tables, answers, r), tables["tie_break"][r]),
    )


def flip(tables: Tables, answers: list[int], target: int) -> dict | None:
    """The single answer change that puts `target` on top by the widest margin.

    The earliest question wins a tie.
    """
    best = None
    for q, question in enumerate(tables["questions"]):
        for o in range(len(question["options"])):
            if o == answers[q]:
                continue
            changed = answers[:q] + [o] + answers[q + 1 :]
            score = scores(tables, changed)
            order = ranking(tables, changed, score)
            if order[0] != target:
                continue
            margin = score[order[0]] - score[order[1]]
            if best is None or margin > best["margin"]:
                best = {"question": q, "option": o, "margin": margin}
    return best


def result(tables: Tables, answers: list[int]) -> dict:
    """Everything the result view shows, as plain values."""
    score = scores(tables, answers)
    order = ranking(tables, answers, score)
    top, runner = order[0], order[1]
    return {
        "scores": score,
        "order": order,
        "top": top,
        "runner_up": runner,
        "near_tie": score[top] - score[runner] <= tables["near_tie"],
        "flip": flip(tables, answers, runner),
    }


def valid_answers(tables: Tables, answers: list[int]) -> bool:
    """True when answers has one in-range option index per question."""
    questions = tables["questions"]
    return len(answers) == len(questions) and all(
        isinstance(a, int) and 0 <= a < len(q["options"])
        for a, q in zip(answers, questions, strict=True)
    )
