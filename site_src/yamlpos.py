"""Load YAML while keeping the line and column of every value, so errors can point at it."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, NamedTuple

import yaml

Path = tuple[str | int, ...]
# Words that YAML 1.1 reads as booleans or null; any other plain scalar starting with a letter is a
# string.
_SPECIAL = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader with a shortcut for the commonest scalar.

    That is plain text starting with a letter.
    """

    def resolve(self, kind, value, implicit):  # noqa: ANN001 - PyYAML's signature
        if (
            kind is yaml.ScalarNode
            and implicit[0]
            and value[:1].isalpha()
            and value.lower() not in _SPECIAL
        ):
            return "tag:yaml.org,2002:str"
        return super().resolve(kind, value, implicit)


_constructor = yaml.constructor.SafeConstructor()


@dataclass
class Located:
    """A parsed YAML document that can say where each value and mapping key sits (1-based).

    Positions are worked out on first use, by parsing the text again: most builds report no
    problem and never need them, and for a large data file they cost more memory than the data.
    """

    value: Any
    text: str = ""
    line_offset: int = 0
    _values: dict[Path, tuple[int, int]] | None = field(default=None, repr=False)
    _keys: dict[Path, tuple[int, int]] | None = field(default=None, repr=False)

    def _positions(self) -> tuple[dict, dict]:
        if self._values is None or self._keys is None:  # the two are set together
            self._values, self._keys = {}, {}
            node = _compose(self.text)
            # load() sets the positions of an empty document itself, so this text has a node.
            assert node is not None
            _convert(node, (), self._values, self._keys, [], set(), _Count())
        return self._values, self._keys

    @property
    def values(self) -> dict[Path, tuple[int, int]]:
        """Path -> position of every value (computed on first use)."""
        return self._positions()[0]

    @property
    def keys(self) -> dict[Path, tuple[int, int]]:
        """Path -> position of every mapping key (computed on first use)."""
        return self._positions()[1]

    def __getstate__(self) -> dict:
        # Positions are never stored: they are cheap to recompute and large to keep.
        return {**self.__dict__, "_values": None, "_keys": None}

    def at(self, path: Path) -> tuple[int, int]:
        """Line and column of the value at path, or of its nearest located ancestor."""
        for end in range(len(path), -1, -1):
            hit = self.values.get(path[:end])
            if hit:
                return hit[0] + self.line_offset, hit[1]
        return 1 + self.line_offset, 1

    def key_at(self, path: Path) -> tuple[int, int]:
        """Line and column of the mapping key that introduces path."""
        hit = self.keys.get(path)
        return (hit[0] + self.line_offset, hit[1]) if hit else self.at(path)


class _RedefiningComposer(yaml.SafeLoader):
    """A composer that lets an anchor be defined again.

    The later definition wins, as the loader does.
    """

    def compose_node(self, parent, index):  # noqa: ANN001, ANN201 - PyYAML's signature
        if not self.check_event(yaml.AliasEvent):
            self.anchors.pop(self.peek_event().anchor, None)
        return super().compose_node(parent, index)


def _compose(text: str) -> yaml.Node | None:
    """The node tree of text, for positions.

    Only a text that defines an anchor twice takes the slow path.
    """
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.composer.ComposerError:
        return yaml.compose(text, Loader=_RedefiningComposer)


class YamlError(Exception):
    """Malformed YAML, with the place the parser gave up."""

    def __init__(self, message: str, line: int, col: int):
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


def _mark(item: yaml.Node | yaml.Event) -> tuple[int, int]:
    """1-based line and column of a node's or a parser event's start."""
    assert item.start_mark is not None  # PyYAML's parser marks every event and node
    return item.start_mark.line + 1, item.start_mark.column + 1


# Aliases are expanded in place; this bounds the expansion so a self-referencing or
# exponentially nested alias fails cleanly instead of exhausting memory.
_MAX_NODES = 2_000_000


_STR, _INT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int"


def _scalar(node: yaml.Node) -> Any:
    """A scalar's Python value; unknown tags such as !foo are errors at their position."""
    # The common cases, without the constructor's overhead (the parser has already resolved tags).
    if node.tag == _STR:
        return node.value
    if node.tag == _INT and node.value.isdigit():
        return int(node.value)
    if node.tag == "tag:yaml.org,2002:timestamp":
        return node.value  # dates stay as typed; the schema checks their form
    if not node.tag.startswith("tag:yaml.org,2002:"):
        line, col = _mark(node)
        raise YamlError(f"unknown tag {node.tag!r}", line, col)
    try:
        return _constructor.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError) as exc:
        line, col = _mark(node)
        raise YamlError(
            f"cannot read this value: {getattr(exc, 'problem', None) or exc}", line, col
        ) from None


class _Count:
    """How many values a conversion has produced, to stop runaway alias expansion."""

    n = 0


def _convert(
    node: yaml.Node,
    path: Path,
    values: dict | None,
    keys: dict | None,
    duplicates: list[tuple[Path, int, int]],
    active: set[int],
    count: _Count,
) -> Any:
    """Turn a composed node into plain Python values.

    Record positions on the way when asked to.
    """
    if id(node) in active:
        line, col = _mark(node)
        raise YamlError("an alias refers to the value that contains it", line, col)
    count.n += 1
    if count.n > _MAX_NODES:
        line, col = _mark(node)
        raise YamlError("aliases expand to too many values", line, col)
    if values is not None:
        values[path] = _mark(node)
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    active.add(id(node))
    out: dict[str, Any] | list[Any]
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else _mark(key_node)
            key = str(key) if not isinstance(key, str) else key
            if key in out:
                duplicates.append((path + (key,), *_mark(key_node)))
            if keys is not None:
                keys[path + (key,)] = _mark(key_node)
            out[key] = _convert(value_node, path + (key,), values, keys, duplicates, active, count)
    else:
        out = [
            _convert(item, path + (i,), values, keys, duplicates, active, count)
            for i, item in enumerate(node.value)
        ]
    active.discard(id(node))
    return out


def _build(text: str) -> tuple[Any, list[tuple[Path, int, int]]]:
    """Plain values straight from the parser's events, with duplicate keys noted.

    No node tree is built: for a large data file the tree took several times the memory of
    the values. An alias reuses its anchor's value; a value whose aliases would expand past
    _MAX_NODES is refused, since every later walk over the data would expand them.
    """
    resolver = _Loader("")
    stack: list[list] = []  # open collections: [container, path, pending key, anchor, size]
    anchors: dict[str, tuple[Any, int]] = {}
    open_anchors: set[str] = set()
    duplicates: list[tuple[Path, int, int]] = []
    root: list = []

    def add(value: Any, size: int, event: yaml.Event) -> None:
        if not stack:
            root.append(value)
            return
        top = stack[-1]
        top[4] += size
        if top[4] > _MAX_NODES:
            raise YamlError("aliases expand to too many values", *_mark(event))
        if isinstance(top[0], list):
            top[0].append(value)
        elif top[2] is None:
            if not isinstance(value, str):
                if isinstance(value, (list, dict)):
                    raise YamlError("a mapping key must be plain text", *_mark(event))
                value = str(value)
            if value in top[0]:
                duplicates.append((top[1] + (value,), *_mark(event)))
            top[2] = value
        else:
            top[0][top[2]] = value
            top[2] = None

    def path_here() -> Path:
        if not stack:
            return ()
        top = stack[-1]
        return top[1] + ((len(top[0]),) if isinstance(top[0], list) else (top[2],))

    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.ScalarEvent):
            tag = (
                event.tag
                if event.tag not in (None, "!")
                else resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
            )
            # The stubs type a node's marks as the pure-Python Mark; the C parser gives its own.
            node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)  # type: ignore[arg-type]
            value = _scalar(node)
            if event.anchor:
                anchors[event.anchor] = (value, 1)
            add(value, 1, event)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if event.tag not in (None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
                raise YamlError(f"unknown tag {event.tag!r}", *_mark(event))
            container: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
            if stack and isinstance(stack[-1][0], dict) and stack[-1][2] is None:
                raise YamlError("a mapping key must be plain text", *_mark(event))
            stack.append([container, path_here(), None, event.anchor, 1])
            if event.anchor:
                open_anchors.add(event.anchor)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            container, _, _, anchor, size = stack.pop()
            if anchor:
                anchors[anchor] = (container, size)
                open_anchors.discard(anchor)
            add(container, size, event)
        elif isinstance(event, yaml.AliasEvent):
            line, col = _mark(event)
            if event.anchor in open_anchors:
                raise YamlError("an alias refers to the value that contains it", line, col)
            if event.anchor not in anchors:
                raise YamlError(f"alias *{event.anchor} has no anchor", line, col)
            value, size = anchors[event.anchor]
            add(value, size, event)
    return (root[0] if root else None), duplicates


def load(text: str, line_offset: int = 0) -> tuple[Located, list[tuple[Path, int, int]]]:
    """Parse one YAML document; return it and any duplicate keys found.

    Positions are worked out on demand.
    """
    try:
        value, duplicates = _build(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlError(exc.problem or str(exc), line + line_offset, col) from None
    except yaml.YAMLError as exc:
        raise YamlError(str(exc), 1 + line_offset, 1) from None
    except YamlError as exc:
        raise YamlError(exc.message, exc.line + line_offset, exc.col) from None
    doc = Located(value, text, line_offset)
    if value is None:
        doc._values, doc._keys = {(): (1, 1)}, {}
    return doc, [(p, line + line_offset, col) for p, line, col in duplicates]


# a tuple, not a dataclass: a large file has thousands and they are made on every edit
class Piece(NamedTuple):
    """A stretch of a block-style document that parses on its own.

    A top-level key, or one item of its list.
    """

    key: str
    item: bool  # True: one item of key's list; False: the key's own line(s)
    text: str


_TOP_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*[ \t]*:(?:[ \t]|\r?\n|$)")
_ITEM = re.compile(r"( *)-(?:[ \t]|\r?\n|$)")


# Every line break before a line indented by at most three spaces: all other lines continue the
# piece above them.
_SHALLOW = re.compile(r"\n(?! {4}| *\r?\n)")


def _filler(line: str) -> bool:
    """A blank or comment-only line, which may sit anywhere."""
    bare = line.strip()
    return not bare or bare.startswith("#")


def _odd_breaks(text: str) -> bool:
    """Whether text has line breaks other than \\n and \\r\\n.

    YAML honours them too, but split would not see them.
    """
    return any(c in text for c in "\x85\u2028\u2029") or text.count("\r") != text.count("\r\n")


def split(text: str) -> list[Piece] | None:
    """Cut a document into its top-level keys and the items of their block lists.

    None for any other layout.

    Each piece is parsed on its own, so an edit to one list item re-parses only that item.
    The cut follows YAML's indentation rules: an item runs until the next line indented no
    deeper than its dash. Anything this plain reading cannot place (a document marker, a
    directive, a line left of an item's dash) gives None, and the caller parses the whole text.
    Items indented four spaces or more are left inside their key's piece.
    """
    if _odd_breaks(text):
        return None
    # where each piece starts, its key, whether it is an item
    cuts: list[tuple[int, str, bool]] = []
    # opened: where the current key's line ends; indent: the items' dash column; -2 before the
    # first, -1 when the key has no list
    key, indent, opened = "", -1, 0
    # while in a list (indent >= 0): how its items' lines start, and how lines inside an item start
    item = deeper = ""
    for start in [0, *(match.end() for match in _SHALLOW.finditer(text))]:
        # The commonest lines first, tested in place: the next item of the list, a line inside the
        # current one.
        if indent >= 0:
            if text.startswith(item, start):
                cuts.append((start, key, True))
                continue
            if text.startswith(deeper, start):
                continue
        line = text[start : text.find("\n", start) + 1 or len(text)]
        if _filler(line):
            continue  # a blank line or a comment
        if indent == -2 and any(
            not _filler(skipped) for skipped in text[opened:start].splitlines()
        ):
            # the key's value began on a line indented four or more: the key stays one piece
            indent = -1
        if line[0] not in " -":
            if not _TOP_KEY.match(line):
                return None  # a document marker, a directive, a quoted or flow key, ...
            key = line.split(":", 1)[0].rstrip(" \t")
            # comments before the first key go with it
            cuts.append((start if cuts else 0, key, False))
            inline = line.split(":", 1)[1].strip()
            # A key with nothing after it may open a list; one with a value stays a single piece.
            indent = -2 if not inline or inline[0] == "#" else -1
            opened = start + len(line)
            continue
        if not key:
            return None
        dash = _ITEM.match(line)
        if indent == -2 and dash:
            indent = len(dash.group(1))
            item, deeper = " " * indent + "- ", " " * (indent + 1)
        if indent >= 0 and dash and len(dash.group(1)) == indent:
            cuts.append((start, key, True))
            continue
        if indent >= 0 or line[0] == "-":
            return None  # left of the items' dashes: a continuation this reading cannot place
        indent = -1  # the key's value goes on over more lines (a mapping, say): it stays one piece
    ends = [start for start, _, _ in cuts[1:]] + [len(text)]
    return [
        Piece(key, item, text[start:end])
        for (start, key, item), end in zip(cuts, ends, strict=True)
    ] or None


def split_after_edit(before: str, pieces: list[Piece], text: str) -> list[Piece] | None:
    """split(text), worked out from split(before) when text differs from it within one line of a
    list item, right of the item's dash; None for any other edit, and the caller splits the whole
    text.

    Such a line starts deeper than the dash before and after the edit, so split reads it as
    part of its item either way and cuts every other line as before: the pieces are the old
    ones, the same objects, but for that item's.
    """
    start, end = _common_ends(before, text)
    if any(
        c in before[start : len(before) - end] or c in text[start : len(text) - end]
        for c in "\n\r\x85\u2028\u2029"
    ):
        return None  # a line break added or removed: lines may be cut otherwise
    starts = list(accumulate((len(p.text) for p in pieces), initial=0))
    k = bisect.bisect_right(starts, start) - 1
    if k >= len(pieces) or not pieces[k].item:
        return None
    # 0 when the edit is on the item's first line, the dash's
    line = before.rfind("\n", starts[k], start) + 1
    deeper = " " * (len(pieces[k].text) - len(pieces[k].text.lstrip(" ")) + 1)
    if line <= starts[k] or start - line < len(deeper) or not before.startswith(deeper, line):
        return None
    grown = len(text) - len(before)
    return [
        *pieces[:k],
        Piece(pieces[k].key, True, text[starts[k] : starts[k + 1] + grown]),
        *pieces[k + 1 :],
    ]


def _common_ends(a: str, b: str) -> tuple[int, int]:
    """How many characters a and b share at the start, and then at the end.

    The end never overlaps the start.
    """
    n = min(len(a), len(b))
    head = _shared(lambda i, j: a[i:j] == b[i:j], n)
    return head, _shared(
        lambda i, j: a[len(a) - j : len(a) - i] == b[len(b) - j : len(b) - i], n - head
    )


def _shared(same: Callable[[int, int], bool], n: int, chunk: int = 1 << 16) -> int:
    """The largest m <= n with same(0, m).

    Given that same(i, j) says whether characters i to j agree.
    """
    i = 0
    while i + chunk <= n and same(i, i + chunk):  # a large file is compared a slice at a time, in C
        i += chunk
    lo, hi = i, min(i + chunk, n)  # same(0, i) holds; find the largest m in i..hi with same(i, m)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if same(i, mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def parse_piece(piece: Piece) -> Any:
    """The value of one piece: an item's value, or the key's own value (None when a list follows).

    Raises YamlError when the piece does not parse cleanly on its own (including duplicate
    keys), and the caller then parses the whole document to report it in place.
    """
    try:
        value, duplicates = _build(piece.text)
    except yaml.YAMLError as exc:
        # where exactly is for the whole-text parse to say
        raise YamlError(str(exc), 1, 1) from None
    if duplicates:
        raise YamlError("duplicate key", *duplicates[0][1:])
    if piece.item:
        if not isinstance(value, list) or len(value) != 1:
            raise YamlError("not one list item", 1, 1)
        return value[0]
    if not isinstance(value, dict) or list(value) != [piece.key]:
        raise YamlError("not one key", 1, 1)
    return value[piece.key]


def assemble(pieces: list[Piece], values: list[Any]) -> dict | None:
    """The document the pieces make, or None when they do not fit together.

    E.g. a key twice, items after a value.
    """
    out: dict[str, Any] = {}
    for piece, value in zip(pieces, values, strict=True):
        if not piece.item:
            if piece.key in out:
                return None
            out[piece.key] = value
        elif out[piece.key] is None:
            out[piece.key] = [value]
        elif isinstance(out[piece.key], list):
            out[piece.key].append(value)
        else:
            return None
    return out
