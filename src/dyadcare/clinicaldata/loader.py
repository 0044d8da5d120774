"""The one loader of clinical data files: read, check against the file's JSON Schema, check
what a schema cannot, and keep the result.

A data file ``<app>/data/<name>.json`` is checked against ``clinicaldata/schemas/<name>
.schema.json`` (Draft 2020-12, with ``common.schema.json`` for the provenance fields). Three
keywords of our own, which the ``jsonschema`` validator is extended with:

- ``"x-unique": "key"`` on an array: no two items share that property's value;
- ``"x-refers-to": {"in": ["#/categories/*/key", "periodicity#/touchpoints/*/key"], "or": ["*"]}``
  on a string (or under ``propertyNames``, on an object's keys): the value is one found at
  those places (``*`` walks every item; a name before ``#`` is another data file), or one of
  the ``or`` values; ``"x-not-in": ["periodicity#/categories/*/key"]``: the value is none of them.

Beyond the schema, every file is walked for its provenance: each rule (an object with any of
``source``, ``confidence``, ``effective``) has all three; every cited source is in the file's
``sources`` map and every source is cited; every ``confidence`` is verified, inferred or
unverified and a rule is no surer than the best source it cites; ``effective.from`` is on or
before ``effective.until``; every ``url`` is a well-formed http(s) address; no object repeats a
key. All problems are reported at once, each with its JSON path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, ValidationError, validators
from referencing import Registry, Resource

from dyadcare.clinicaldata.provenance import (
    CONFIDENCES,
    Confidence,
    Provenance,
    Source,
    parse_provenance,
    parse_sources,
    source_keys,
    strength,
)

PACKAGE_DIR = Path(__file__).resolve().parents[1]
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
COMMON_SCHEMA = "common"
RULE_KEYS = ("source", "confidence", "effective")
_PLAIN_KEY = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")  # as jsonschema writes JSON paths


class Problem(NamedTuple):
    path: str  # a JSON path such as $.touchpoints[3].confidence
    message: str


class DataFileError(ValueError):
    """A clinical data file that cannot be used; the message lists every problem."""

    def __init__(self, file: Path, problems: Sequence[Problem]) -> None:
        self.file = display_name(file)
        self.problems = tuple(problems)
        count = f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        lines = [f"{self.file}: {count}"] + [f"  {p.path}: {p.message}" for p in self.problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class DataFile:
    """A checked data file: its content (read-only mappings and tuples) and its sources."""

    name: str
    path: Path
    content: Mapping[str, Any]
    sources: Mapping[str, Source]

    def __getitem__(self, key: str) -> Any:
        return self.content[key]

    def provenance(self, entry: Mapping[str, Any]) -> Provenance:
        """The typed provenance of one rule of this file."""
        return parse_provenance(entry, self.sources)


def display_name(path: Path) -> str:
    """The path from the dyadcare package (``touchpoints/data/periodicity.json``) when inside it."""
    try:
        return path.resolve().relative_to(PACKAGE_DIR).as_posix()
    except ValueError:
        return str(path)


def data_files() -> list[Path]:
    """Every clinical data file in the tree: ``<app>/data/*.json``."""
    return sorted(PACKAGE_DIR.glob("*/data/*.json"))


def schema_path(name: str) -> Path:
    return SCHEMA_DIR / f"{name}.schema.json"


def find(name: str) -> Path:
    """The data file called ``name`` (``periodicity`` → ``touchpoints/data/periodicity.json``)."""
    matches = [path for path in data_files() if path.stem == name]
    if len(matches) != 1:
        found = ", ".join(display_name(p) for p in matches) or "none"
        raise FileNotFoundError(f"no single clinical data file named {name!r} (found: {found})")
    return matches[0]


def load(name_or_path: str | Path, schema: str | None = None) -> DataFile:
    """Read, check and keep a clinical data file: ``load("periodicity")`` or a path.
    ``schema`` names the schema (default: the file's name). Raises :class:`DataFileError`."""
    path = Path(name_or_path) if isinstance(name_or_path, Path) or name_or_path.endswith(".json") else None
    path = (path or find(str(name_or_path))).resolve()
    return _load(path, schema or path.stem)


def clear_cache() -> None:
    _load.cache_clear()
    _schemas.cache_clear()


@cache
def _load(path: Path, schema_name: str) -> DataFile:
    problems: list[Problem] = []
    try:
        raw = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_Object)
    except json.JSONDecodeError as exc:
        raise DataFileError(path, [Problem("$", f"not valid JSON: {exc}")]) from None
    validator = _validator(schema_name, raw, path)
    errors = sorted(
        validator.iter_errors(raw), key=lambda e: [(isinstance(p, str), p) for p in e.absolute_path]
    )
    problems += [Problem(error.json_path, error.message) for error in errors]
    reported = {p.path for p in problems}
    problems += [p for p in _provenance_problems(raw) if p.path not in reported]
    if problems:
        raise DataFileError(path, _unique(problems))
    content = _freeze(raw)
    return DataFile(path.stem, path, content, parse_sources(content["sources"]))


# The schema --------------------------------------------------------------------------------


@cache
def _schemas() -> Registry[Any]:
    """Every schema, by its ``$id`` (``urn:dyadcare:schema:<name>``), for ``$ref`` between them."""
    registry: Registry[Any] = Registry()
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(contents)
        registry = registry.with_resource(contents["$id"], Resource.from_contents(contents))
    return registry


def _validator(schema_name: str, root: Any, path: Path) -> Any:
    schema_file = schema_path(schema_name)
    if not schema_file.exists():
        raise DataFileError(path, [Problem("$", f"no schema {display_name(schema_file)}")])
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    extended = validators.extend(
        Draft202012Validator,
        {
            "x-unique": _unique_keyword,
            "x-refers-to": _refers_keyword(root),
            "x-not-in": _not_in_keyword(root),
        },
    )
    return extended(schema, registry=_schemas(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def _unique_keyword(validator: Any, key: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not isinstance(instance, list):
        return
    seen: set[Any] = set()
    for index, item in enumerate(instance):
        value = item.get(key) if isinstance(item, dict) else None
        if value is None:
            continue
        if value in seen:
            yield ValidationError(f"{key} {value!r} appears twice", path=[index, key])
        seen.add(value)


def _refers_keyword(root: Any) -> Callable[..., Iterator[ValidationError]]:
    def refers_to(validator: Any, spec: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
        if not isinstance(instance, str):
            return
        allowed = set(spec.get("or", []))
        for pointer in spec["in"]:
            allowed |= set(_targets(root, pointer))
        if instance not in allowed:
            places = " or ".join([*spec["in"], *map(repr, spec.get("or", []))])
            yield ValidationError(f"{instance!r} is not one of {places}")

    return refers_to


def _not_in_keyword(root: Any) -> Callable[..., Iterator[ValidationError]]:
    def not_in(validator: Any, pointers: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
        for pointer in pointers:
            if isinstance(instance, str) and instance in _targets(root, pointer):
                yield ValidationError(f"{instance!r} is already one of {pointer}")

    return not_in


def _targets(root: Any, pointer: str) -> list[Any]:
    """The values at a pointer such as ``#/categories/*/key``, in this file or, with a name
    before ``#``, in another data file (which is loaded, and so checked, first)."""
    file, _, fragment = pointer.partition("#")
    nodes = [load(file).content if file else root]
    for part in fragment.strip("/").split("/"):
        following: list[Any] = []
        for node in nodes:
            if part == "*":
                following += list(node.values()) if isinstance(node, Mapping) else list(node)
            elif isinstance(node, Mapping) and part in node:
                following.append(node[part])
        nodes = following
    return [n for n in nodes if isinstance(n, str | int)]


# Provenance --------------------------------------------------------------------------------


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys it was given twice."""

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        keys = [key for key, _ in pairs]
        self.duplicates = sorted({key for key in keys if keys.count(key) > 1})


def json_path(parts: Sequence[str | int]) -> str:
    path = "$"
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            path += f".{part}"
        else:
            path += "['" + part.replace("\\", "\\\\").replace("'", r"\'") + "']"
    return path


def _walk(node: Any, parts: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    yield parts, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*parts, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*parts, index))


def _provenance_problems(root: Any) -> list[Problem]:
    problems: list[Problem] = []
    if not isinstance(root, dict):
        return problems
    sources: dict[str, Any] = root["sources"] if isinstance(root.get("sources"), dict) else {}
    cited: set[str] = set()
    for parts, node in _walk(root):
        if not isinstance(node, dict):
            continue
        here = json_path(parts)
        problems += [Problem(here, f"key {key!r} appears twice") for key in getattr(node, "duplicates", [])]
        if isinstance(node.get("url"), str) and not _good_url(node["url"]):
            problems.append(Problem(f"{here}.url", f"{node['url']!r} is not a well-formed http(s) address"))
        if "confidence" in node and node["confidence"] not in CONFIDENCES:
            problems.append(
                Problem(
                    f"{here}.confidence", f"{node['confidence']!r} is not one of {', '.join(CONFIDENCES)}"
                )
            )
        is_source = len(parts) == 2 and parts[0] == "sources"
        is_effective = bool(parts) and parts[-1] == "effective"
        if is_source or is_effective or not any(key in node for key in RULE_KEYS):
            continue
        missing = [key for key in RULE_KEYS if key not in node]
        if missing:
            problems.append(
                Problem(here, f"a rule needs source, confidence and effective: no {', '.join(missing)}")
            )
        problems += _source_problems(node, here, sources, cited)
        if isinstance(node.get("effective"), dict):
            problems += _effective_problems(node["effective"], f"{here}.effective")
    problems += [
        Problem(json_path(("sources", key)), "no rule cites this source")
        for key in sources
        if key not in cited
    ]
    return problems


def _source_problems(
    rule: dict[str, Any], here: str, sources: dict[str, Any], cited: set[str]
) -> list[Problem]:
    if not isinstance(rule.get("source"), str | list):
        return []
    keys = [k for k in source_keys(rule) if isinstance(k, str)]
    problems = [
        Problem(f"{here}.source", f"cites {key!r}, which is not in the file's sources")
        for key in keys
        if key not in sources
    ]
    cited.update(keys)
    found: list[Confidence] = [
        sources[k]["confidence"]
        for k in keys
        if isinstance(sources.get(k), dict) and sources[k].get("confidence") in CONFIDENCES
    ]
    confidence = rule.get("confidence")
    if found and confidence in CONFIDENCES and strength(confidence) > max(map(strength, found)):
        problems.append(
            Problem(
                f"{here}.confidence", f"{confidence!r} is surer than any source it cites ({', '.join(keys)})"
            )
        )
    return problems


def _effective_problems(effective: dict[str, Any], here: str) -> list[Problem]:
    start, until = _date(effective.get("from")), _date(effective.get("until"))
    problems = []
    if start is None:
        problems.append(Problem(f"{here}.from", f"{effective.get('from')!r} is not a date (YYYY-MM-DD)"))
    if effective.get("until") is not None and until is None:
        problems.append(
            Problem(f"{here}.until", f"{effective.get('until')!r} is not a date (YYYY-MM-DD) or null")
        )
    if start and until and until < start:
        problems.append(Problem(here, f"from {start} is after until {until}"))
    return problems


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _good_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = parts.hostname or ""
    return (
        parts.scheme in ("http", "https")
        and "." in host
        and not any(ch.isspace() for ch in url)
        and re.fullmatch(r"[a-z0-9.-]+", host) is not None
    )


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({key: _freeze(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(item) for item in value)
    return value
