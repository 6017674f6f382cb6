"""The provider table format, its checks, the compiled lookups and the registry.

A table is data (a TOML or JSON file, or a mapping) validated by `ProviderTable`. Validation
checks everything a table can get wrong on its own: every target is a `JobStatusValue` member,
every entry and rule names a declared source, every source is cited, and no two raw values fold
to the same key with different targets. A bad table is a `ValidationError` whose `loc` points at
the exact entry.

A table is compiled once into a `Vocabulary`: raw strings folded once, numbers and booleans in
their own dicts (so `True` never matches `1`), rules with their string conditions pre-folded.
"""

from __future__ import annotations

import difflib
import functools
import json
import threading
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Self, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from jobstatus._values import JobStatusValue, fold_status

__all__ = (
    "DuplicateProviderError",
    "ProviderTable",
    "Rule",
    "Source",
    "StatusEntry",
    "UnknownProviderError",
    "Vocabulary",
    "fold_cached",
    "load_table_file",
    "registry",
)

RawScalar = Annotated[Union[StrictBool, StrictInt, StrictStr], Field(union_mode="left_to_right")]
"""A raw status a table can list: a string (matched folded), an integer or a boolean (matched exactly)."""

_FOLD_CACHE_SIZE = 4096


@functools.lru_cache(maxsize=_FOLD_CACHE_SIZE)
def fold_cached(text: str) -> str:
    """`fold_status` behind a bounded cache: a provider sends few distinct spellings, so after the
    first call each costs a dict lookup instead of two regex passes."""
    return fold_status(text)


class _Frozen(BaseModel):
    # extra="forbid": a misspelt key in a data file is an error, not silently ignored.
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Frozen):
    """Where a table's mappings come from.

    `kind` is `"primary"` for the provider's own documentation and `"secondary"` for anything
    else (a third-party copy of the schema, an integration platform's recorded fixtures).
    """

    title: Annotated[str, Field(min_length=1)]
    url: Annotated[str, Field(pattern=r"^https://\S+$")] | None = None
    kind: Literal["primary", "secondary"]


class StatusEntry(_Frozen):
    """One raw status and the unified value it maps to, with the source that documents it."""

    raw: RawScalar
    value: JobStatusValue
    source: str
    note: str | None = None


class Rule(_Frozen):
    """A rule for object raw values: when every key in `when` has the given value, map to `value`.

    String conditions match folded (`"Published"` matches `"PUBLISHED"`); integers and booleans
    match exactly and by kind (`true` never matches `1`).
    """

    when: Annotated[dict[str, RawScalar], Field(min_length=1)]
    value: JobStatusValue
    source: str
    note: str | None = None


_SLUG = r"^[a-z][a-z0-9_]*$"


class ProviderTable(_Frozen):
    """A provider's vocabulary: raw statuses, object rules and keys, and their sources.

    For an object raw value, `rules` are tried in order (the first whose conditions all hold
    wins), then each of `keys` in order: the value under the key is looked up like a raw scalar.
    With `extends`, the table inherits another table's entries, rules and keys; its own entries
    override the inherited ones that fold to the same key, and its own rules are tried first.

    ```python
    import pytest
    from pydantic import ValidationError
    from jobstatus.providers import ProviderTable

    table = ProviderTable.model_validate({
        "id": "acme",
        "name": "Acme ATS",
        "field": "job `status`",
        "sources": {"docs": {"title": "Acme API docs", "kind": "primary"}},
        "statuses": [{"raw": "Live", "value": "published", "source": "docs"}],
    })
    assert table.statuses[0].value == "published"

    bad_entry = {"raw": "Live", "value": "up", "source": "docs"}
    with pytest.raises(ValidationError) as caught:
        ProviderTable.model_validate({**table.model_dump(), "statuses": [bad_entry]})
    assert caught.value.errors()[0]["loc"] == ("statuses", 0, "value")
    ```
    """

    id: Annotated[str, Field(pattern=_SLUG)]
    name: Annotated[str, Field(min_length=1)]
    field: Annotated[str, Field(min_length=1)]
    extends: Annotated[str, Field(pattern=_SLUG)] | None = None
    keys: tuple[str, ...] = ()
    statuses: tuple[StatusEntry, ...] = ()
    rules: tuple[Rule, ...] = ()
    sources: Annotated[dict[str, Source], Field(min_length=1)]

    @model_validator(mode="after")
    def _check_consistency(self) -> Self:
        errors: list[InitErrorDetails] = []
        cited: set[str] = set()
        groups: tuple[tuple[str, tuple[StatusEntry | Rule, ...]], ...] = (
            ("statuses", self.statuses),
            ("rules", self.rules),
        )
        for group, items in groups:
            for index, item in enumerate(items):
                cited.add(item.source)
                if item.source not in self.sources:
                    errors.append(
                        _error(
                            "provider_table_source",
                            "Source '{source}' is not declared in `sources` (declared: {declared})",
                            (group, index, "source"),
                            item.source,
                            source=item.source,
                            declared=", ".join(sorted(self.sources)),
                        )
                    )
        errors.extend(_key_conflicts(self.statuses))
        for name in self.sources:
            if name not in cited:
                errors.append(
                    _error(
                        "provider_table_source_unused",
                        "Source '{source}' is cited by no entry or rule",
                        ("sources", name),
                        name,
                        source=name,
                    )
                )
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self


def _error(error_type: str, message: str, loc: tuple[str | int, ...], input_value: Any, **ctx: Any) -> InitErrorDetails:
    # A ValidationError raised inside a validator keeps its line errors, so each one keeps its
    # own loc (relative to the table) instead of collapsing into one error at the model root.
    return InitErrorDetails(type=PydanticCustomError(error_type, message, ctx), loc=loc, input=input_value)


def _lookup_key(raw: bool | int | str) -> tuple[str, bool | int | str]:
    """The key a raw scalar is stored under: its kind, then the folded text or the exact number."""
    if isinstance(raw, bool):
        return ("boolean", raw)
    if isinstance(raw, int):
        return ("integer", raw)
    return ("string", fold_status(raw))


def _key_conflicts(entries: Iterable[StatusEntry]) -> list[InitErrorDetails]:
    errors: list[InitErrorDetails] = []
    seen: dict[tuple[str, bool | int | str], tuple[int, StatusEntry]] = {}
    for index, entry in enumerate(entries):
        key = _lookup_key(entry.raw)
        if key == ("string", ""):
            errors.append(
                _error(
                    "provider_table_raw_empty",
                    "A raw status must have a letter or digit",
                    ("statuses", index, "raw"),
                    entry.raw,
                )
            )
            continue
        earlier = seen.setdefault(key, (index, entry))
        if earlier[1].value is not entry.value:
            errors.append(
                _error(
                    "provider_table_conflict",
                    "'{raw}' folds to the same key as statuses[{index}] '{other}', "
                    "which maps to '{other_value}', not '{value}'",
                    ("statuses", index, "raw"),
                    entry.raw,
                    raw=entry.raw,
                    index=earlier[0],
                    other=earlier[1].raw,
                    other_value=earlier[1].value.value,
                    value=entry.value.value,
                )
            )
    return errors


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    # Each condition: (key, kind, expected), strings already folded.
    conditions: tuple[tuple[str, str, bool | int | str], ...]
    value: JobStatusValue

    def matches(self, raw: Mapping[Any, Any]) -> bool:
        for key, kind, expected in self.conditions:
            actual = raw.get(key)
            if kind == "string":
                if not (isinstance(actual, str) and fold_cached(actual) == expected):
                    return False
            elif kind == "boolean":
                if not (isinstance(actual, bool) and actual is expected):
                    return False
            elif isinstance(actual, bool) or not isinstance(actual, int) or actual != expected:
                return False
        return True


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """A table compiled for lookups: built once per provider, read on every call."""

    strings: Mapping[str, JobStatusValue]
    # Keyed by int, typed float: a whole JSON number like `1.0` finds the entry for `1`.
    integers: Mapping[float, JobStatusValue]
    booleans: Mapping[bool, JobStatusValue]
    rules: tuple[_CompiledRule, ...]
    keys: tuple[str, ...]

    @classmethod
    def compile(cls, table: ProviderTable, base: Vocabulary | None = None) -> Vocabulary:
        """Compile `table`, on top of the compiled table it extends, if any."""
        strings = dict(base.strings) if base else {}
        integers: dict[float, JobStatusValue] = dict(base.integers) if base else {}
        booleans = dict(base.booleans) if base else {}
        for entry in table.statuses:
            kind, key = _lookup_key(entry.raw)
            if kind == "string":
                strings[str(key)] = entry.value
            elif kind == "boolean":
                booleans[bool(key)] = entry.value
            else:
                integers[int(key)] = entry.value
        rules = tuple(
            _CompiledRule(tuple((name, *_lookup_key(expected)) for name, expected in rule.when.items()), rule.value)
            for rule in table.rules
        )
        return cls(
            strings=strings,
            integers=integers,
            booleans=booleans,
            rules=rules + (base.rules if base else ()),
            keys=table.keys or (base.keys if base else ()),
        )

    def lookup(self, raw: Any) -> JobStatusValue | None:
        """The unified value of a raw status, or `None` when this vocabulary does not know it."""
        # Strings first and by exact type: the common case skips the (slower) ABC check below.
        if type(raw) is str:
            return self.strings.get(fold_cached(raw))
        if isinstance(raw, Mapping):
            for rule in self.rules:
                if rule.matches(raw):
                    return rule.value
            for key in self.keys:
                value = self._lookup_scalar(raw.get(key))
                if value is not None:
                    return value
            return None
        return self._lookup_scalar(raw)

    def _lookup_scalar(self, raw: Any) -> JobStatusValue | None:
        if isinstance(raw, str):
            return self.strings.get(fold_cached(raw))
        if isinstance(raw, bool):
            return self.booleans.get(raw)
        # A JSON number that is a whole number matches the integer entry (`1.0` is `1`); NaN and
        # other floats match nothing. Lists, objects nested under a key and None match nothing.
        if isinstance(raw, (int, float)):
            return self.integers.get(raw)
        return None


class UnknownProviderError(ValueError):
    """A provider id that no table is registered under.

    The message lists the known ids and suggests the closest one; the attributes carry the same.

    ```python
    import pytest
    from jobstatus import infer_status
    from jobstatus.providers import UnknownProviderError

    with pytest.raises(UnknownProviderError, match="did you mean 'greenhouse'") as caught:
        infer_status("open", "greenhose")
    assert caught.value.suggestion == "greenhouse" and "lever" in caught.value.known
    ```
    """

    def __init__(self, provider: object, known: Iterable[str]) -> None:
        self.provider = provider
        self.known: tuple[str, ...] = tuple(sorted(known))
        matches = difflib.get_close_matches(str(provider).lower()[:64], self.known, n=1, cutoff=0.6)
        self.suggestion: str | None = matches[0] if matches else None
        hint = f"; did you mean {self.suggestion!r}?" if self.suggestion else "."
        super().__init__(f"Unknown provider {provider!r}{hint} Known providers: {', '.join(self.known)}")


class DuplicateProviderError(ValueError):
    """`register_provider` was given an id that is already registered, without `replace=True`."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        super().__init__(f"Provider {provider!r} is already registered; pass replace=True to override it")


def load_table_file(path: Path) -> ProviderTable:
    """Read and validate a table from a `.toml` or `.json` file."""
    data = path.read_bytes()
    if path.suffix.lower() == ".json":
        return ProviderTable.model_validate_json(data)
    if path.suffix.lower() == ".toml":
        return ProviderTable.model_validate(tomllib.loads(data.decode("utf-8")))
    raise ValueError(f"A provider table file ends in .toml or .json, not {path.name!r}")


def _builtin_tables() -> dict[str, ProviderTable]:
    tables: dict[str, ProviderTable] = {}
    for item in resources.files(__package__).joinpath("data").iterdir():
        if item.name.endswith(".toml"):
            table = ProviderTable.model_validate(tomllib.loads(item.read_text(encoding="utf-8")))
            if f"{table.id}.toml" != item.name:
                raise ValueError(f"Provider table {item.name} declares id {table.id!r}; the file is named after its id")
            tables[table.id] = table
    return tables


class _Registry:
    """Built-in tables (loaded on first use) overlaid by the user's, with compiled lookups cached.

    Registration clears the compiled cache: a table may extend another, so one change can alter
    several vocabularies. Reads take no lock: they only read dicts that are replaced, not mutated.
    """

    def __init__(self) -> None:
        # Re-entrant: `register` holds it while `tables` may load the built-ins.
        self._lock = threading.RLock()
        self._builtin: dict[str, ProviderTable] | None = None
        self._user: dict[str, ProviderTable] = {}
        self.compiled: dict[str, Vocabulary] = {}

    def tables(self) -> dict[str, ProviderTable]:
        if self._builtin is None:
            with self._lock:
                if self._builtin is None:
                    self._builtin = _builtin_tables()
        return {**self._builtin, **self._user}

    def table(self, provider: str) -> ProviderTable:
        tables = self.tables()
        table = tables.get(provider) if isinstance(provider, str) else None
        if table is None:
            raise UnknownProviderError(provider, tables)
        return table

    def vocabulary(self, provider: str) -> Vocabulary:
        vocabulary = self.compiled.get(provider) if isinstance(provider, str) else None
        if vocabulary is None:
            vocabulary = self._compile(provider, ())
        return vocabulary

    def _compile(self, provider: str, chain: tuple[str, ...]) -> Vocabulary:
        if provider in chain:
            raise ValueError(f"Provider tables extend each other in a cycle: {' -> '.join((*chain, provider))}")
        table = self.table(provider)
        base = self._compile(table.extends, (*chain, provider)) if table.extends else None
        vocabulary = Vocabulary.compile(table, base)
        self.compiled = {**self.compiled, provider: vocabulary}
        return vocabulary

    def register(self, table: ProviderTable, *, replace: bool) -> None:
        with self._lock:
            if not replace and table.id in self.tables():
                raise DuplicateProviderError(table.id)
            previous = self._user
            self._user = {**previous, table.id: table}
            self.compiled = {}
            try:
                # Compile now, not on first use: a missing base or a cycle of `extends` fails here.
                self._compile(table.id, ())
            except Exception:
                self._user = previous
                self.compiled = {}
                raise

    def unregister(self, provider: str) -> bool:
        with self._lock:
            found = provider in self._user
            self._user = {key: value for key, value in self._user.items() if key != provider}
            self.compiled = {}
            return found


registry = _Registry()


def dump_json(raw: bool | int | str) -> str:
    """A raw scalar as JSON text, so the docs tell `0` from `"0"`."""
    return json.dumps(raw, ensure_ascii=False)
