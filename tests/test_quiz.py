"""The quiz: validation, compiled tables, the Python reference scorer, and its parity with quiz.js under node."""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import REPO
from site_src import data, quiz, scoring, sources
from site_src.errors import Problems

TODAY = date(2026, 11, 27)
QUIZ_JS = REPO / "templates" / "static" / "quiz.js"


def tiny_tables() -> dict:
    """Two questions, two roles: small enough to work every score out by hand."""
    return {
        "roles": [{"id": "a"}, {"id": "b"}],
        "questions": [
            {"id": "q1", "options": [{"id": "x", "points": [3, 0]}, {"id": "y", "points": [0, 2]}, {"id": "z", "points": [1, 1]}]},
            {"id": "q2", "options": [{"id": "x", "points": [0, 0]}, {"id": "y", "points": [1, 3]}, {"id": "z", "points": [2, 1]}]},
        ],
        "max": [5, 5], "tie_break": [1, 0], "near_tie": 10,
        "background_question": 0, "runway": [[[6, 9], None], [None, [2, 4]], [[4, 8], [4, 6]]],
    }


# --- the reference scorer, against hand-worked cases ------------------------------

def test_scores_are_shares_of_each_roles_maximum_rounded_half_up() -> None:
    t = tiny_tables()
    assert scoring.totals(t, [0, 2]) == [5, 1]
    assert scoring.scores(t, [0, 2]) == [100, 20]
    assert scoring.scores(t, [2, 0]) == [20, 20]
    t["max"] = [8, 5]
    assert scoring.scores(t, [0, 0]) == [38, 0]  # 3/8 = 37.5 -> 38, half up


def test_ties_go_to_the_shorter_runway_then_the_stated_order() -> None:
    t = tiny_tables()
    # [2, 0]: both 20; background option 2 gives a 4-8 months and b 4-6: equal lows, so the stated order (b first) decides.
    assert scoring.ranking(t, [2, 0]) == [1, 0]
    t["runway"][2] = [[3, 8], [4, 6]]
    assert scoring.ranking(t, [2, 0]) == [0, 1]  # a's runway is now shorter
    t["runway"][2] = [None, None]
    assert scoring.ranking(t, [2, 0]) == [1, 0]


def test_result_names_runner_up_near_tie_and_the_answer_that_flips_it() -> None:
    t = tiny_tables()
    r = scoring.result(t, [0, 2])  # a 100, b 20
    assert (r["top"], r["runner_up"], r["near_tie"]) == (0, 1, False)
    # Changing q1 to y gives a 40, b 60 (margin 20); to z gives a 60, b 40: only y flips. q2 changes cannot.
    assert r["flip"] == {"question": 0, "option": 1, "margin": 20}
    close = scoring.result(t, [2, 2])  # a 60, b 40: margin 20 > near_tie 10
    assert close["near_tie"] is False
    t["near_tie"] = 20
    assert scoring.result(t, [2, 2])["near_tie"] is True


def test_valid_answers_reject_wrong_length_and_out_of_range() -> None:
    t = tiny_tables()
    assert scoring.valid_answers(t, [0, 2])
    assert not scoring.valid_answers(t, [0])
    assert not scoring.valid_answers(t, [0, 3])
    assert not scoring.valid_answers(t, [-1, 0])


# --- compiling the bundled quiz ---------------------------------------------------

def bundled(content: Path = REPO / "content") -> tuple[quiz.Quiz, dict, Problems, object]:
    problems = Problems()
    tree = sources.discover(content, REPO / "templates", problems)
    d = data.load(tree, TODAY, 730, problems)
    q, where = quiz.load(tree, d, problems)
    return q, quiz.compile_tables(q, d), problems, (where, d)


def test_bundled_quiz_has_the_required_shape() -> None:
    q, t, problems, _ = bundled()
    assert problems.items == []
    assert len(q.dimensions) >= 10 and 10 <= len(q.questions) <= 14
    assert all(3 <= len(question.options) <= 5 for question in q.questions)
    assert [r["id"] for r in t["roles"]] == ["mlops-engineer", "prompt-engineer", "ai-product-manager"]
    background = q.questions[t["background_question"]]
    assert background.options[0].background == "platform-engineer"
    assert t["runway_text"][0][0] == "4–8 months"  # from paths.yaml, not typed in the quiz


def test_points_are_moves_weighted_by_profile() -> None:
    q, t, _, _ = bundled()
    option = q.questions[0].options[0]
    mlops = q.profiles["mlops-engineer"]
    assert option.moves == {"infra": 3, "engineering": 2} and (mlops["infra"], mlops["engineering"]) == (3, 2)
    expected = sum(weight * mlops.get(dimension, 0) for dimension, weight in option.moves.items())
    assert t["questions"][0]["options"][0]["points"][0] == expected == 13


def test_tables_are_deterministic_and_versioned_by_content(tmp_path: Path) -> None:
    _, t1, _, _ = bundled()
    _, t2, _, _ = bundled()
    assert quiz.canonical_json(t1) == quiz.canonical_json(t2)
    unversioned = {k: v for k, v in t1.items() if k != "version"}
    assert t1["version"] == hashlib.sha256(quiz.canonical_json(unversioned).encode()).hexdigest()[:12]
    shutil.copytree(REPO / "content", tmp_path / "content")
    path = tmp_path / "content/data/quiz.yaml"
    path.write_text(path.read_text().replace("moves: {infra: 3, engineering: 2}", "moves: {infra: 3, engineering: 1}", 1))
    _, t3, _, _ = bundled(tmp_path / "content")
    assert t3["version"] != t1["version"]


def test_every_role_is_reachable_with_a_witness_answer_set() -> None:
    q, t, problems, (where, _) = bundled()
    witnesses = quiz.check_tables(q, t, where)
    assert problems.errors == []
    for r, role in enumerate(t["roles"]):
        assert scoring.ranking(t, witnesses[role["id"]])[0] == r


def test_an_unreachable_role_is_rejected_by_search() -> None:
    q, t, problems, (where, _) = bundled()
    t["questions"] = [{"id": qq["id"], "options": [{"id": o["id"], "points": [o["points"][0], o["points"][1], 0]}
                                                     for o in qq["options"]]} for qq in t["questions"]]
    t["max"][2] = 1  # nonzero maximum, but no answer ever gives the product manager a point
    quiz.check_tables(q, t, where)
    assert any("ai-product-manager never comes out on top" in p.message for p in problems.errors)


@pytest.mark.parametrize("edit,message", [
    (("moves: {infra: 3, engineering: 2}", "moves: {infra: 3, engineerin: 2}"), "option moves unknown dimension 'engineerin'"),
    (("  mlops-engineer: {infra: 3,", "  mlops-enginer: {infra: 3,"), "profile for unknown role 'mlops-enginer'"),
    (("tie_break: [ai-product-manager, mlops-engineer, prompt-engineer]", "tie_break: [ai-product-manager, mlops-engineer]"),
     "tie_break must list every role exactly once"),
    (("        background: data-scientist", "        background: data-scientists"), "unknown background 'data-scientists'"),
    (("      - id: not-yet\n", "      - id: no\n"), "expected string, got false"),  # YAML reads a bare no as false
])
def test_quiz_mistakes_are_reported_at_their_line(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    path = tmp_path / "content/data/quiz.yaml"
    text = path.read_text()
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1))
    problems = Problems()
    tree = sources.discover(tmp_path / "content", REPO / "templates", problems)
    d = data.load(tree, TODAY, 730, problems)
    assert quiz.load(tree, d, problems) is None
    [problem] = [p for p in problems.errors if message in p.message]
    edited_line = path.read_text().splitlines().index(edit[1].rstrip("\n")) + 1 if edit[1].endswith("\n") else \
        next(i for i, line in enumerate(path.read_text().splitlines(), 1) if edit[1] in line)
    assert problem.path.endswith("content/data/quiz.yaml")
    assert problem.line == edited_line
    assert problem.hint


def test_near_identical_profiles_warn(tmp_path: Path) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    path = tmp_path / "content/data/quiz.yaml"
    lines = path.read_text().splitlines()
    mlops = next(l for l in lines if l.startswith("  mlops-engineer:"))
    path.write_text("\n".join(l if not l.startswith("  prompt-engineer:") else mlops.replace("mlops-engineer", "prompt-engineer")
                              for l in lines) + "\n")
    q, t, problems, (where, _) = bundled(tmp_path / "content")
    quiz.check_tables(q, t, where)
    assert any("nearly identical" in p.message for p in problems.warnings)


# --- parity: the page's real scoring code under node --------------------------------

def node_or_skip() -> str:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is required for the quiz parity test in CI")
        pytest.skip("node not found: the JS/Python parity test needs Node.js")
    return node


NODE_ALL = r"""
const api = require(process.argv[1]);
const t = JSON.parse(require("fs").readFileSync(0, "utf8"));
const sizes = t.questions.map(q => q.options.length);
const a = sizes.map(() => 0);
const out = [];
for (;;) {
  const s = api.scores(t, a);
  out.push(s.join(",") + ";" + api.ranking(t, a, s)[0]);
  let i = a.length - 1;
  while (i >= 0 && ++a[i] === sizes[i]) { a[i] = 0; i--; }
  if (i < 0) break;
}
process.stdout.write(out.join("\n") + "\n");
"""

NODE_RESULTS = r"""
const api = require(process.argv[1]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = input.answers.map(a => api.result(input.tables, a));
process.stdout.write(JSON.stringify(out));
"""


def test_js_and_python_agree_on_every_answer_set() -> None:
    node = node_or_skip()
    _, t, _, _ = bundled()
    assert quiz.answer_space(t) == 885_735  # small enough to try every answer set
    run = subprocess.run([node, "-e", NODE_ALL, str(QUIZ_JS)], input=quiz.canonical_json(t), capture_output=True,
                         text=True, check=True)
    lines = run.stdout.splitlines()
    assert len(lines) == quiz.answer_space(t)
    sizes = [len(q["options"]) for q in t["questions"]]
    for line, answers in zip(lines, itertools.product(*map(range, sizes))):
        answers = list(answers)
        score = scoring.scores(t, answers)
        expected = ",".join(map(str, score)) + ";" + str(scoring.ranking(t, answers, score)[0])
        assert line == expected, f"JS and Python disagree on answers {answers}"


def test_js_and_python_agree_on_full_results_for_sampled_answers_and_their_neighbours() -> None:
    node = node_or_skip()
    _, t, _, _ = bundled()
    rng = random.Random(20261127)
    sizes = [len(q["options"]) for q in t["questions"]]
    base = [[rng.randrange(n) for n in sizes] for _ in range(300)]
    neighbours = [a[:q] + [o] + a[q + 1:] for a in base[:40] for q, n in enumerate(sizes) for o in range(n) if o != a[q]]
    sample = base + neighbours
    run = subprocess.run([node, "-e", NODE_RESULTS, str(QUIZ_JS)], input=json.dumps({"tables": t, "answers": sample}),
                         capture_output=True, text=True, check=True)
    for answers, js in zip(sample, json.loads(run.stdout), strict=True):
        assert js == scoring.result(t, answers), f"results differ for {answers}"


def test_quiz_script_is_small_and_never_makes_a_request() -> None:
    text = QUIZ_JS.read_text()
    assert len(text.encode()) < 8 * 1024
    for api in ("fetch(", "XMLHttpRequest", "sendBeacon", "WebSocket", "localStorage", "document.cookie", "innerHTML"):
        assert api not in text
