"""Shortcodes: how prose cites a figure from the data instead of typing it."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from . import figures
from .data import Data, dated_sources

# Placeholders are control characters that Markdown passes through and editors never type;
# being ASCII, they keep every page body at one byte per character in memory.
OPEN, CLOSE = "\x0e", "\x0f"
PLACEHOLDER = re.compile(f"{OPEN}(\\d+){CLOSE}")
_LOOSE = re.compile(r"\{\{(.*?)\}\}")
_ARG = re.compile(r"([a-z_]+)=([^\s=]+)$")

# name -> (required arguments, optional arguments)
SPECS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "pay": (("role", "level", "tier"), ("location",)),
    "runway": (("role", "background"), ()),
    "fact": (("role", "key"), ()),
    "role": (("id",), ()),
    "verdict": (("measure",), ()),
    "horizon": (("role",), ()),
    "background": (("id",), ()),
}


@dataclass(frozen=True)
class Shortcode:
    """One `{{ name key=value ... }}` in a page, and where it starts (1-based, in the file)."""

    name: str
    args: tuple[tuple[str, str], ...]
    line: int
    col: int

    def arg(self, key: str, default: str = "") -> str:
        """The value of one argument."""
        return dict(self.args).get(key, default)


@dataclass(frozen=True)
class Issue:
    """A shortcode problem: where, what, and how to fix it."""

    line: int
    col: int
    message: str
    hint: str


def _parse_one(inner: str, line: int, col: int) -> Shortcode | Issue:
    """Parse the text between the braces."""
    words = inner.split()
    if not words:
        return Issue(
            line,
            col,
            "empty shortcode {{ }}",
            "name a shortcode, e.g. {{ pay role=ID level=ID tier=ID }}",
        )
    name = words[0]
    if name not in SPECS:
        guess = difflib.get_close_matches(name, SPECS, n=1)
        return Issue(
            line,
            col,
            f"unknown shortcode {name!r}",
            f"did you mean {guess[0]!r}?"
            if guess
            else "shortcodes are " + ", ".join(sorted(SPECS)),
        )
    required, optional = SPECS[name]
    args: dict[str, str] = {}
    for word in words[1:]:
        m = _ARG.match(word)
        if not m:
            return Issue(
                line,
                col,
                f"{name}: cannot read {word!r}",
                "write arguments as key=value with no spaces around =",
            )
        if m.group(1) not in required + optional:
            guess = difflib.get_close_matches(m.group(1), required + optional, n=1)
            return Issue(
                line,
                col,
                f"{name}: unknown argument {m.group(1)!r}",
                f"did you mean {guess[0]!r}?"
                if guess
                else "it takes " + ", ".join(required + optional),
            )
        args[m.group(1)] = m.group(2)
    missing = [k for k in required if k not in args]
    if missing:
        return Issue(
            line,
            col,
            f"{name}: missing argument {missing[0]!r}",
            f"write {{{{ {name} " + " ".join(f"{k}=..." for k in required) + " }}",
        )
    return Shortcode(name, tuple(sorted(args.items())), line, col)


def extract(body: str, first_line: int) -> tuple[str, tuple[Shortcode, ...], list[Issue]]:
    """Replace each shortcode with a numbered placeholder.

    Return the text, the shortcodes and any problems.
    """
    codes: list[Shortcode] = []
    issues: list[Issue] = []
    out_lines = []
    for n, text in enumerate(body.split("\n")):
        line = first_line + n

        def swap(m: re.Match, line: int = line) -> str:
            parsed = _parse_one(m.group(1), line, m.start() + 1)
            if isinstance(parsed, Issue):
                issues.append(parsed)
                return ""
            codes.append(parsed)
            return f"{OPEN}{len(codes) - 1}{CLOSE}"

        replaced = _LOOSE.sub(swap, text)
        if "{{" in replaced:
            issues.append(
                Issue(
                    line,
                    replaced.index("{{") + 1,
                    "shortcode is not closed with }}",
                    "shortcodes must fit on one line",
                )
            )
        out_lines.append(replaced)
    return "\n".join(out_lines), tuple(codes), issues


def _unknown(kind: str, value: str, known: list[str]) -> tuple[str, str]:
    """Message and hint for an id that the data does not define."""
    guess = difflib.get_close_matches(value, known, n=1)
    return f"unknown {kind} {value!r}", (
        f"did you mean {guess[0]!r}?" if guess else "known: " + ", ".join(known)
    )


def check(code: Shortcode, data: Data, default_location: str) -> tuple[str, str] | None:
    """Why this shortcode cannot be resolved against the data, or None when it can."""
    ids = {
        name: data.ids(name) for name in ("roles", "levels", "tiers", "locations", "backgrounds")
    }
    role_key = "id" if code.name == "role" else "role"
    if (
        role_key in dict(code.args)
        and code.name != "background"
        and code.arg(role_key) not in ids["roles"]
    ):
        return _unknown("role", code.arg(role_key), list(ids["roles"]))
    if code.name == "pay":
        for kind, key in (("level", "level"), ("tier", "tier"), ("location", "location")):
            value = code.arg(key, default_location)
            if value not in ids[kind + "s"]:
                return _unknown(kind, value, list(ids[kind + "s"]))
        if find_band(code, data, default_location) is None:
            return (
                f"no pay band for {code.arg('role')} at level {code.arg('level')}, "
                f"tier {code.arg('tier')}, "
                f"location {code.arg('location', default_location)}",
                "add the band to data/pay.yaml, or cite one that exists",
            )
    if code.name == "runway":
        if code.arg("background") not in ids["backgrounds"]:
            return _unknown("background", code.arg("background"), list(ids["backgrounds"]))
        path = find_path(code, data)
        if path is None:
            return (
                f"no entry path from {code.arg('background')} into {code.arg('role')}",
                "add it to data/paths.yaml",
            )
        if path.runway is None:
            return (
                f"the path from {code.arg('background')} into {code.arg('role')} "
                "has no runway figure",
                "the source gives none: describe the path in words instead of citing a figure",
            )
    if code.name == "fact":
        role = data.role(code.arg("role"))
        if role and role.fact(code.arg("key")) is None:
            return _unknown(
                f"fact of {role.id}", code.arg("key"), [f.key for f in role.facts] or ["(none)"]
            )
    if code.name == "verdict" and not any(v.measure == code.arg("measure") for v in data.verdicts):
        return _unknown("verdict measure", code.arg("measure"), [v.measure for v in data.verdicts])
    if code.name == "background" and code.arg("id") not in ids["backgrounds"]:
        return _unknown("background", code.arg("id"), list(ids["backgrounds"]))
    return None


def find_band(code: Shortcode, data: Data, default_location: str):
    """The pay band a pay shortcode cites, if any."""
    location, level, tier = (
        code.arg("location", default_location),
        code.arg("level"),
        code.arg("tier"),
    )
    return next(
        (
            b
            for b in data.bands_of(code.arg("role"))
            if level in b.levels and b.tier == tier and b.location == location
        ),
        None,
    )


def find_path(code: Shortcode, data: Data):
    """The entry path a runway shortcode cites, if any."""
    return data.path(code.arg("role"), code.arg("background"))


def _record(code: Shortcode, data: Data, default_location: str):
    """The sourced record a figure shortcode cites; None for words-only shortcodes.

    The record is a band, path, fact or verdict.
    """
    if code.name == "pay":
        return find_band(code, data, default_location)
    if code.name == "runway":
        return find_path(code, data)
    if code.name == "fact":
        role = data.role(code.arg("role"))
        assert role is not None  # check() has found the role of every shortcode expanded
        return role.fact(code.arg("key"))
    if code.name == "verdict":
        return next(v for v in data.verdicts if v.measure == code.arg("measure"))
    return None


def citations(records: list) -> list[tuple[str, tuple[str, ...]]]:
    """The sources a page's figures cite, numbered by first appearance: (source id, as-of dates).

    Records are as _record finds them.
    """
    return list(dated_sources(r for r in records if r is not None).items())


def _note_ref(note: int) -> Markup:
    """A link to a numbered source note at the end of the page; kept out of the search index."""
    return Markup(
        f'<sup class="note-ref" data-pagefind-ignore><a href="#note-{note}">'
        '<span class="visually-hidden">source </span>'
        f"{note}</a></sup>"
    )


def _figure(text: str, words: str, note: int) -> Markup:
    """A cited figure with a link to its numbered source note.

    It is marked so readers (and tests) can tell it came from the data.
    """
    # f-strings with escape(), not Markup.format: every page expands dozens of these on each render.
    return Markup(
        f'<span class="fig" title="{escape(words)}">{escape(text)}</span>{_note_ref(note)}'
    )


def expand(code: Shortcode, record, data: Data, root: str, notes: dict[str, int]) -> Markup:
    """The HTML a checked shortcode stands for, given the record it cites (see _record); root is the
    relative path to the site root, notes numbers each source."""
    note = notes[record.source] if record is not None else 0
    if code.name == "pay":
        return _figure(figures.band(record), figures.band_words(record), note)
    if code.name == "runway":
        text = figures.runway(record)
        return _figure(text, text, note)
    if code.name == "fact":
        return _figure(figures.fact(record), record.label, note)
    if code.name in ("role", "verdict"):
        role_id = code.arg("id") or record.role
        role = data.role(role_id)
        assert role is not None  # check() found the role; a verdict's role is a checked reference
        link = f'<a href="{escape(root)}roles/{escape(role_id)}/">{escape(role.in_sentence)}</a>'
        # str + Markup would escape the str
        return Markup(f"{link}{_note_ref(note)}" if code.name == "verdict" else link)
    if code.name == "horizon":
        role = data.role(code.arg("role"))
        assert role is not None  # check() has found the role of every shortcode expanded
        return escape(figures.horizon(role.durability.horizon_years))
    if code.name == "background":
        return escape(data.label("backgrounds", code.arg("id")))
    raise ValueError(f"unhandled shortcode {code.name}")


def notes_html(cited: list[tuple[str, tuple[str, ...]]], data: Data, root: str) -> Markup:
    """The numbered list of the sources a page's figures cite (see citations); empty when none.

    For the end of the page's body.
    """
    if not cited:
        return Markup("")
    items = []
    for number, (source_id, dates) in enumerate(cited, 1):
        s = data.source(source_id)
        assert s is not None  # a record's source is a checked reference to a known source
        items.append(
            Markup(
                '<li id="note-{}">{}, <a href="{}sources/#src-{}">{}</a>. Figures as of {}.</li>'
            ).format(number, s.publisher, root, source_id, s.title, ", ".join(dates))
        )
    return Markup(
        '<section class="notes" aria-labelledby="notes-h" data-pagefind-ignore>'
        '<h2 id="notes-h">Sources for the figures above</h2>'
        "<ol>{}</ol></section>"
    ).format(Markup("").join(items))


def expansions(
    codes: tuple[Shortcode, ...], data: Data, default_location: str, root: str
) -> tuple[list[str], str]:
    """What each of a page's shortcodes expands to, and the source notes that end its body."""
    # found once, for the notes and the figures
    records = [_record(code, data, default_location) for code in codes]
    cited = citations(records)
    notes = {source: n for n, (source, _) in enumerate(cited, 1)}
    return (
        [
            str(expand(code, record, data, root, notes))
            for code, record in zip(codes, records, strict=True)
        ],
        str(notes_html(cited, data, root)),
    )


def fill(html: str, expanded: tuple[list[str], str]) -> str:
    """Put a page's expanded shortcodes (see expansions) back where their placeholders sit in
    rendered HTML, and its source notes after it."""
    parts, notes = expanded
    return PLACEHOLDER.sub(lambda m: parts[int(m.group(1))], html) + notes
