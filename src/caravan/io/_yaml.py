"""Safe YAML reading with limits: nesting depth, alias expansion, duplicate keys, plain numbers.

``yaml.safe_load`` runs a 1.8 KB "billion laughs" file into gigabytes, fails with a
``RecursionError`` on YAML nested 10,000 deep, lets the last of two equal keys win silently,
reads ``1_000`` and ``0x10`` as numbers and ``017`` as octal, and raises a bare ``ValueError`` on
``2025-02-30``. :func:`load_yaml` refuses the first three with a ``yaml.YAMLError`` that carries the
line (so readers report them like any malformed YAML), and leaves numbers that are not plain
decimals and impossible dates as text, so the field parsers report them with the field's name.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from caravan.errors import AtlasValidationError, Problem
from caravan.io._limits import InputLimits, LimitError, input_limits, read_limited

__all__ = [
    "YAML_ERRORS",
    "line_of_path",
    "load_yaml",
    "read_yaml_file",
    "yaml_key_lines",
    "yaml_problem",
]

#: Errors :func:`load_yaml` raises for malformed or refused YAML.
YAML_ERRORS = (yaml.YAMLError,)

_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)", re.ASCII)
_PLAIN_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", re.ASCII)
_SPECIAL_FLOAT = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_MERGE_TAG = "tag:yaml.org,2002:merge"
_MAX_NUMBER_CHARS = 40


def _event_parser() -> Any:
    """libyaml's scanner and parser (C), or PyYAML's own where it was built without libyaml."""
    try:
        from yaml._yaml import CParser
    except ImportError:  # pragma: no cover - a PyYAML without libyaml
        from yaml.parser import Parser
        from yaml.reader import Reader
        from yaml.scanner import Scanner

        class PyParser(Reader, Scanner, Parser):
            def __init__(self, stream: str) -> None:
                Reader.__init__(self, stream)
                Scanner.__init__(self)  # type: ignore[no-untyped-call]
                Parser.__init__(self)  # type: ignore[no-untyped-call]

        return PyParser
    return CParser


_Parser: Any = _event_parser()


class _LimitedLoader(Composer, _Parser, SafeConstructor, Resolver):  # type: ignore[misc]
    """A safe loader that counts depth and alias expansion while composing.

    The events come from libyaml's parser (C: about eight times as fast as PyYAML's own
    scanner, and linear on deeply nested flow collections, where PyYAML's is quadratic); the
    nodes are composed here in Python, so that the depth, alias and duplicate-key checks see
    every node before the next event is parsed.
    """

    def __init__(self, stream: str, limits: InputLimits) -> None:
        _Parser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._limits = limits
        self._depth = 0
        self._weights: dict[int, int] = {}
        self._alias_values = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event: Any = self.peek_event()
        is_alias = isinstance(event, AliasEvent)
        if self._depth >= self._limits.max_yaml_depth:
            raise ComposerError(
                None,
                None,
                f"nested deeper than {self._limits.max_yaml_depth} levels",
                event.start_mark,
            )
        self._depth += 1
        try:
            node = super().compose_node(parent, index)  # type: ignore[no-untyped-call]
        finally:
            self._depth -= 1
        if node is None:  # pragma: no cover - only at the end of a stream
            raise ComposerError(None, None, "expected a value", event.start_mark)
        if is_alias:
            weight = self._weights.get(id(node))
            if weight is None:
                raise ComposerError(
                    None, None, "an alias refers to a value that contains it", event.start_mark
                )
            self._alias_values += weight
            if self._alias_values > self._limits.max_yaml_alias_values:
                raise ComposerError(
                    None,
                    None,
                    f"aliases expand to more than {self._limits.max_yaml_alias_values:,} values "
                    "(a 'billion laughs' file?)",
                    event.start_mark,
                )
            return node
        self._weights[id(node)] = _weight(node, self._weights)
        return node

    def compose_mapping_node(self, anchor: str | None) -> MappingNode:  # type: ignore[override]
        node: MappingNode = super().compose_mapping_node(anchor)  # type: ignore[no-untyped-call,arg-type]
        seen: dict[tuple[str, str], int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            key = (key_node.tag, key_node.value)
            if key in seen:
                raise ComposerError(
                    f"first given on line {seen[key]}",
                    None,
                    f"duplicate key {key_node.value[:40]!r}",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        return node


def _weight(node: Node, weights: dict[int, int]) -> int:
    """Values in a node once aliases are expanded (children are already weighed)."""
    if isinstance(node, ScalarNode):
        return 1
    if isinstance(node, MappingNode):
        children = [n for pair in node.value for n in pair]
    else:
        children = list(node.value)
    return 1 + sum(weights.get(id(child), 1) for child in children)


def _construct_int(loader: Any, node: ScalarNode) -> Any:
    text = str(node.value)
    if len(text) <= _MAX_NUMBER_CHARS and _PLAIN_INT.fullmatch(text):
        return int(text)
    return text  # 1_000, 0x10, 017, 1:30, 5,000 digits: left as text for the field parser


def _construct_float(loader: Any, node: ScalarNode) -> Any:
    text = str(node.value)
    if _SPECIAL_FLOAT.fullmatch(text):
        return loader.construct_yaml_float(node)  # type: ignore[no-untyped-call]
    if len(text) <= _MAX_NUMBER_CHARS and _PLAIN_FLOAT.fullmatch(text):
        return float(text)
    return text


def _construct_timestamp(loader: Any, node: ScalarNode) -> Any:
    try:
        value: dt.date = loader.construct_yaml_timestamp(node)  # type: ignore[no-untyped-call]
    except (ValueError, OverflowError):
        return str(node.value)  # 2025-02-30: the field parser says it is not a real date
    return value


_LimitedLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_LimitedLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_LimitedLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


class _TextDatesLoader(_LimitedLoader):
    """The limited loader without implicit dates: ``2025-01-02`` stays text."""


_TextDatesLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in _LimitedLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str, *, limits: InputLimits | None = None, dates_as_text: bool = False) -> Any:
    """Parse YAML text safely, within :class:`~caravan.io._limits.InputLimits`.

    With ``dates_as_text``, dates are left as text (the security layer parses its own).

    Raises
    ------
    yaml.YAMLError
        Malformed YAML, nesting deeper than the limit, aliases expanding beyond the limit,
        an alias inside its own anchor, or a key given twice in one mapping.

    Examples
    --------
    >>> load_yaml("a: 1_000\\nb: 017\\nc: 2025-02-30\\nd: 2.5")
    {'a': '1_000', 'b': '017', 'c': '2025-02-30', 'd': 2.5}
    >>> load_yaml("a: 1\\na: 2")
    Traceback (most recent call last):
    ...
    yaml.composer.ComposerError: first given on line 1
    duplicate key 'a'
      in "<unicode string>", line 2, column 1
    """
    kind = _TextDatesLoader if dates_as_text else _LimitedLoader
    limits = limits or input_limits()
    loader = kind(text, limits)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" not in str(exc.problem):
            raise
        # libyaml's own limit (1,000 levels), met before ours in a block-nested file
        raise ComposerError(
            None, None, f"nested deeper than {limits.max_yaml_depth} levels", exc.problem_mark
        ) from None
    finally:
        loader.dispose()  # type: ignore[no-untyped-call]


def yaml_problem(exc: yaml.YAMLError) -> tuple[int | None, str]:
    """The line (1-based, when known) and a one-line description of a YAML error."""
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    if context and str(context).startswith("first given"):
        what = f"{what} ({context})"
    return line, str(what)[:200]


def yaml_key_lines(text: str, *, limits: InputLimits | None = None) -> dict[str, int]:
    """The line (1-based) of every key and list item of a YAML mapping, by key path.

    Paths are written as the scenario reader names fields: ``changes[1].set`` is the key
    ``set`` of the first item of the list under ``changes``. YAML that does not parse gives
    ``{}`` (its error is reported by :func:`load_yaml`).

    Examples
    --------
    >>> text = "changes:\\n- {target: link, set: -1}\\n- target: mode\\n  set: 0\\n"
    >>> lines = yaml_key_lines(text)
    >>> lines["changes[1].set"], lines["changes[2]"], lines["changes[2].set"]
    (2, 3, 4)
    """
    loader = _LimitedLoader(text, limits or input_limits())
    try:
        root = loader.get_single_node()
    except yaml.YAMLError:
        return {}
    finally:
        loader.dispose()  # type: ignore[no-untyped-call]
    lines: dict[str, int] = {}

    def walk(node: Node | None, prefix: str) -> None:
        if not isinstance(node, MappingNode):
            return
        for key_node, value in node.value:
            if not isinstance(key_node, ScalarNode):
                continue
            path = prefix + str(key_node.value)
            lines.setdefault(path, key_node.start_mark.line + 1)
            if isinstance(value, SequenceNode):
                for i, item in enumerate(value.value, start=1):
                    lines.setdefault(f"{path}[{i}]", item.start_mark.line + 1)
                    walk(item, f"{path}[{i}].")
            else:
                walk(value, path + ".")

    walk(root, "")
    return lines


def line_of_path(lines: dict[str, int], path: str | None) -> int | None:
    """The line of a key path, or of its nearest enclosing key that has one."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def read_yaml_file(file: Path) -> Any:
    """The data of a YAML file read under the input limits and the safe loader.

    Raises
    ------
    AtlasValidationError
        When the file breaks a limit or is malformed YAML (with its line, when known).
    """
    try:
        return load_yaml(read_limited(file, what=file.name))
    except LimitError as exc:
        raise AtlasValidationError(
            [Problem(file.name, exc.line, None, str(exc), exc.fix or "fix the file")],
            source=str(file),
        ) from None
    except YAML_ERRORS as exc:
        line, what = yaml_problem(exc)
        raise AtlasValidationError(
            [Problem(file.name, line, None, f"malformed YAML: {what}", "fix the YAML")],
            source=str(file),
        ) from None
