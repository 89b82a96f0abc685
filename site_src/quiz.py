"""The bridge quiz.

Parse and check data/quiz.yaml, then compile it into the scoring tables the page adds up.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import math
import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import figures, schema, scoring, yamlpos
from .data import Data
from .errors import Problems
from .sources import SourceTree

QUIZ_FILE = "data/quiz.yaml"
# Answer spaces up to this size are searched exhaustively for reachability; larger ones by local
# search.
_EXHAUSTIVE_LIMIT = 60_000
_RESTARTS = 64
# Profiles at least this similar (cosine) make two roles hard to tell apart.
_SIMILAR = 0.98


@dataclass(frozen=True)
class Option:
    """One answer to a question, and how strongly it shows each dimension."""

    id: str
    label: str
    background: str | None
    level: str | None
    moves: dict[str, int]


@dataclass(frozen=True)
class Question:
    """One step of the quiz."""

    id: str
    prompt: str
    options: tuple[Option, ...]
    is_background: bool
    is_level: bool


@dataclass(frozen=True)
class Dimension:
    """Something the quiz measures about the reader."""

    id: str
    label: str
    meaning: str


@dataclass(frozen=True)
class Quiz:
    """The parsed, checked quiz definition."""

    title: str
    intro: str
    source: str
    as_of: date
    near_tie: int
    tie_break: tuple[str, ...]
    dimensions: tuple[Dimension, ...]
    profiles: dict[str, dict[str, int]]
    questions: tuple[Question, ...]


@dataclass
class _Ctx:
    """Where to report problems in the quiz file."""

    shown: str
    doc: yamlpos.Located
    problems: Problems

    def error(self, path: tuple, message: str, hint: str, at_key: bool = False) -> None:
        """Report at the value at path, or at its key when the key itself is what is wrong."""
        line, col = self.doc.key_at(path) if at_key else self.doc.at(path)
        self.problems.error(self.shown, line, col, message, hint)

    def warn(self, path: tuple, message: str, hint: str) -> None:
        line, col = self.doc.at(path)
        self.problems.warn(self.shown, line, col, message, hint)


def _nearest(value: str, known: list[str]) -> str:
    """A 'did you mean' hint, or the list of valid values."""
    guess = difflib.get_close_matches(value, known, n=1)
    return f"did you mean {guess[0]!r}?" if guess else "use one of " + ", ".join(known)


def _check(v: dict, data: Data, ctx: _Ctx) -> None:
    """Cross-check ids against the quiz's own dimensions and the site's data."""
    dims = [d["id"] for d in v["dimensions"]]
    roles = [r.id for r in data.roles]
    for kind, items in (("dimension", v["dimensions"]), ("question", v["questions"])):
        seen = set()
        for i, item in enumerate(items):
            if item["id"] in seen:
                ctx.error(
                    (kind + "s", i, "id"),
                    f"duplicate {kind} id {item['id']!r}",
                    "each id must be unique",
                )
            seen.add(item["id"])
    for role, weights in v["profiles"].items():
        if role not in roles:
            ctx.error(
                ("profiles", role),
                f"profile for unknown role {role!r}",
                _nearest(role, roles),
                at_key=True,
            )
        for dim in weights:
            if dim not in dims:
                ctx.error(
                    ("profiles", role, dim),
                    f"profile of {role} names unknown dimension {dim!r}",
                    _nearest(dim, dims),
                    at_key=True,
                )
    for role in roles:
        if role not in v["profiles"]:
            ctx.error(
                ("profiles",),
                f"role {role!r} has no profile",
                f"add `{role}: {{...}}` under profiles",
            )
    if sorted(v["tie_break"]) != sorted(roles):
        ctx.error(
            ("tie_break",),
            "tie_break must list every role exactly once",
            "list: " + ", ".join(roles),
        )
    for flag, vocabulary in (
        ("background", [b.id for b in data.backgrounds]),
        ("level", [lv.id for lv in data.levels]),
    ):
        flagged = [i for i, q in enumerate(v["questions"]) if q.get(flag)]
        if len(flagged) > 1:
            ctx.error(
                ("questions", flagged[1], flag),
                f"more than one question is marked {flag}: true",
                "mark only one",
            )
        for qi, q in enumerate(v["questions"]):
            for oi, o in enumerate(q["options"]):
                if flag in o and not q.get(flag):
                    ctx.error(
                        ("questions", qi, "options", oi, flag),
                        f"option names a {flag} but its question is not marked {flag}: true",
                        f"add `{flag}: true` to the question or remove this key",
                    )
                elif q.get(flag) and flag not in o:
                    ctx.error(
                        ("questions", qi, "options", oi),
                        f"every option of the {flag} question needs a {flag}",
                        f"add `{flag}: ID`",
                    )
                elif flag in o and o[flag] not in vocabulary:
                    ctx.error(
                        ("questions", qi, "options", oi, flag),
                        f"unknown {flag} {o[flag]!r}",
                        _nearest(o[flag], vocabulary),
                    )
    for qi, q in enumerate(v["questions"]):
        ids = [o["id"] for o in q["options"]]
        for oi, o in enumerate(q["options"]):
            if ids.index(o["id"]) != oi:
                ctx.error(
                    ("questions", qi, "options", oi, "id"),
                    f"duplicate option id {o['id']!r}",
                    "each option of a question needs its own id",
                )
            for dim in o["moves"]:
                if dim not in dims:
                    ctx.error(
                        ("questions", qi, "options", oi, "moves", dim),
                        f"option moves unknown dimension {dim!r}",
                        _nearest(dim, dims),
                        at_key=True,
                    )


def load(tree: SourceTree, data: Data, problems: Problems) -> tuple[Quiz, _Ctx] | None:
    """Parse and check data/quiz.yaml; None when the site has no quiz or it has errors."""
    source = tree.get("data", QUIZ_FILE)
    if source is None:
        return None
    doc, ok = schema.load_checked(source.text, source.shown, "quiz", problems)
    if not ok or doc is None:  # load_checked gives a document whenever ok
        return None
    ctx = _Ctx(source.shown, doc, problems)
    before = len(problems.errors)
    v = doc.value
    _check(v, data, ctx)
    if data.source(v["source"]) is None:
        ctx.error(
            ("source",),
            f"unknown source {v['source']!r}",
            _nearest(v["source"], [s.id for s in data.sources]),
        )
    try:
        as_of = date.fromisoformat(v["as_of"])
    except ValueError:
        ctx.error(("as_of",), f"{v['as_of']!r} is not a real date", "check the month and day")
        as_of = date.min
    if len(problems.errors) > before:
        return None
    questions = tuple(
        Question(
            q["id"],
            q["prompt"],
            tuple(
                Option(o["id"], o["label"], o.get("background"), o.get("level"), dict(o["moves"]))
                for o in q["options"]
            ),
            bool(q.get("background")),
            bool(q.get("level")),
        )
        for q in v["questions"]
    )
    quiz = Quiz(
        v["title"],
        v["intro"],
        v["source"],
        as_of,
        v["near_tie"],
        tuple(v["tie_break"]),
        tuple(Dimension(d["id"], d["label"], d["meaning"]) for d in v["dimensions"]),
        {r: dict(w) for r, w in v["profiles"].items()},
        questions,
    )
    return quiz, ctx


def option_points(option: Option, profile: dict[str, int]) -> int:
    """How many points an answer gives a role: the answer's moves weighted by the role's profile."""
    return sum(weight * profile.get(dim, 0) for dim, weight in option.moves.items())


def _role_info(data: Data, role_id: str) -> dict[str, Any]:
    """What the result view says about a role besides its score."""
    role = data.role(role_id)
    assert role is not None  # compile_tables passes the ids of data.roles only
    bands: dict[str, list[str]] = {}
    for band in data.bands:
        if band.role == role_id:
            for level in band.levels:
                bands.setdefault(level, []).append(
                    f"{figures.band(band)} ({data.label('tiers', band.tier)})"
                )
    return {
        "id": role.id,
        "title": role.title,
        "url": f"roles/{role.id}/",
        "project": role.bridge_project,
        "bands": bands,
    }


def compile_tables(quiz: Quiz, data: Data) -> dict[str, Any]:
    """The scoring tables.

    Points per option per role, maxima, tie-breaks, and what the result needs to explain itself.
    """
    roles = [r.id for r in data.roles if r.id in quiz.profiles]
    questions: list[dict[str, Any]] = []
    for q in quiz.questions:
        questions.append(
            {
                "id": q.id,
                "options": [
                    {"id": o.id, "points": [option_points(o, quiz.profiles[r]) for r in roles]}
                    for o in q.options
                ],
            }
        )
    maxima = [
        sum(max(o["points"][r] for o in q["options"]) for q in questions) for r in range(len(roles))
    ]
    background_q = next((i for i, q in enumerate(quiz.questions) if q.is_background), None)
    level_q = next((i for i, q in enumerate(quiz.questions) if q.is_level), None)
    runway, runway_text = [], []
    if background_q is not None:
        for o in quiz.questions[background_q].options:
            paths = [
                next((p for p in data.paths if p.role == r and p.background == o.background), None)
                for r in roles
            ]
            runway.append([list(p.runway) if p and p.runway else None for p in paths])
            runway_text.append([figures.runway(p) if p else "" for p in paths])
    tables: dict[str, Any] = {
        "roles": [_role_info(data, r) for r in roles],
        "questions": questions,
        "max": maxima,
        "tie_break": [quiz.tie_break.index(r) for r in roles],
        "near_tie": quiz.near_tie,
        "background_question": background_q,
        "level_question": level_q,
        "levels": [o.level for o in quiz.questions[level_q].options] if level_q is not None else [],
        "level_labels": {lv.id: lv.label for lv in data.levels},
        "runway": runway,
        "runway_text": runway_text,
    }
    tables["version"] = hashlib.sha256(canonical_json(tables).encode("utf-8")).hexdigest()[:12]
    return tables


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same tables always give the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def answer_space(tables: dict[str, Any]) -> int:
    """How many complete answer sets the quiz has."""
    return math.prod(len(q["options"]) for q in tables["questions"])


def _margin(tables: dict[str, Any], answers: list[int], role: int) -> tuple[int, int]:
    """How far `role` is from the top.

    As (1 if on top else 0, its score minus the best other score).
    """
    score = scoring.scores(tables, answers)
    top = scoring.ranking(tables, answers, score)[0]
    best_other = max(s for r, s in enumerate(score) if r != role)
    return (1 if top == role else 0, score[role] - best_other)


def find_witness(tables: dict[str, Any], role: int, seed: int = 0) -> list[int] | None:
    """An answer set that puts `role` on top.

    Exhaustive search when small, else seeded hill climbing with restarts.
    """
    sizes = [len(q["options"]) for q in tables["questions"]]
    if answer_space(tables) <= _EXHAUSTIVE_LIMIT:
        return next(
            (
                list(a)
                for a in itertools.product(*map(range, sizes))
                if scoring.ranking(tables, list(a))[0] == role
            ),
            None,
        )
    rng = random.Random(seed)
    greedy = [
        max(
            range(n),
            # mypy cannot infer the type of a lambda with default arguments
            key=lambda o, q=q: (  # type: ignore[misc]
                q["options"][o]["points"][role] * 1000 // max(1, tables["max"][role])
                - sum(
                    q["options"][o]["points"][r] * 1000 // max(1, tables["max"][r])
                    for r in range(len(tables["roles"]))
                    if r != role
                )
            ),
        )
        for q, n in zip(tables["questions"], sizes, strict=True)
    ]
    for attempt in range(_RESTARTS):
        answers = greedy if attempt == 0 else [rng.randrange(n) for n in sizes]
        current = _margin(tables, answers, role)
        improved = True
        while improved and current[0] == 0:
            improved = False
            for q, n in enumerate(sizes):
                for o in range(n):
                    trial = answers[:q] + [o] + answers[q + 1 :]
                    m = _margin(tables, trial, role)
                    if m > current:
                        answers, current, improved = trial, m, True
        if current[0] == 1:
            return answers
    return None


def check_tables(quiz: Quiz, tables: dict[str, Any], ctx: _Ctx) -> dict[str, list[int]]:
    """Reject roles that can never come out on top or never score; warn on near-identical profiles.

    Returns a witness per role.
    """
    witnesses: dict[str, list[int]] = {}
    for r, role in enumerate(tables["roles"]):
        if tables["max"][r] == 0:
            ctx.error(
                ("profiles", role["id"]),
                f"no answer gives {role['id']} any points",
                "give the role weight on a dimension some answer moves",
            )
            continue
        witness = find_witness(tables, r)
        if witness is None:
            exact = answer_space(tables) <= _EXHAUSTIVE_LIMIT
            how = "in any of the" if exact else "after searching the"
            ctx.error(
                ("profiles", role["id"]),
                f"{role['id']} never comes out on top {how} {answer_space(tables):,} answer sets",
                "raise its weights on dimensions that some answers move strongly, "
                "or add an answer that favours it",
            )
        else:
            witnesses[role["id"]] = witness
    ids = [role["id"] for role in tables["roles"]]
    dims = [d.id for d in quiz.dimensions]
    for a, b in itertools.combinations(ids, 2):
        va, vb = ([quiz.profiles[x].get(d, 0) for d in dims] for x in (a, b))
        norm = math.sqrt(sum(x * x for x in va)) * math.sqrt(sum(x * x for x in vb))
        if norm and sum(x * y for x, y in zip(va, vb, strict=True)) / norm >= _SIMILAR:
            ctx.warn(
                ("profiles", b),
                f"profiles of {a} and {b} are nearly identical",
                "readers will rarely be told them apart; make them differ on some dimension",
            )
    return witnesses
