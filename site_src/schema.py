"""Check a parsed YAML document against its shipped JSON Schema.

Each problem is reported at its line.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import fastjsonschema

from . import yamlpos
from .errors import Problems
from .memo import Memo
from .yamlpos import Located

if TYPE_CHECKING:  # for annotations only: validator() imports it when a file has a schema error
    import jsonschema

_ID_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"


@cache
def shipped(name: str) -> dict:
    """A shipped schema, e.g. 'pay' for schemas/pay.schema.json."""
    return json.loads(
        resources.files("site_src").joinpath(f"schemas/{name}.schema.json").read_text("utf-8")
    )


@cache
def validator(name: str) -> jsonschema.protocols.Validator:
    """The detailed validator for a shipped schema, which reports every error with its place."""
    # Imported here: only a file with a schema error needs it, and importing it cost every build
    # 50 ms.
    import jsonschema

    schema = shipped(name)
    return jsonschema.validators.validator_for(schema)(schema)


@cache
def fast_validator(name: str):
    """The same schema compiled to Python.

    Many times faster, used to skip the detailed pass on valid files.
    """
    return fastjsonschema.compile(shipped(name))


_WHOLE_LIST_KEYWORDS = {
    "type",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "title",
    "description",
    "$comment",
}


@cache
def piecewise_validators(name: str) -> tuple[Any, dict[str, Any]]:
    """A schema split in two: one validator per top-level list for its items, and one for the rest.

    A document is valid exactly when the rest is valid and every item is valid against its
    list's item schema: JSON Schema checks each item on its own. So an item that did not
    change need not be checked again.
    """
    root = shipped(name)
    items, rest = {}, {}
    for key, prop in root.get("properties", {}).items():
        # Only lists whose other keywords look at the list as a whole: then the split is exact.
        if (
            isinstance(prop, dict)
            and prop.get("type") == "array"
            and isinstance(prop.get("items"), dict)
            and set(prop) <= _WHOLE_LIST_KEYWORDS
        ):
            # The item schema keeps the root's other keywords ($schema, $defs) so its references
            # resolve.
            items[key] = fastjsonschema.compile(
                {**{k: v for k, v in root.items() if k != "properties"}, **prop["items"]}
            )
            rest[key] = {k: v for k, v in prop.items() if k != "items"}
        else:
            rest[key] = prop
    return fastjsonschema.compile({**root, "properties": rest}), items


def _describe(value: Any) -> str:
    """A short, readable rendering of a YAML value for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value) if isinstance(value, str) else str(value)


def _field(path: tuple) -> str:
    """The dotted name of the field at path, e.g. bands[2].low."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the document"


def _message(error: jsonschema.ValidationError) -> tuple[str, str]:
    """A plain message and a fix hint for one schema error."""
    name, value, kind, arg = (
        _field(tuple(error.absolute_path)),
        error.instance,
        error.validator,
        error.validator_value,
    )
    if kind == "required":
        missing = [k for k in arg if k not in value]
        return f"{name}: missing required key {missing[0]!r}", f"add `{missing[0]}:` to this entry"
    if kind == "type":
        wanted = " or ".join(arg) if isinstance(arg, list) else arg
        return (
            f"{name}: expected {wanted}, got {_describe(value)}",
            f"write {name.split('.')[-1]} as {wanted}",
        )
    if kind == "pattern" and arg == _ID_PATTERN:
        return (
            f"{name}: {_describe(value)} is not a valid id",
            "use lower-case letters, digits and single hyphens, e.g. senior-staff",
        )
    if kind == "pattern" and "[0-9]{4}" in arg:
        return (
            f"{name}: {_describe(value)} is not a date",
            "write dates as YYYY-MM-DD, e.g. 2026-04-20",
        )
    if kind == "pattern":
        return f"{name}: {_describe(value)} does not have the expected form", f"it must match {arg}"
    if kind == "enum":
        return f"{name}: {_describe(value)} is not allowed", "use one of " + ", ".join(
            map(str, arg)
        )
    if kind == "oneOf":
        return f"{name}: {_describe(value)} is not allowed here", error.schema.get(
            "description", "see content/EDITING.md"
        )
    if kind in ("minItems", "maxItems", "minLength", "maxLength"):
        # jsonschema's own message repeats the whole value: a list of options, a long description.
        unit = "item" if kind.endswith("Items") else "character"
        bound = "at least" if kind.startswith("min") else "at most"
        return (
            f"{name}: has {len(value)} {unit}s, {bound} {arg} allowed",
            "see content/EDITING.md for the allowed values",
        )
    # minimum, maximum, uniqueItems: jsonschema's sentence names the value and the limit.
    return f"{name}: {error.message}", "see content/EDITING.md for the allowed values"


def _unknown_keys(error: jsonschema.ValidationError) -> list[tuple[str, str]]:
    """For an additionalProperties error: each unknown key and the likely intended one."""
    allowed = sorted(error.schema.get("properties", {}))
    out = []
    for key in sorted(k for k in error.instance if k not in allowed):
        guess = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        out.append(
            (key, f"did you mean {guess[0]!r}?" if guess else "allowed keys: " + ", ".join(allowed))
        )
    return out


def check(doc: Located, name: str, shown: str, problems: Problems) -> bool:
    """Validate doc against schema `name`; record problems; True when it has no schema errors."""
    try:
        fast_validator(name)(doc.value)
        return True  # valid, unknown keys included (they would fail additionalProperties)
    except fastjsonschema.JsonSchemaException:
        pass  # run the detailed validator for every error and warning, with positions
    ok = True
    for error in sorted(
        validator(name).iter_errors(doc.value),
        key=lambda e: (list(map(str, e.absolute_path)), e.validator),
    ):
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties":
            # Unknown keys are warnings: the build ignores them, the editor probably meant another
            # key.
            for key, hint in _unknown_keys(error):
                line, col = doc.key_at(path + (key,))
                problems.warn(shown, line, col, f"unknown key {key!r} in {_field(path)}", hint)
            continue
        ok = False
        line, col = doc.at(path)
        message, hint = _message(error)
        problems.error(shown, line, col, message, hint)
    return ok


def _checked_piece(piece: yamlpos.Piece, name: str) -> tuple[bool, Any]:
    """Whether one piece parses cleanly, and its value.

    For a list item, parsing cleanly includes meeting its item schema.
    """
    try:
        value = yamlpos.parse_piece(piece)
    except yamlpos.YamlError:
        return False, None
    item_valid = piecewise_validators(name)[1].get(piece.key) if piece.item else None
    try:
        if item_valid:
            item_valid(value)
    except fastjsonschema.JsonSchemaException:
        return False, value
    return True, value


def _valid_by_pieces(text: str, name: str, memo: Memo, line_offset: int) -> Located | None:
    """The document when it is free of problems, parsed and checked piece by piece.

    None when that cannot say.

    Pieces are memoised by their text, so after an edit to one list item only that item is
    parsed and checked again. Any doubt (a layout split cannot cut, a piece that fails) gives
    None, and the caller parses the whole text, which also finds and places every problem.
    """
    # This process's last version of the file: [text, pieces, what each piece gave].
    held: list[Any] = memo.cached(("yaml split", name), list, transient=True)
    pieces = yamlpos.split_after_edit(held[0], held[1], text) if held else None
    # The last version's pieces by their text: one memo entry per file, as thousands of entries cost
    # more than the parse.
    last = memo.recall(("yaml pieces", name)) or {}
    if pieces is not None:  # the same piece objects but one: only that one is looked up
        results = [
            result if p is q else last.get((p.key, p.item, p.text)) or _checked_piece(p, name)
            for p, q, result in zip(pieces, held[1], held[2], strict=True)
        ]
        now = dict(last)
        for p, q, result in zip(pieces, held[1], results, strict=True):
            # the edited piece's last text goes, so edits all day do not pile up entries
            if p is not q:
                now.pop((q.key, q.item, q.text), None)
                now[(p.key, p.item, p.text)] = result
    else:
        pieces = yamlpos.split(text)
        if pieces is None:
            return None
        now = {}
        for p in pieces:
            key = (p.key, p.item, p.text)
            hit = last.get(key)
            now[key] = hit if hit is not None else _checked_piece(p, name)
        results = (
            list(now.values())
            if len(now) == len(pieces)
            else [now[(p.key, p.item, p.text)] for p in pieces]
        )
    memo.remember(("yaml pieces", name), now)
    held[:] = [text, pieces, results]
    if not all(ok for ok, _ in results):
        return None
    value = yamlpos.assemble(pieces, [v for _, v in results])
    if not isinstance(value, dict):
        return None
    try:
        piecewise_validators(name)[0](value)
    except fastjsonschema.JsonSchemaException:
        return None
    return Located(value, text, line_offset)


def load_checked(
    text: str,
    shown: str,
    name: str,
    problems: Problems,
    line_offset: int = 0,
    not_mapping: str = "see content/EDITING.md",
    what: str = "YAML",
    memo: Memo | None = None,
) -> tuple[Located | None, bool]:
    """Parse YAML that must be a mapping and check it against schema `name`.

    Returns the document (None when it is malformed or not a mapping) and whether it is
    free of errors; every problem found is recorded at its line. With a memo, a document
    made of list items is parsed and checked one item at a time, reusing unchanged ones.
    """
    if memo is not None:
        doc = _valid_by_pieces(text, name, memo, line_offset)
        if doc is not None:
            return doc, True
    try:
        doc, duplicates = yamlpos.load(text, line_offset)
    except yamlpos.YamlError as exc:
        problems.error(
            shown,
            exc.line,
            exc.col,
            f"malformed {what}: {exc.message}",
            "check the indentation and quoting on this line and the one before",
        )
        return None, False
    for path, line, col in duplicates:
        problems.error(
            shown,
            line,
            col,
            f"key {path[-1]!r} appears twice in the same entry",
            "remove one of them",
        )
    if not isinstance(doc.value, dict):
        problems.error(
            shown,
            1 + line_offset,
            1,
            f"{'front matter' if what == 'front matter' else 'the file'} "
            "is not a mapping of keys to values",
            not_mapping,
        )
        return None, False
    return doc, check(doc, name, shown, problems) and not duplicates
