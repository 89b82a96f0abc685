"""Load YAML while keeping the line and column of every value, so errors can point at it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]
# Words that YAML 1.1 reads as booleans or null; any other plain scalar starting with a letter is a string.
_SPECIAL = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader with a shortcut for the commonest scalar: plain text starting with a letter."""

    def resolve(self, kind, value, implicit):  # noqa: ANN001 - PyYAML's signature
        if kind is yaml.ScalarNode and implicit[0] and value[:1].isalpha() and value.lower() not in _SPECIAL:
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
        if self._values is None:
            self._values, self._keys = {}, {}
            _convert(yaml.compose(self.text, Loader=_Loader), (), self._values, self._keys, [], set(), _Count())
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


class YamlError(Exception):
    """Malformed YAML, with the place the parser gave up."""

    def __init__(self, message: str, line: int, col: int):
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


def _mark(node: yaml.Node) -> tuple[int, int]:
    """1-based line and column of a node's start."""
    return node.start_mark.line + 1, node.start_mark.column + 1


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
        raise YamlError(f"cannot read this value: {getattr(exc, 'problem', None) or exc}", line, col) from None


class _Count:
    """How many values a conversion has produced, to stop runaway alias expansion."""

    n = 0


def _convert(node: yaml.Node, path: Path, values: dict | None, keys: dict | None,
             duplicates: list[tuple[Path, int, int]], active: set[int], count: _Count) -> Any:
    """Turn a composed node into plain Python values, recording positions on the way when asked to."""
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
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else _mark(key_node)
            key = str(key) if not isinstance(key, str) else key
            if key in out:
                duplicates.append((path + (key,), *_mark(key_node)))
            if keys is not None:
                keys[path + (key,)] = _mark(key_node)
            out[key] = _convert(value_node, path + (key,), values, keys, duplicates, active, count)
    else:
        out = [_convert(item, path + (i,), values, keys, duplicates, active, count) for i, item in enumerate(node.value)]
    active.discard(id(node))
    return out


def load(text: str, line_offset: int = 0) -> tuple[Located, list[tuple[Path, int, int]]]:
    """Parse one YAML document; return it with positions and any duplicate keys found."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlError(exc.problem or str(exc), line + line_offset, col) from None
    except yaml.YAMLError as exc:
        raise YamlError(str(exc), 1 + line_offset, 1) from None
    doc = Located(None, text, line_offset)
    duplicates: list[tuple[Path, int, int]] = []
    if node is not None:
        try:
            doc.value = _convert(node, (), None, None, duplicates, set(), _Count())
        except YamlError as exc:
            raise YamlError(exc.message, exc.line + line_offset, exc.col) from None
    else:
        doc._values, doc._keys = {(): (1, 1)}, {}
    duplicates = [(p, line + line_offset, col) for p, line, col in duplicates]
    return doc, duplicates
