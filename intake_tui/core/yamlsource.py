"""Read a YAML file strictly into plain data, keeping the line and column of every key and value.

Every problem is reported as a `Problem` at `path:line:col`, never as a traceback: binary junk,
empty files, huge files, duplicate keys, tags and aliases (YAML bombs) are all refused with a
message a functional admin can act on. The dialect is deliberately small (see
docs/bundle-format.md): only `true`/`false` are booleans and dates stay text, so `no` or
`2023-04-12` never change meaning behind the admin's back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from intake_tui.i18n import _

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64

DataPath = tuple[str | int, ...]

_INT = re.compile(r"[-+]?[0-9]+\Z")
_DECIMAL = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\Z")
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:value",
    "tag:yaml.org,2002:merge",
}

try:  # libyaml is about ten times faster; PyYAML's wheels ship it, a source build may not.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file, 1-based, as editors count."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong in a bundle file, with where it is."""

    location: Location
    message: str
    warning: bool = False  # worth changing, but the bundle loads and runs as written

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.location}: {kind}{self.message}"


@dataclass
class SourceMap:
    """Positions of the values (and of the keys) of a YAML document, by data path."""

    path: str
    values: dict[DataPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[DataPath, tuple[int, int]] = field(default_factory=dict)
    broken: set[DataPath] = field(default_factory=set)  # places already reported as problems
    quoted: set[DataPath] = field(default_factory=set)  # scalars written in '...' or "..."

    def locate(self, data_path: DataPath, *, key: bool = False) -> Location:
        """Where `data_path` is; the nearest enclosing known place if it is not in the file."""
        probe = data_path
        while True:
            table = self.keys if key and probe in self.keys else self.values
            if probe in table:
                line, column = table[probe]
                return Location(self.path, line, column)
            if not probe:
                return Location(self.path, 1, 1)
            probe = probe[:-1]
            key = False

    def locate_in_value(self, data_path: DataPath, offset: int) -> Location:
        """The place of character `offset` inside the scalar at `data_path` (for expressions)."""
        start = self.locate(data_path)
        return Location(self.path, start.line, start.column + max(0, offset))


class YamlReadError(Exception):
    """The file could not be read as YAML at all; `problem` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_yaml_file(
    path: Path, display: str | None = None
) -> tuple[object, SourceMap, list[Problem]]:
    """Read a YAML file; the data, its source map, and the problems found (empty when fine)."""
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise YamlReadError(
                Problem(
                    Location(name, 1, 1),
                    _("file is too large ({size} bytes; at most {limit})").format(
                        size=size, limit=MAX_FILE_BYTES
                    ),
                )
            )
        raw = path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise YamlReadError(
            Problem(Location(name, 1, 1), _("cannot read file: {reason}").format(reason=reason))
        ) from None
    return read_yaml_bytes(raw, name)


def read_yaml_bytes(raw: bytes, name: str) -> tuple[object, SourceMap, list[Problem]]:
    """Read YAML from bytes; see `read_yaml_file`."""
    if len(raw) > MAX_FILE_BYTES:
        raise YamlReadError(
            Problem(
                Location(name, 1, 1),
                _("file is too large ({size} bytes; at most {limit})").format(
                    size=len(raw), limit=MAX_FILE_BYTES
                ),
            )
        )
    text = _decode(raw, name)
    if not text.strip():
        raise YamlReadError(Problem(Location(name, 1, 1), _("file is empty")))
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        where = error.problem_mark or error.context_mark
        line, column = (where.line + 1, where.column + 1) if where is not None else (1, 1)
        reason = error.problem or error.context or _("invalid YAML")
        if (
            error.context
            and error.context_mark
            and error.problem_mark
            and (error.context_mark.line, error.context_mark.column)
            != (error.problem_mark.line, error.problem_mark.column)
        ):
            # "did not find expected ']'" is reported at the end; say where it started.
            started = error.context_mark
            reason += " " + _("({context} at {line}:{column})").format(
                context=error.context, line=started.line + 1, column=started.column + 1
            )
        raise YamlReadError(
            Problem(Location(name, line, column), _("invalid YAML: {reason}").format(reason=reason))
        ) from None
    except (yaml.YAMLError, RecursionError, MemoryError):
        raise YamlReadError(Problem(Location(name, 1, 1), _("invalid YAML"))) from None
    if root is None:
        raise YamlReadError(Problem(Location(name, 1, 1), _("file is empty")))
    converter = _Converter(name)
    data = converter.convert(root, (), 0)
    if converter.saw_alias:
        # The composed tree no longer knows where each alias stood; the event stream does.
        for event in yaml.parse(text, Loader=_Loader):
            mark = event.start_mark
            if isinstance(event, yaml.AliasEvent) and mark is not None:
                converter.problems.append(
                    Problem(
                        Location(name, mark.line + 1, mark.column + 1),
                        _("anchors and aliases (&name, *name) are not allowed"),
                    )
                )
    return data, converter.source_map, converter.problems


def _decode(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _line_col(raw[: error.start])
        raise YamlReadError(
            Problem(
                Location(name, line, column),
                _("not UTF-8 text (byte {byte:#04x}); save the file as UTF-8").format(
                    byte=raw[error.start]
                ),
            )
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        line, column = _line_col(text[:nul].encode("utf-8"))
        raise YamlReadError(
            Problem(Location(name, line, column), _("binary data (a NUL character) in a text file"))
        )
    return text


def _line_col(before: bytes) -> tuple[int, int]:
    text = before.decode("utf-8", errors="replace")
    line = text.count("\n") + 1
    column = len(text) - (text.rfind("\n") + 1) + 1
    return line, column


class _Converter:
    """Turns composed YAML nodes into dicts, lists and scalars, recording positions."""

    def __init__(self, name: str) -> None:
        self.source_map = SourceMap(name)
        self.problems: list[Problem] = []
        self._seen: set[int] = set()
        self.saw_alias = False

    def _problem(self, node: yaml.Node, message: str, path: DataPath | None = None) -> None:
        if path is not None:
            self.source_map.broken.add(path)
        mark = node.start_mark
        self.problems.append(
            Problem(Location(self.source_map.path, mark.line + 1, mark.column + 1), message)
        )

    def convert(self, node: yaml.Node, path: DataPath, depth: int) -> object:
        mark = node.start_mark
        self.source_map.values[path] = (mark.line + 1, mark.column + 1)
        if depth > MAX_DEPTH:
            self._problem(
                node, _("nested too deeply (more than {n} levels)").format(n=MAX_DEPTH), path
            )
            return None
        if node.tag not in _PLAIN_TAGS:
            self._problem(
                node, _("YAML tags such as {tag!r} are not allowed").format(tag=node.tag), path
            )
            return None
        if isinstance(node, yaml.ScalarNode):
            if node.style in ("'", '"'):
                self.source_map.quoted.add(path)
            return self._scalar(node)
        # The composer hands out the same node object for every alias of an anchor: seeing a
        # collection twice means an alias, the building block of "billion laughs" bombs.
        if id(node) in self._seen:
            self.source_map.broken.add(path)
            self.saw_alias = True
            return None
        self._seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        return None  # pragma: no cover - the composer makes only the three kinds

    def _mapping(self, node: yaml.MappingNode, path: DataPath, depth: int) -> dict[str, object]:
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            if (
                not isinstance(key_node, yaml.ScalarNode)
                or key_node.tag == "tag:yaml.org,2002:merge"
            ):
                self._problem(key_node, _("keys must be plain text"))
                continue
            key = key_node.value
            if key in result:
                first = self.source_map.keys.get((*path, key))
                where = f"{first[0]}:{first[1]}" if first else "?"
                self._problem(
                    key_node,
                    _("duplicate key {key!r} (first at {where})").format(key=key, where=where),
                )
                continue
            mark = key_node.start_mark
            self.source_map.keys[(*path, key)] = (mark.line + 1, mark.column + 1)
            result[key] = self.convert(value_node, (*path, key), depth + 1)
        return result

    @staticmethod
    def _scalar(node: yaml.ScalarNode) -> object:
        text: str = node.value
        if node.style not in (None, ""):  # quoted or block scalars are always text
            return text
        if text in ("true", "True", "TRUE"):
            return True
        if text in ("false", "False", "FALSE"):
            return False
        if text in ("", "~", "null", "Null", "NULL"):
            return None
        if _INT.match(text) and len(text) <= 30:
            return int(text)
        if _DECIMAL.match(text) and len(text) <= 40:
            return Decimal(text)
        return text


def iter_paths(data: object, path: DataPath = ()) -> Iterator[DataPath]:
    """Every data path in `data` (used by tests to check that every place has a position)."""
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from iter_paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from iter_paths(value, (*path, index))
