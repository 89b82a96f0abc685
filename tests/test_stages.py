"""Unit tests for each stage, on small in-memory inputs or tmp_path trees."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, band
from site_src import content, data, figures, markup, model, records, render, shortcodes, sources, yamlpos
from site_src import cache as cache_module
from site_src.cache import Cache
from site_src.config import SiteConfig
from site_src.errors import Problems
from site_src.writer import OutputError, SiteWriter, unsafe_output_reason

TODAY = date(2026, 11, 27)


def mini_tree(problems: Problems) -> sources.SourceTree:
    return sources.discover(FIXTURES / "mini" / "content", Path(__file__).resolve().parents[1] / "templates", problems)


# --- yamlpos ---------------------------------------------------------------

def test_yaml_positions_point_at_values_and_keys() -> None:
    doc, dups = yamlpos.load("a:\n  - x: 1\n    y: [2, 3]\n")
    assert doc.value == {"a": [{"x": 1, "y": [2, 3]}]}
    assert doc.at(("a", 0, "y", 1)) == (3, 12)
    assert doc.key_at(("a", 0, "y")) == (3, 5)
    assert doc.at(("a", 0, "missing")) == (2, 5)  # falls back to the nearest located parent
    assert dups == []


def test_yaml_keeps_dates_as_text_and_reports_duplicate_keys_with_offset() -> None:
    doc, dups = yamlpos.load("as_of: 2026-04-20\nk: 1\nk: 2\n", line_offset=1)
    assert doc.value["as_of"] == "2026-04-20"
    assert dups == [(("k",), 4, 1)]


def test_malformed_yaml_reports_its_line() -> None:
    with pytest.raises(yamlpos.YamlError) as err:
        yamlpos.load("a: 1\nb: [1, 2\nc: 3\n")
    assert err.value.line == 3


# Lines that test the splitter's reading of YAML layout: list items at odd indents, continuations,
# block and flow values over several lines, anchors, document markers, comments, odd keys.
_TRICKY_LINES = [
    "  - x: 1", "- y: 2", "    more: 3", "   - odd: 4", "  -", "      deeper", "k: |", "  literal text", "  # not a comment here?",
    "note: >-", "---", "...", "%YAML 1.1", "# a comment", "", "   ", "a: &anchor {x: 1}", "b: *anchor", "  - &item {k: v}",
    "  - *item", '  - "an open quote', '    that closes"', "  - levels: [a,", "b]", "  ]", "\tkey: 1", "k:", "  k2: v", "yes: 1",
    "123: x", "? complex", ": value", "x: 1 # trailing", "dup: 1", "dup: 2", "  - role: a\r", "levels:", "bands:", "  tier: t",
    "  - {flow: item}", "  - [a, b]", "    - nested", "  - k: v\x85  - j: w", "plain", "  - a: 1\n    a: 2",
]


def test_a_document_read_piece_by_piece_is_the_document_read_whole() -> None:
    """Whenever every piece parses on its own, the pieces put together equal a clean parse of the whole text."""
    import random
    base = (FIXTURES / "mini" / "content" / "data" / "pay.yaml").read_text("utf-8").split("\n")
    compared = 0
    for seed in range(3000):
        rng = random.Random(seed)
        lines = list(base)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(lines) + 1)
            kind = rng.random()
            if kind < 0.6:
                lines.insert(at, rng.choice(_TRICKY_LINES))
            elif kind < 0.8 and at < len(lines):
                del lines[at]
            elif at < len(lines):
                lines[at] = " " * rng.randint(0, 5) + lines[at].lstrip(" ")  # re-indent a line
        text = "\n".join(lines)
        pieces = yamlpos.split(text)
        if pieces is None:
            continue
        assert "".join(p.text for p in pieces) == text, f"seed {seed}: pieces must cover the text exactly"
        try:
            values = [yamlpos.parse_piece(p) for p in pieces]
        except yamlpos.YamlError:
            continue
        assembled = yamlpos.assemble(pieces, values)
        if assembled is None:
            continue
        whole, duplicates = yamlpos.load(text)  # must not raise: the pieces parsed, so the whole text parses
        assert duplicates == [], f"seed {seed}"
        assert assembled == whole.value, f"seed {seed}"
        compared += 1
    assert compared > 500  # enough mutated documents made it through the pieces to mean something


def test_the_pieces_worked_out_from_an_edit_are_the_pieces_of_the_edited_text() -> None:
    """split_after_edit gives split's own pieces, or None; and it does give them for an edit inside an item's line."""
    import random
    # With comments the cut puts in a key's piece and in an item's: an edit there may make a new item.
    base = (FIXTURES / "mini" / "content" / "data" / "pay.yaml").read_text("utf-8").replace(
        "levels:\n", "levels:\n  # the levels\n", 1).replace("    low: 30000\n", "    low: 30000\n  # a note\n", 1)
    before_pieces = yamlpos.split(base)
    assert before_pieces[0].text == "levels:\n  # the levels\n"
    worked_out = 0
    for seed in range(6000):
        rng = random.Random(seed)
        at = rng.randrange(len(base) + 1)
        cut = base[at:at + rng.choice([0, 0, 1, 2, 5])]
        put = "".join(rng.choice(["7", "x", " ", "-", ":", "#", "\n", "- ", "  ", "'"]) for _ in range(rng.randint(0, 3)))
        text = base[:at] + put + base[at + len(cut):]
        got = yamlpos.split_after_edit(base, before_pieces, text)
        if got is not None:
            assert got == yamlpos.split(text), f"seed {seed}"
            assert sum(p is not q for p, q in zip(got, before_pieces)) <= 1
            worked_out += 1
    assert worked_out > 300
    figure = base.replace("low: 30000", "low: 31000", 1)
    assert yamlpos.split_after_edit(base, before_pieces, figure) == yamlpos.split(figure)
    assert yamlpos.split_after_edit(base, before_pieces, base.replace("- role:", "-  role:", 1)) is None  # the dash line


def test_a_schema_split_into_items_and_the_rest_agrees_with_the_whole_schema() -> None:
    """Valid under the whole schema exactly when the rest and every list item are valid under the split one."""
    import copy
    import random
    import fastjsonschema
    from site_src import schema

    def valid(check, value) -> bool:
        try:
            check(value)
            return True
        except fastjsonschema.JsonSchemaException:
            return False

    junk = [None, 7, -1, "", "Bad Id", "2026-13-45", [], {}, ["x"], True, 1.5]
    for name in ("pay", "paths", "roles", "sources"):
        base = yamlpos.load((FIXTURES / "mini" / "content" / "data" / f"{name}.yaml").read_text("utf-8"))[0].value
        rest, items = schema.piecewise_validators(name)
        for seed in range(300):
            rng = random.Random(seed)
            doc = copy.deepcopy(base)
            for _ in range(rng.randint(0, 3)):  # break something somewhere: a value, a key, a whole list
                if not doc:
                    break
                target, key = doc, rng.choice(list(doc))
                while isinstance(target[key], (dict, list)) and target[key] and rng.random() < 0.7:
                    target = target[key]
                    key = rng.randrange(len(target)) if isinstance(target, list) else rng.choice(list(target))
                choice = rng.random()
                if choice < 0.6:
                    target[key] = rng.choice(junk)
                elif choice < 0.8 and isinstance(target, dict):
                    del target[key]
                elif isinstance(target, dict):
                    target[key + "_extra"] = 1
            whole = valid(schema.fast_validator(name), doc)
            split = valid(rest, doc) and all(valid(items[k], item) for k in items if isinstance(doc.get(k), list) for item in doc[k])
            assert whole == split, f"{name} seed {seed}"


def test_an_edit_to_one_list_item_parses_and_checks_only_that_item(monkeypatch) -> None:
    from site_src import schema
    from site_src.memo import Memo
    parsed = []
    monkeypatch.setattr(schema, "_checked_piece", lambda piece, name, real=schema._checked_piece: parsed.append(piece) or real(piece, name))
    text = (FIXTURES / "mini" / "content" / "data" / "pay.yaml").read_text("utf-8")
    memo = Memo()
    problems = Problems()
    first, ok = schema.load_checked(text, "pay.yaml", "pay", problems, memo=memo)
    assert ok and first.value == yamlpos.load(text)[0].value
    assert len(parsed) == len(yamlpos.split(text)) > 10
    parsed.clear()
    edited = text.replace("low: 30000", "low: 31000", 1)
    second, ok = schema.load_checked(edited, "pay.yaml", "pay", problems, memo=memo)
    assert ok and len(parsed) == 1 and "low: 31000" in parsed[0].text
    assert second.value == yamlpos.load(edited)[0].value and second.value != first.value
    broken = text.replace("low: 30000", 'low: "many"', 1)  # invalid: found and placed by the whole-text check
    third, ok = schema.load_checked(broken, "pay.yaml", "pay", problems, memo=memo)
    assert not ok and [p.line for p in problems.items] == [text[:text.index("low: 30000")].count("\n") + 1]


# --- figures ---------------------------------------------------------------

@pytest.mark.parametrize("b,text", [
    (band(180000, 230000), "$180K–$230K"),
    (band(280000, 400000, True), "$280K–$400K+"),
    (band(500000, None, True), "$500K+"),
    (band(42500, 42500), "$42.5K"),
    (band(1250000, 2000000, currency="EUR"), "€1.25M–€2M"),
    (band(90000, 120000, currency="CHF"), "CHF 90K–CHF 120K"),
])
def test_bands_are_written_compactly_and_open_ends_stay_open(b: records.PayBand, text: str) -> None:
    assert figures.band(b) == text


def test_band_words_spell_out_figures_for_screen_readers() -> None:
    assert figures.band_words(band(500000, None, True)) == "500,000 USD or more"
    assert figures.band_words(band(1, 2)) == "1 USD to 2 USD"


@pytest.mark.parametrize("value,high,unit,text", [
    (80, None, "percent", "80%"), (2023, 2024, "year", "2023–2024"), (3, None, "count", "three"),
    (12, None, "months", "12 months"), (1, None, "years", "1 year"), (2.5, None, "years", "2.5 years"),
])
def test_facts_are_formatted_by_unit(value, high, unit, text) -> None:
    assert figures.fact(records.Fact(key="k", label="l", value=value, high=high, unit=unit, source="s", as_of=TODAY)) == text


def entry_path(runway: tuple[int, int] | None) -> records.EntryPath:
    """An entry path with placeholder ids and the given runway."""
    return records.EntryPath(role="r", background="b", fit="f", runway=runway, bridge_role=False, needs="",
                             caveat="", source="s", as_of=TODAY)


def test_runway_is_empty_when_the_source_gives_none() -> None:
    path = entry_path(runway=None)
    assert figures.runway(path) == ""
    assert figures.runway(entry_path(runway=(1, 1))) == "1 month"


# --- shortcodes ------------------------------------------------------------

def test_shortcodes_become_placeholders_with_file_positions() -> None:
    text, codes, issues = shortcodes.extract("Pay is {{ pay role=a level=b tier=c }}.\nok {{ role id=a }}", 7)
    assert issues == []
    assert text == f"Pay is {shortcodes.OPEN}0{shortcodes.CLOSE}.\nok {shortcodes.OPEN}1{shortcodes.CLOSE}"
    assert (codes[0].name, codes[0].line, codes[0].col, codes[0].arg("tier")) == ("pay", 7, 8, "c")
    assert (codes[1].line, codes[1].col) == (8, 4)


@pytest.mark.parametrize("source,message,hint", [
    ("{{ pya role=a level=b tier=c }}", "unknown shortcode 'pya'", "did you mean 'pay'?"),
    ("{{ pay role=a level=b }}", "pay: missing argument 'tier'", "{{ pay role=... level=... tier=... }}"),
    ("{{ pay role=a level=b tier=c colour=red }}", "pay: unknown argument 'colour'", "it takes"),
    ("{{ role id = a }}", "role: cannot read", "key=value"),
    ("text {{ role id=a", "shortcode is not closed with }}", "one line"),
])
def test_malformed_shortcodes_are_reported_with_a_fix(source: str, message: str, hint: str) -> None:
    _, _, issues = shortcodes.extract(source, 1)
    assert len(issues) == 1 and message in issues[0].message and hint in issues[0].hint


def test_shortcodes_resolve_against_data_and_name_near_misses() -> None:
    problems = Problems()
    d = data.load(mini_tree(problems), TODAY, 730, problems)
    code = lambda src: shortcodes.extract(src, 1)[1][0]
    assert shortcodes.check(code("{{ pay role=alpha level=senior tier=any }}"), d, "uk") is None
    assert shortcodes.check(code("{{ pay role=alpah level=senior tier=any }}"), d, "uk") == ("unknown role 'alpah'", "did you mean 'alpha'?")
    assert "no pay band" in shortcodes.check(code("{{ pay role=beta level=senior tier=any }}"), d, "uk")[0]
    assert "has no runway figure" in shortcodes.check(code("{{ runway role=beta background=teacher }}"), d, "uk")[0]
    expanded = shortcodes.expansions((code("{{ role id=alpha }}"), code("{{ verdict measure=top-end }}")), d, "uk", "../../")
    html = shortcodes.fill(f"x {shortcodes.OPEN}0{shortcodes.CLOSE} {shortcodes.OPEN}1{shortcodes.CLOSE}", expanded)
    # Links stay links, and a verdict's note mark follows its link unescaped.
    assert html.startswith('x <a href="../../roles/alpha/">alpha analyst</a> <a href="../../roles/')
    assert '</a><sup class="note-ref" data-pagefind-ignore><a href="#note-1">' in html and "&lt;" not in html


def test_similar_roles_rank_like_comparing_every_pair() -> None:
    """similar_roles ranks each set of backgrounds once; it must agree with the plain pairwise count."""
    import random
    from dataclasses import replace
    problems = Problems()
    base = data.load(mini_tree(problems), TODAY, 730, problems)
    template_role, template_path = base.roles[0], base.paths[0]
    for seed in range(40):
        rng = random.Random(seed)
        backgrounds = [f"bg{i}" for i in range(rng.randint(2, 7))]  # few backgrounds: many roles share the same set
        roles = tuple(replace(template_role, id=f"r{i}", title=f"Role {i}") for i in range(rng.randint(1, 40)))
        paths = tuple(replace(template_path, role=r.id, background=b) for r in roles
                      for b in rng.sample(backgrounds, rng.randint(0, min(4, len(backgrounds)))))
        d = replace(base, roles=roles, paths=paths, backgrounds=tuple(records.Term(id=b, label=b.upper()) for b in backgrounds))
        expected = {}
        for role in roles:  # every pair of roles, counted the slow way
            mine = [p.background for p in paths if p.role == role.id]
            shared = {other.id: [b.upper() for b in mine if any(p.role == other.id and p.background == b for p in paths)]
                      for other in roles if other.id != role.id}
            ranked = sorted((o for o in shared if shared[o]), key=lambda o: (-len(shared[o]), int(o[1:])))[:3]
            expected[role.id] = [(o, shared[o]) for o in ranked]
        got = {rid: [(r.id, labels) for r, labels in found] for rid, found in model.similar_roles(d).items()}
        assert got == expected, f"seed {seed}"


def test_only_roles_keeps_data_order_like_filtering_every_record() -> None:
    """only_roles gathers a few roles' records through an index; it must equal filtering every record."""
    import random
    from dataclasses import replace
    problems = Problems()
    base = data.load(mini_tree(problems), TODAY, 730, problems)
    rng = random.Random(7)
    roles = tuple(replace(base.roles[0], id=f"r{i}") for i in range(12))
    bands = tuple(replace(base.bands[i % 2], role=rng.choice(roles).id, low=i) for i in range(40))  # roles interleaved
    paths = tuple(replace(base.paths[0], role=r.id, background=f"b{j}") for r in roles for j in range(rng.randint(0, 3)))
    d = replace(base, roles=roles, bands=bands, paths=paths)
    for _ in range(30):
        keep = {r.id for r in rng.sample(roles, rng.randint(1, 11))} | ({"no-such-role"} if rng.random() < 0.3 else set())
        got = d.only_roles(keep)
        assert got.roles == tuple(r for r in roles if r.id in keep)
        assert got.bands == tuple(b for b in bands if b.role in keep)
        assert got.paths == tuple(p for p in paths if p.role in keep)
    assert d.only_roles({r.id for r in roles}) is d


def test_lookups_carried_over_from_the_last_load_equal_lookups_worked_out_afresh() -> None:
    """After random edits (a figure, a band moved to another role, a renamed role, a revision naming other roles,
    records added or removed anywhere, a shared label), every lookup and digest a load carries over from the last
    equals the one a fresh Data works out."""
    import random
    from dataclasses import replace
    problems = Problems()
    base = data.load(mini_tree(problems), TODAY, 730, problems)
    rng = random.Random(11)
    roles = tuple(replace(base.roles[0], id=f"r{i}", title=f"Role {i}") for i in range(8))
    revision = records.Revision(date=TODAY, summary="a change", roles=("r0",), source=None, anchor="rev-x")
    last = replace(base, roles=roles,
                   bands=tuple(replace(base.bands[i % 2], role=rng.choice(roles).id, low=i) for i in range(30)),
                   paths=tuple(replace(base.paths[0], role=r.id, background=f"b{j}") for r in roles for j in range(rng.randint(0, 3))),
                   revisions=tuple(replace(revision, roles=(r.id,), anchor=f"rev-{r.id}") for r in roles[:4]))

    def edited(d: data.Data) -> data.Data:
        kind = rng.choice([k for k in ("roles", "bands", "paths", "revisions", "levels") if getattr(d, k)])
        records = list(getattr(d, kind))
        role_ids = [r.id for r in d.roles] + ["r-new"]
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(records))
            r = records[i]
            records[i] = {"roles": lambda: replace(r, id=rng.choice(role_ids)) if rng.random() < 0.3 else replace(r, title=r.title + "!"),
                          "bands": lambda: replace(r, role=rng.choice(role_ids)) if rng.random() < 0.5 else replace(r, low=r.low + 1),
                          "paths": lambda: replace(r, role=rng.choice(role_ids), background=f"b{rng.randint(0, 5)}"),
                          "revisions": lambda: replace(r, roles=tuple(rng.sample(role_ids, 2))),
                          "levels": lambda: replace(r, label=r.label + "!")}[kind]()
        if rng.random() < 0.15 and len(records) > 1:
            del records[rng.randrange(len(records))]  # places no longer correspond
        if rng.random() < 0.15:
            records.insert(rng.randrange(len(records) + 1), rng.choice(records))  # a record added (the same object twice)
        return replace(d, **{kind: tuple(records)})

    def seen(d: data.Data) -> dict:
        ids = sorted({r.id for r in roles} | {r.id for r in d.roles} | {"r-new"})
        return {"roles digest": d.roles_digest, "titles": d.ids("roles"), "levels": d.ids("levels"),
                **{rid: (d.role(rid), d.bands_of(rid), d.paths_of(rid), d.revisions_of(rid), d.path(rid, "b1"),
                         d.digest_for([rid]), d.digest_for([rid, "r1"]), d.only_roles({rid, "r2"}).bands) for rid in ids}}

    before, differed = seen(last), 0
    for step in range(80):
        now = edited(last)
        data.carry_over(now, last)
        after = seen(now)
        assert after == seen(replace(now)), f"step {step}"  # replace() makes a Data with nothing worked out
        differed += after != before  # the edits do change what the lookups say, so the comparison means something
        last, before = now, after
    assert differed > 60


# --- content ---------------------------------------------------------------

def test_front_matter_split_keeps_body_line_numbers() -> None:
    front, body, first = content.split_front_matter("---\nrole: a\n---\n\n## Work\n")
    assert (front, body, first) == ("role: a\n", "## Work\n", 5)
    assert content.split_front_matter("no front matter")[0] is None
    with pytest.raises(ValueError):
        content.split_front_matter("---\nrole: a\n")


def test_headings_ignore_fenced_code() -> None:
    body = "## One\n```\n## Not a heading\n```\n## Two ##\n"
    assert content.headings(body, 10) == (("One", 10), ("Two", 14))


def test_typed_figures_are_found_outside_code_and_tables() -> None:
    body = "Earn $120K in 6 months, 80% of the time.\n`$5K` in code\n| 90% | table |\n    $1 indented"
    assert [f[2] for f in content.typed_figures(body, 1)] == ["$120K", "6 months", "80%"]


# --- data and model --------------------------------------------------------

def test_fixture_data_loads_into_typed_records() -> None:
    problems = Problems()
    d = data.load(mini_tree(problems), TODAY, 730, problems)
    assert problems.items == []
    assert [r.id for r in d.roles] == ["alpha", "beta"]
    assert d.bands[1].high is None and d.bands[1].open_ended
    assert d.paths[2].runway is None
    assert d.role_at("beta")[1:] == (21, 9)


def test_a_data_edit_reuses_unchanged_records_and_their_digests_stay_exact(tmp_path: Path) -> None:
    """After an edit, records of unchanged files and unchanged bands are the objects of the last load, and
    every digest load fills in from those objects equals the digest worked out afresh."""
    import shutil
    from dataclasses import replace
    from site_src.memo import Memo
    shutil.copytree(FIXTURES / "mini" / "content", tmp_path / "content")
    pay = tmp_path / "content" / "data" / "pay.yaml"
    memo = Memo()

    def load() -> data.Data:
        problems = Problems()
        loaded = data.load(sources.discover(tmp_path / "content", Path(__file__).resolve().parents[1] / "templates", problems),
                           TODAY, 730, problems, memo)
        assert loaded is not None, problems.items
        return loaded

    first = load()
    for low in (31000, 32000, 30000):  # the last edit goes back to the first figure
        pay.write_text(re.sub(r"low: \d+", f"low: {low}", pay.read_text("utf-8"), count=1), "utf-8")
        now = load()
        assert now.bands[0].low == low
        assert all(a is b for a, b in zip(now.roles, first.roles)) and now.bands[1] is first.bands[1]
        fresh = replace(now)
        for role in now.roles:
            assert now.digest_for([role.id]) == fresh.digest_for([role.id])
        assert now.roles_digest == fresh.roles_digest
    assert now.digest_for(["alpha"]) == first.digest_for(["alpha"])  # the same figures again: the same digest
    assert now.digest_for(["alpha"]) != replace(now, bands=now.bands[1:]).digest_for(["alpha"])


def test_published_data_keeps_the_last_builds_tuples_and_lookups_where_they_hold(tmp_path: Path) -> None:
    """With a draft role left out, a figure edit to another role gives the very tuples of the last build where
    their records are unchanged, and every lookup carried over equals one worked out afresh."""
    import shutil
    from dataclasses import replace
    from site_src.memo import Memo
    shutil.copytree(FIXTURES / "mini" / "content", tmp_path / "content")
    pay = tmp_path / "content" / "data" / "pay.yaml"
    memo = Memo()

    def published() -> data.Data:
        problems = Problems()
        tree = sources.discover(tmp_path / "content", Path(__file__).resolve().parents[1] / "templates", problems)
        return data.published(data.load(tree, TODAY, 730, problems, memo), {"beta"}, memo)

    first = published()
    assert [r.id for r in first.roles] == ["alpha"] and first.digest_for(["alpha"]) and first.ids("roles")
    pay.write_text(pay.read_text("utf-8").replace("low: 30000", "low: 31000", 1), "utf-8")
    now = published()
    assert now.bands[0].low == 31000 and now.bands is not first.bands
    assert now.roles is first.roles and now.paths is first.paths and now.verdicts is first.verdicts
    fresh = replace(now)
    assert [now.digest_for([r]) for r in ("alpha", "beta")] == [fresh.digest_for([r]) for r in ("alpha", "beta")]
    assert now.digest_for(["alpha"]) != first.digest_for(["alpha"]) and now.ids("roles") == fresh.ids("roles")


def test_a_reused_item_reports_its_problems_where_it_now_sits(tmp_path: Path, monkeypatch) -> None:
    """A list item parsed once and reused keeps its problems, placed at its line in the current text."""
    import shutil
    from site_src.memo import Memo
    built = []
    monkeypatch.setattr(data, "_band", lambda b, noted, real=data._band: built.append(b["low"]) or real(b, noted))
    shutil.copytree(FIXTURES / "mini" / "content", tmp_path / "content")
    pay = tmp_path / "content" / "data" / "pay.yaml"
    text = pay.read_text("utf-8").replace("low: 60000\n    high: null\n    open_ended: true", "low: 60000\n    high: 50000")
    memo = Memo()
    lines = []
    for extra in ("", "    scope: a note that shifts the bands below it\n"):  # the second load inserts a line above the bad band
        pay.write_text(text.replace("    low: 30000\n", "    low: 30000\n" + extra, 1), "utf-8")
        problems = Problems()
        tree = sources.discover(tmp_path / "content", Path(__file__).resolve().parents[1] / "templates", problems)
        assert data.load(tree, TODAY, 730, problems, memo) is not None
        found = [p for p in problems.items if "greater than high" in p.message]
        assert len(found) == 1
        lines.append(found[0].line)
        assert pay.read_text("utf-8").split("\n")[found[0].line - 1].strip() == "low: 60000"
    assert lines[1] == lines[0] + 1
    assert built == [30000, 60000, 30000]  # the second load built only the band whose text changed


def test_open_data_written_record_by_record_is_the_whole_document_dumped() -> None:
    """Put together from each record's JSON, reused across an edit, a file is the same text as its document dumped whole."""
    import json
    from dataclasses import replace
    from site_src import opendata
    from site_src.memo import ByIdentity
    problems = Problems()
    d = data.load(mini_tree(problems), TODAY, 730, problems)
    written = ByIdentity()
    edited = replace(d, bands=(replace(d.bands[0], low=d.bands[0].low + 1000),) + d.bands[1:])
    for version in (d, edited, d):
        whole = opendata.documents(version)
        for f in opendata.FILES:
            name = f.path.removeprefix("data/").removesuffix(".json")
            expected = json.dumps(whole[name], sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
            assert opendata.file_texts(version, f, written)[0] == (f.path, expected)
            assert opendata.file_texts(version, f)[0] == (f.path, expected)
    assert '"low":31000' in opendata.file_texts(edited, opendata.FILES[0])[0][1]


def test_a_renamed_role_is_reported_where_unchanged_files_cite_it_after_a_restart(tmp_path: Path) -> None:
    """References are not stored with the memoised records: a new process works them out again when an id changes."""
    import shutil
    from site_src.memo import Memo
    shutil.copytree(FIXTURES / "mini" / "content", tmp_path / "content")
    templates = Path(__file__).resolve().parents[1] / "templates"

    def load(memo: Memo) -> Problems:
        problems = Problems()
        data.load(sources.discover(tmp_path / "content", templates, problems), TODAY, 730, problems, memo)
        return problems

    memo = Memo()
    assert load(memo).items == []
    memo.save(tmp_path / "cache")
    roles = tmp_path / "content" / "data" / "roles.yaml"
    roles.write_text(roles.read_text("utf-8").replace("id: beta", "id: gamma"), "utf-8")
    found = load(Memo.load(tmp_path / "cache"))  # paths.yaml's records come from the saved memo
    cited = [(Path(p.path).name, p.line) for p in found.items if p.message == "unknown role 'beta'"]
    lines = (tmp_path / "content" / "data" / "paths.yaml").read_text("utf-8").split("\n")
    assert cited == [("paths.yaml", n + 1) for n, line in enumerate(lines) if line.strip() == "- role: beta"] != []


def test_stale_figures_warn_and_future_ones_fail() -> None:
    problems = Problems()
    data.load(mini_tree(problems), date(2025, 7, 1), 30, problems)
    assert any("in the future" in p.message for p in problems.errors)  # survey-b dates are after 2025-07-01
    problems = Problems()
    data.load(mini_tree(problems), date(2027, 1, 1), 30, problems)
    assert not problems.errors and any("days old" in p.message for p in problems.warnings)


def test_date_problems_of_reused_items_point_at_where_the_items_now_sit(tmp_path: Path) -> None:
    """Each list item's date problems are worked out once; after a line is added above it they follow it."""
    import shutil
    from site_src.memo import Memo
    shutil.copytree(FIXTURES / "mini" / "content", tmp_path / "content")
    pay = tmp_path / "content" / "data" / "pay.yaml"
    memo = Memo()
    for extra in ("", "    scope: a note that shifts the bands below it\n"):
        pay.write_text(pay.read_text("utf-8").replace("    low: 30000\n", "    low: 30000\n" + extra, 1), "utf-8")
        problems = Problems()
        tree = sources.discover(tmp_path / "content", Path(__file__).resolve().parents[1] / "templates", problems)
        data.load(tree, date(2027, 1, 1), 30, problems, memo)
        lines = pay.read_text("utf-8").split("\n")
        old = [p for p in problems.warnings if "days old" in p.message and p.path.endswith("pay.yaml")]
        # Every figure in the fixture is older than 30 days on that day: one warning at each as_of line.
        assert sorted(p.line for p in old) == [n + 1 for n, line in enumerate(lines) if line.strip().startswith("as_of:")] != []


def test_pay_matrix_leaves_cells_without_a_band_empty() -> None:
    problems = Problems()
    d = data.load(mini_tree(problems), TODAY, 730, problems)
    matrix = model.pay_matrix(d)
    assert matrix.columns == ("Alpha analyst", "Beta builder")
    assert [(label, [c is None for c in cells]) for label, cells in matrix.rows] == [
        ("Junior, Any company", [False, True]), ("Senior, Any company", [False, True])]


def test_only_roles_drops_every_record_of_other_roles() -> None:
    problems = Problems()
    d = data.load(mini_tree(problems), TODAY, 730, problems).only_roles({"beta"})
    assert [r.id for r in d.roles] == ["beta"]
    assert all(b.role == "beta" for b in d.bands) and all(p.role == "beta" for p in d.paths)
    assert d.verdicts == () and d.recommendations == ()


# --- render ----------------------------------------------------------------

def test_relative_roots_and_an_absolute_root_for_the_404_page() -> None:
    config = SiteConfig("t", "", "d", "https://x.org/sub/", "en", "us", ("A",))
    assert render.root_for("index.html", config) == ""
    assert render.root_for("roles/a/index.html", config) == "../../"
    assert render.root_for("404.html", config) == "/sub/"


def test_undefined_template_variables_are_reported_at_their_template_line(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "page.html").write_text("line one\n{{ nope.attr }}\n")
    problems = Problems()
    tree = sources.discover(tmp_path / "t", tmp_path / "t", Problems())
    env = render.environment(tree)
    config = SiteConfig("t", "", "d", "https://x.org/", "en", "us", ("A",))
    output = model.Output("x/index.html", "page.html", {"url": "x/"})
    assert render.render(env, output, render.context_for(output, config, {}), problems) is None
    [problem] = problems.errors
    assert (problem.path.endswith("t/page.html"), problem.line) == (True, 2)
    assert "nope" in problem.message


# --- markup and its cache --------------------------------------------------

def test_cache_key_covers_text_settings_and_library_version(monkeypatch) -> None:
    base = markup.cache_key("text", markup.settings_fingerprint())
    assert markup.cache_key("text!", markup.settings_fingerprint()) != base
    monkeypatch.setattr(markup.markdown, "__version__", "0.0-test")
    assert markup.cache_key("text", markup.settings_fingerprint()) != base
    monkeypatch.undo()
    monkeypatch.setattr(markup, "EXTENSIONS", ("tables",))
    assert markup.cache_key("text", markup.settings_fingerprint()) != base


def write_pages(folder: Path, bodies: list[str]) -> list[tuple[str, str, str]]:
    """Page files with the given bodies, as Rendering names them: (path, hash, shown)."""
    import hashlib
    folder.mkdir(parents=True, exist_ok=True)
    jobs = []
    for i, body in enumerate(bodies):
        path = folder / f"p{i}.md"
        path.write_text(f"---\nrole: r\n---\n{body}")
        jobs.append((str(path), hashlib.sha256(path.read_bytes()).hexdigest(), path.name))
    return jobs


def rendered(jobs, cache, n_jobs=1) -> list[str]:
    rendering = markup.Rendering(jobs, cache, n_jobs)
    try:
        return list(rendering)
    finally:
        rendering.close()


def test_cache_never_serves_output_rendered_under_other_settings(tmp_path: Path, monkeypatch) -> None:
    cache = Cache(tmp_path / "cache")
    jobs = write_pages(tmp_path / "pages", ["Some *text*\n"])
    assert rendered(jobs, cache) == ["<p>Some <em>text</em></p>"]
    # Poison the entry for the current settings, then change a setting: the poisoned entry must not be used.
    cache.put(markup.page_key(jobs[0][1], markup.settings_fingerprint()), "<p>STALE</p>")
    assert rendered(jobs, cache) == ["<p>STALE</p>"]  # same key: served (the key is the contract)
    monkeypatch.setattr(markup, "FORMAT", "test-bump")
    assert rendered(jobs, cache) == ["<p>Some <em>text</em></p>"]


def test_pages_are_read_again_and_a_page_changed_mid_build_is_refused(tmp_path: Path) -> None:
    from site_src.sources import SourceChanged
    jobs = write_pages(tmp_path / "pages", ["First {{ role id=a }} body\n"])
    assert rendered(jobs, None) == [f"<p>First {shortcodes.OPEN}0{shortcodes.CLOSE} body</p>"]
    Path(jobs[0][0]).write_text("---\nrole: r\n---\nEdited\n")
    with pytest.raises(SourceChanged):
        rendered(jobs, None)


def test_parallel_and_serial_rendering_agree_in_order(tmp_path: Path) -> None:
    jobs = write_pages(tmp_path / "pages", [f"# Title {i}\n\n| a | b |\n|---|---|\n| {i} | x |\n" for i in range(40)])
    serial = rendered(jobs, None, 1)
    parallel = rendered(jobs, Cache(tmp_path / "cache"), 2)
    assert serial == parallel and "Title 39" in serial[39]
    assert rendered(jobs, Cache(tmp_path / "cache", read_only=True), 2) == serial


def test_a_lazy_rendering_renders_and_caches_only_the_pages_wanted(tmp_path: Path) -> None:
    jobs = write_pages(tmp_path / "pages", [f"Page {i}\n" for i in range(40)])
    cache = Cache(tmp_path / "cache")
    rendering = markup.Rendering(jobs, cache, 2, eager=False)
    try:
        rendering.want([3, 30])
        assert rendering.pool is None and rendering.missing == [3, 30]  # two pages: not worth a pool
        assert [rendering.html(3), rendering.html(30)] == ["<p>Page 3</p>", "<p>Page 30</p>"]
    finally:
        rendering.close()
    assert sorted(cache.present) == sorted(rendering.key(i) for i in (3, 30))
    # A cache's memory of what is on disk is only a shortcut: an entry deleted since is rendered again.
    for entry in (tmp_path / "cache").glob(cache_module.FILE + "*"):
        entry.unlink()
    again = markup.Rendering(jobs, Cache(tmp_path / "cache", present=cache.present), 1, eager=False)
    again.want([3])
    assert again.html(3) == "<p>Page 3</p>"


def test_the_cache_keeps_entries_between_runs_and_replaces_a_damaged_file(tmp_path: Path) -> None:
    jobs = write_pages(tmp_path / "pages", ["Some *text*\n"])
    folder, key = tmp_path / "cache", markup.page_key(jobs[0][1], markup.settings_fingerprint())
    first = Cache(folder)
    assert rendered(jobs, first) == ["<p>Some <em>text</em></p>"]
    assert Cache(folder, read_only=True).get(key) == "<p>Some <em>text</em></p>"  # as another process finds it
    first.close()
    for entry in folder.glob(cache_module.FILE + "-*"):  # its write-ahead log, which can outlive a connection
        entry.unlink()
    (folder / cache_module.FILE).write_bytes(b"not a database " * 300)
    assert Cache(folder, read_only=True).get(key) is None  # unusable: a miss, not a failure
    assert rendered(jobs, Cache(folder)) == ["<p>Some <em>text</em></p>"]
    assert Cache(folder).get(key) == "<p>Some <em>text</em></p>"  # the damaged file was replaced and filled again


def test_two_caches_on_one_file_share_it_and_old_file_per_page_entries_are_removed(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    (folder / "3e").mkdir(parents=True)
    (folder / "3e" / "161a.html").write_text("<p>old</p>")
    (folder / "templates").mkdir()  # compiled templates live beside the cache: left alone
    serve, build = Cache(folder), Cache(folder)  # a running serve and a build started beside it
    serve.put("a" * 64, "<p>A</p>")
    build.put("b" * 64, "<p>B</p>")
    build.close()  # written while the other still holds entries of its own
    serve.close()
    assert not (folder / "3e").exists() and (folder / "templates").is_dir()
    reader = Cache(folder, read_only=True)
    assert (reader.get("a" * 64), reader.get("b" * 64), reader.get("c" * 64)) == ("<p>A</p>", "<p>B</p>", None)
    # serve opens its cache on one thread and may rebuild on another
    import threading
    found = []
    thread = threading.Thread(target=lambda: found.append((reader.get("a" * 64), serve.has("b" * 64))))
    thread.start()
    thread.join()
    assert found == [("<p>A</p>", True)] and not reader._off


def test_read_only_cache_stores_nothing(tmp_path: Path) -> None:
    rendered(write_pages(tmp_path / "pages", ["hello"]), Cache(tmp_path / "c", read_only=True))
    assert not (tmp_path / "c").exists()


# --- writer ----------------------------------------------------------------

def test_marker_files_write_each_set_of_templates_and_names_once_and_read_back_to_the_same_records() -> None:
    import json
    from site_src import deps
    base = {"base.html": "t1", "role.html": "t2"}
    records = {"b/index.html": deps.Record(dict(base), ("role", "site"), "v-b"),
               "a/index.html": deps.Record(dict(base), ("role", "site"), "v-a"),
               "c/index.html": deps.Record({"base.html": "t1"}, ("site",), "v-c", "in-c")}
    files = {"a/index.html", "b/index.html", "c/index.html", "data/pay.json"}
    raw = deps.Marker().dump(records, files)
    body = json.loads(raw)
    assert body["templates"] == [base, {"base.html": "t1"}] and body["names"] == [["role", "site"], ["site"]]
    assert body["outputs"] == {"a/index.html": [0, 0, "v-a", ""], "b/index.html": [0, 0, "v-b", ""],
                               "c/index.html": [1, 1, "v-c", "in-c"]}
    assert raw == deps.Marker().dump(dict(reversed(records.items())), files)  # the same bytes, in any order
    assert deps.load(raw) == (records, files) and deps.Marker().read(raw) == (records, files)
    assert deps.Marker().read(b"not json") == ({}, None)
    assert deps.load(raw.replace(b'[1,1,"v-c","in-c"]', b'[7,1,"v-c","in-c"]')) == ({}, None)  # a damaged marker is ignored


def test_a_marker_dumped_again_after_a_few_changes_is_the_marker_dumped_afresh() -> None:
    """Serve's marker encodes only the records that changed; its bytes must be a fresh dump's, which are compact,
    key-sorted JSON, whatever changed: values, sets of templates or names, outputs added or removed."""
    import json
    import random
    from site_src import deps
    rng = random.Random(3)
    template_sets = [{"base.html": "t1", "role.html": "t2"}, {"base.html": "t1"}, {"base.html": "t3", "compare.html": "t4"}]
    name_sets = [("role", "site"), ("site",), ("pay", "site", "url")]

    def record(i: int) -> deps.Record:
        return deps.Record(dict(rng.choice(template_sets)), rng.choice(name_sets), f"v{rng.randrange(10**6)}", f"in{i}")

    records = {f"p{i:02d}/index.html": record(i) for i in range(40)}
    files = set(records) | {"data/pay.json"}
    marker = deps.Marker()
    for step in range(80):
        for path in rng.sample(sorted(records), rng.choice([1, 1, 2, 5])):
            old = records[path]
            choice = rng.random()
            if choice < 0.7:  # re-rendered with the same templates and names: what a figure edit does
                records[path] = deps.Record(old.templates, old.names, f"v{rng.randrange(10**6)}", old.inputs)
            elif choice < 0.85:
                records[path] = record(step)
            elif choice < 0.92 and len(records) > 5:
                del records[path]
                files.discard(path)
            else:
                records[f"n{step}/index.html"] = record(step)
                files.add(f"n{step}/index.html")
        raw = marker.dump(records, files)
        assert raw == deps.dump(records, files), f"step {step}"
        assert raw == (json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")) + "\n").encode(), f"step {step}"
        assert deps.load(raw) == (records, files)
        assert marker.read(raw) == (records, files)  # as serve reads back the marker it wrote


def test_a_record_holds_while_every_value_it_read_is_unchanged() -> None:
    from site_src import deps
    hasher = deps.Hasher()
    context = {"role": ("mlops",), "site": "s"}
    rec = deps.record({"role.html"}, {"role", "site", "m"}, {"role.html": "t1"}, context, hasher)
    assert rec.names == ("m", "role", "site")  # 'm' was looked up and missing: its absence is recorded too
    assert rec.still_valid({"role.html": "t1"}, dict(context), deps.Hasher())
    assert not rec.still_valid({"role.html": "t2"}, context, hasher)
    assert not rec.still_valid({"role.html": "t1"}, {**context, "role": ("prompt",)}, deps.Hasher())
    assert not rec.still_valid({"role.html": "t1"}, {**context, "m": 1}, deps.Hasher())


def test_writer_refuses_paths_outside_the_output_and_paths_written_twice(tmp_path: Path) -> None:
    writer = SiteWriter(tmp_path / "_site")
    writer.write("a/index.html", b"x")
    for bad in ("a/index.html", "../escape.html", "/etc/passwd", "a/../../b", "a//b.html", "./c.html", ""):
        with pytest.raises(OutputError):
            writer.write(bad, b"y")
    writer.abort()
    assert not (tmp_path / "_site").exists() and not (tmp_path / "escape.html").exists()


def test_writer_swaps_in_whole_and_removes_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    first = SiteWriter(out)
    first.write("old.html", b"old")
    first.write("keep.html", b"same")
    first.commit()
    keep_inode = (out / "keep.html").stat().st_ino
    second = SiteWriter(out)
    second.write("keep.html", b"same")
    second.write("new.html", b"new")
    assert (out / "old.html").exists()  # nothing changes until commit
    second.commit()
    assert sorted(p.name for p in out.iterdir()) == [".career-guides", "keep.html", "new.html"]
    assert (out / "keep.html").stat().st_ino == keep_inode
    assert (second.written, second.unchanged) == (1, 1)


def test_output_folder_must_be_ours_and_apart_from_sources(tmp_path: Path) -> None:
    content_dir = tmp_path / "content"
    content_dir.mkdir()
    assert "overlaps" in unsafe_output_reason(content_dir / "out", [content_dir])
    assert "overlaps" in unsafe_output_reason(tmp_path, [content_dir])
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious")
    assert "not made by career-guides" in unsafe_output_reason(foreign, [content_dir])
    assert unsafe_output_reason(tmp_path / "new", [content_dir]) is None


# --- memo (parse results between builds) ----------------------------------

def test_memo_replays_problems_on_a_hit_and_forgets_unused_entries(tmp_path: Path) -> None:
    from site_src.memo import Memo
    memo, calls = Memo(), []

    def step(found: Problems) -> str:
        calls.append(1)
        found.warn("f.md", 3, 1, "careful", "hint")
        return "parsed"

    for _ in range(2):
        problems = Problems()
        assert memo.run(("page", "f.md", "hash1"), step, problems) == "parsed"
        assert [str(p) for p in problems.items] == ["f.md:3:1: warning: careful (hint)"]
    assert len(calls) == 1 and (memo.hits, memo.misses) == (1, 1)
    memo.save(tmp_path)
    again = Memo.load(tmp_path)
    assert again.run(("page", "f.md", "hash1"), step, Problems()) == "parsed" and len(calls) == 1
    again.prune()
    again.prune()  # nothing was used since the last prune
    assert again.entries == {}


def test_a_memo_prunes_once_enough_was_added_and_keeps_what_nested_steps_used() -> None:
    from site_src.memo import Memo
    memo = Memo()
    for i in range(20):
        memo.cached(("entry", i), lambda i=i: i)
    memo.run(("outer",), lambda found: memo.cached(("inner",), lambda: "x"), Problems())
    assert memo.end_build() == 0 and memo.added == 0  # everything was added by this build: pruned, all of it used
    assert len(memo.entries) == 22
    memo.cached(("entry", 0), lambda: 0)
    memo.run(("outer",), lambda found: "not run on a hit", Problems())
    memo.cached(("new",), lambda: "n")
    assert memo.end_build() == 0 and memo.added == 1  # one entry added of 23: no prune yet, the unused stay
    assert len(memo.entries) == 23
    memo.cached(("entry", 0), lambda: 0)
    memo.run(("outer",), lambda found: "not run on a hit", Problems())
    for i in range(5):
        memo.cached(("newer", i), lambda i=i: i)
    assert memo.end_build() == 20  # enough added: what this build did not use goes; the hit on outer kept inner alive
    assert set(memo.entries) == {("entry", 0), ("outer",), ("inner",)} | {("newer", i) for i in range(5)}


def test_settings_hash_afresh_after_pickling() -> None:
    import pickle
    config = SiteConfig("T", "", "D", "https://example.org/", "en", "us", ("Pay",))
    hash(config)
    copy = pickle.loads(pickle.dumps(config))
    assert "_hash" not in copy.__dict__ and copy == config and hash(copy) == hash(config)


def test_by_identity_reuses_what_was_made_from_the_same_objects_only() -> None:
    from site_src.memo import ByIdentity
    made = []
    cache = ByIdentity()

    def make(obj: list) -> str:
        made.append(obj[0])
        return f"<{obj[0]}>"

    a, b, c, d = ["a"], ["b"], ["c"], ["d"]
    cache.start()
    assert cache.each("k", [a, b, c], make) == ["<a>", "<b>", "<c>"] and made == ["a", "b", "c"]
    cache.start()
    assert cache.each("k", [a, ["b"], c], make) == ["<a>", "<b>", "<c>"] and made[3:] == ["b"]  # an equal new object is made again
    cache.start()
    assert cache.each("k", [d, a, b, c], make) == ["<d>", "<a>", "<b>", "<c>"] and made[4:] == ["d", "b"]  # found by id
    cache.start()
    cache.start()  # two rounds on: nothing of the first is kept
    assert cache.each("k", [a], make) == ["<a>"] and made[6:] == ["a"]
    assert cache.get("g", b, lambda: 1) == 1 and cache.get("g", b, lambda: 2) == 1 and cache.get("g", c, lambda: 3) == 3
    assert cache.get_all("t", (a, b), lambda: 5) == 5 and cache.get_all("t", (a, b), lambda: 6) == 5
    assert cache.get_all("t", (a, ["b"]), lambda: 7) == 7  # one new object among them: made again
    cache.start("v1")
    cache.start("v1")  # the same named round again: nothing turns over
    assert cache.get("g", b, lambda: 4) == 1


def test_a_damaged_memo_file_is_ignored(tmp_path: Path) -> None:
    from site_src.memo import Memo, code_fingerprint
    (tmp_path / f"parsed-{code_fingerprint()}.pickle").write_bytes(b"not a pickle")
    assert Memo.load(tmp_path).entries == {}


def test_cached_builds_equal_a_clean_build_after_edits(site: Path, cli) -> None:
    from tests.conftest import snapshot
    assert cli(site, "build").code == 0  # fills the Markdown cache and the parse memo
    role = site / "content/roles/mlops-engineer.md"
    role.write_text(role.read_text().replace("## Who hires", "## Who hires\n\nA new sentence, first.", 1))
    pay = site / "content/data/pay.yaml"
    pay.write_text(pay.read_text().replace("low: 190000", "low: 195000"))
    assert cli(site, "build").code == 0
    assert cli(site, "build", "--no-cache", "--output", "clean").code == 0
    strip = lambda snap: {k: v[0] for k, v in snap.items() if k != ".career-guides"}
    assert strip(snapshot(site / "_site")) == strip(snapshot(site / "clean"))
    assert "A new sentence, first." in (site / "_site/roles/mlops-engineer/index.html").read_text()


def test_after_a_duplicate_entry_later_entries_are_still_reported_at_their_own_line(tmp_path: Path) -> None:
    import shutil
    shutil.copytree(FIXTURES / "mini" / "content", tmp_path / "content")
    pay = tmp_path / "content/data/pay.yaml"
    extra = ("  - measure: top-end\n    label: Again\n    role: alpha\n    source: survey-a\n    as_of: 2025-06-01\n"
             "  - measure: median\n    label: Median\n    role: gamma\n    source: survey-a\n    as_of: 2025-06-01\n")
    pay.write_text(pay.read_text() + extra)
    problems = Problems()
    tree = sources.discover(tmp_path / "content", Path(__file__).resolve().parents[1] / "templates", problems)
    data.load(tree, TODAY, 730, problems)
    lines = pay.read_text().splitlines()
    unknown = next(p for p in problems.errors if "unknown role 'gamma'" in p.message)
    assert lines[unknown.line - 1].strip() == "role: gamma"
    assert any("duplicate measure 'top-end'" in p.message for p in problems.errors)
