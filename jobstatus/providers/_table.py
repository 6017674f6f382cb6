"""The provider table format, its checks, the compiled lookups and the registry.

A table is data (a TOML or JSON file, or a mapping) validated by `ProviderTable`. Validation
checks everything a table can get wrong on its own: every target is a `JobStatusValue` member,
every entry and rule names a declared source, every source is cited, every raw string has a
letter or digit, and no two raw values have the same `status_key` (case and separators ignored).
A bad table is a `ValidationError` whose `loc` points at the exact entry; a bad file is one too,
titled with the file's path, whatever is wrong (encoding, syntax, content).

A table is compiled once into a `Vocabulary` per kind of status (job, job posting): raw strings
keyed once, numbers and booleans in their own dicts (so `True` never matches `1`), rules with
their string conditions pre-keyed.
"""

from __future__ import annotations

import difflib
import json
import threading
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Final, Literal, Self, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from jobstatus._values import JobPostingStatusValue, JobStatusValue, status_key

__all__ = (
    "DuplicateProviderError",
    "ProviderTable",
    "Rule",
    "Source",
    "StatusEntry",
    "UnknownProviderError",
    "Vocabulary",
    "key_cached",
    "load_table_file",
    "registry",
)

RawScalar = Annotated[Union[StrictBool, StrictInt, StrictStr], Field(union_mode="left_to_right")]
"""A raw status a table can list: a string (matched folded), an integer or a boolean (matched exactly)."""

# A provider sends few distinct spellings, so their keys are remembered: after the first call
# a spelling costs one dict lookup instead of a regex pass. Bounded in entries and in length, so
# in bytes: at most _KEY_CACHE_SIZE spellings of at most _KEY_CACHE_LENGTH characters, each with
# a key no longer than itself (under 3 MB even for 4-byte characters). A longer string is keyed
# each time, which costs what its length costs; a full cache starts over.
_KEY_CACHE_SIZE: Final = 4096
_KEY_CACHE_LENGTH: Final = 64
_KEYS: dict[str, str] = {}


def key_cached(text: str) -> str:
    """`status_key` behind the bounded cache above (callers on a hot path try `_KEYS` first)."""
    key = _KEYS.get(text)
    if key is None:
        key = status_key(text)
        if len(text) <= _KEY_CACHE_LENGTH:
            if len(_KEYS) >= _KEY_CACHE_SIZE:
                _KEYS.clear()
            _KEYS[text] = key
    return key


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


POSTING_VALUE: Final[Mapping[JobStatusValue, JobPostingStatusValue]] = {
    JobStatusValue.PUBLISHED: JobPostingStatusValue.LIVE,
    JobStatusValue.DRAFT: JobPostingStatusValue.DRAFT,
    JobStatusValue.PENDING: JobPostingStatusValue.PENDING,
    JobStatusValue.INTERNAL: JobPostingStatusValue.INTERNAL,
    JobStatusValue.ARCHIVED: JobPostingStatusValue.ARCHIVED,
    JobStatusValue.CLOSED: JobPostingStatusValue.CLOSED,
    # Accepting candidates through a link, unlisted: a candidate who has the link sees it.
    JobStatusValue.OPEN: JobPostingStatusValue.LIVE,
    # The posting enum has neither: a deleted or paused posting is not visible, so closed.
    JobStatusValue.DELETED: JobPostingStatusValue.CLOSED,
    JobStatusValue.ON_HOLD: JobPostingStatusValue.CLOSED,
    JobStatusValue.UNMAPPED_VALUE: JobPostingStatusValue.UNMAPPED_VALUE,
}
"""The job posting status a table entry gives when its raw value is read as a posting's status,
unless the entry names its own `posting` value (Lever's `rejected` is `closed` for the job and
`rejected` for the posting)."""


class StatusEntry(_Frozen):
    """One raw status and the unified value it maps to, with the source that documents it.

    `posting` is the job posting status it gives, when that is not `POSTING_VALUE[value]`.
    """

    raw: RawScalar
    value: JobStatusValue
    posting: JobPostingStatusValue | None = None
    source: str
    note: str | None = None


Condition = Annotated[Union[StrictBool, StrictInt, StrictStr, tuple[StrictStr, ...]], Field(union_mode="left_to_right")]
"""A rule's condition on one key: a scalar, or a list of strings that must be the key's list in
any order (Lever's `distributionChannels = ["internal"]`)."""


class Rule(_Frozen):
    """A rule for object raw values: when every key in `when` has the given value, map to `value`.

    String conditions match by `status_key` (`"Published"` matches `"PUBLISHED"`); integers and
    booleans match exactly and by kind (`true` never matches `1`); a list of strings matches a
    list holding the same strings (by key), in any order.
    """

    when: Annotated[dict[str, Condition], Field(min_length=1)]
    value: JobStatusValue
    posting: JobPostingStatusValue | None = None
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
    """The key a raw scalar is stored under: its kind, then its `status_key` or the exact number."""
    if isinstance(raw, bool):
        return ("boolean", raw)
    if isinstance(raw, int):
        return ("integer", raw)
    return ("string", status_key(raw))


def _condition_key(expected: bool | int | str | tuple[str, ...]) -> tuple[str, bool | int | str | frozenset[str]]:
    if isinstance(expected, tuple):
        return ("strings", frozenset(map(status_key, expected)))
    return _lookup_key(expected)


def _key_conflicts(entries: Iterable[StatusEntry]) -> list[InitErrorDetails]:
    errors: list[InitErrorDetails] = []
    seen: dict[tuple[str, bool | int | str], tuple[int, StatusEntry]] = {}
    for index, entry in enumerate(entries):
        key = _lookup_key(entry.raw)
        if isinstance(entry.raw, str) and not any(character.isalnum() for character in entry.raw):
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
        if earlier[0] != index:
            # Even with the same target: the second entry would be dead, and its note or source
            # misleading. Spelling variants are matched already; list one spelling.
            errors.append(
                _error(
                    "provider_table_conflict",
                    "statuses[{index}] '{raw}' and statuses[{other_index}] '{other}' are the same status once "
                    "case and separators are ignored (key '{key}')",
                    ("statuses", index, "raw"),
                    entry.raw,
                    raw=entry.raw,
                    index=index,
                    other_index=earlier[0],
                    other=earlier[1].raw,
                    key=key[1],
                )
            )
    return errors


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    # Each condition: (key, kind, expected), strings already keyed.
    conditions: tuple[tuple[str, str, bool | int | str | frozenset[str]], ...]
    value: Enum

    def matches(self, raw: Mapping[Any, Any]) -> bool:
        for key, kind, expected in self.conditions:
            actual = raw.get(key)
            if kind == "string":
                if not (isinstance(actual, str) and key_cached(actual) == expected):
                    return False
            elif kind == "strings":
                if not (
                    isinstance(actual, list)
                    and all(isinstance(item, str) for item in actual)
                    and frozenset(key_cached(item) for item in actual) == expected
                ):
                    return False
            elif kind == "boolean":
                if not (isinstance(actual, bool) and actual is expected):
                    return False
            elif isinstance(actual, bool) or not isinstance(actual, int) or actual != expected:
                return False
        return True


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """A table compiled for lookups of one kind of status: built once, read on every call.

    Its values are `JobStatusValue` members, or for `posting=True` `JobPostingStatusValue` ones.
    """

    strings: Mapping[str, Enum]
    # Keyed by int, typed float: a whole JSON number like `1.0` finds the entry for `1`.
    integers: Mapping[float, Enum]
    booleans: Mapping[bool, Enum]
    rules: tuple[_CompiledRule, ...]
    keys: tuple[str, ...]

    @classmethod
    def compile(cls, table: ProviderTable, base: Vocabulary | None = None, *, posting: bool = False) -> Vocabulary:
        """Compile `table`, on top of the compiled table it extends, if any."""

        def target(item: StatusEntry | Rule) -> Enum:
            if not posting:
                return item.value
            return item.posting if item.posting is not None else POSTING_VALUE[item.value]

        strings = dict(base.strings) if base else {}
        integers: dict[float, Enum] = dict(base.integers) if base else {}
        booleans = dict(base.booleans) if base else {}
        for entry in table.statuses:
            kind, key = _lookup_key(entry.raw)
            if kind == "string":
                strings[str(key)] = target(entry)
            elif kind == "boolean":
                booleans[bool(key)] = target(entry)
            else:
                integers[int(key)] = target(entry)
        rules = tuple(
            _CompiledRule(
                tuple((name, *_condition_key(expected)) for name, expected in rule.when.items()), target(rule)
            )
            for rule in table.rules
        )
        return cls(
            strings=strings,
            integers=integers,
            booleans=booleans,
            rules=rules + (base.rules if base else ()),
            keys=table.keys or (base.keys if base else ()),
        )

    def lookup(self, raw: Any) -> Enum | None:
        """The unified value of a raw status, or `None` when this vocabulary does not know it."""
        # Strings first and by exact type: the common case skips the (slower) ABC check below,
        # and a remembered spelling skips the call to `key_cached`.
        if type(raw) is str:
            return self.strings.get(_KEYS.get(raw) or key_cached(raw))
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

    def _lookup_scalar(self, raw: Any) -> Enum | None:
        if isinstance(raw, str):
            return self.strings.get(key_cached(raw))
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


def _file_error(path: Path, error_type: str, message: str, loc: tuple[str | int, ...], **ctx: Any) -> ValidationError:
    return ValidationError.from_exception_data(str(path), [_error(error_type, message, loc, str(path), **ctx)])


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def parse_table_text(data: bytes, path: Path) -> ProviderTable:
    """Validate a table file's bytes: every problem, whatever it is, a `ValidationError` titled `path`.

    An encoding or syntax error is one error of type `provider_table_encoding` or
    `provider_table_syntax` whose `loc` is `("line N", "column M")` (1-based) and whose context
    holds `file`, `line` and `column`; a content error keeps the entry's `loc`.
    """
    suffix = path.suffix.lower()
    if suffix not in (".json", ".toml"):
        raise ValueError(f"A provider table file ends in .toml or .json, not {path.name!r}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise _file_error(
            path,
            "provider_table_encoding",
            "A provider table is UTF-8 text; byte 0x{byte} is not",
            (f"line {line}", f"column {column}"),
            file=str(path),
            line=line,
            column=column,
            byte=f"{data[error.start]:02x}",
        ) from None
    try:
        parsed = json.loads(text, parse_constant=_refuse_constant) if suffix == ".json" else tomllib.loads(text)
    except json.JSONDecodeError as error:
        raise _syntax_error(path, error.msg, error.lineno, error.colno) from None
    except tomllib.TOMLDecodeError as error:
        # tomllib puts the place in its message only: "... (at line 3, column 7)" or "(at end of document)".
        reason, _, place = str(error).partition(" (at ")
        numbers = [int(word.strip(",)")) for word in place.split() if word.strip(",)").isdigit()]
        line, column = numbers if len(numbers) == 2 else (text.count("\n") + 1, len(text) - text.rfind("\n"))
        raise _syntax_error(path, reason, line, column) from None
    except (ValueError, RecursionError) as error:
        raise _syntax_error(path, str(error), 1, 1) from None
    try:
        return ProviderTable.model_validate(parsed)
    except ValidationError as error:
        # The same errors, titled with the file so that a message names it.
        raise ValidationError.from_exception_data(
            str(path),
            [
                InitErrorDetails(
                    type=PydanticCustomError(detail["type"], detail["msg"].replace("{", "{{").replace("}", "}}")),
                    loc=detail["loc"],
                    input=detail["input"],
                )
                for detail in error.errors(include_url=False)
            ],
        ) from None


def _syntax_error(path: Path, reason: str, line: int, column: int) -> ValidationError:
    return _file_error(
        path,
        "provider_table_syntax",
        "{reason}",
        (f"line {line}", f"column {column}"),
        file=str(path),
        line=line,
        column=column,
        reason=reason,
    )


def load_table_file(path: Path) -> ProviderTable:
    """Read and validate a table from a `.toml` or `.json` file (see `parse_table_text`)."""
    return parse_table_text(path.read_bytes(), path)


def _builtin_tables() -> dict[str, ProviderTable]:
    tables: dict[str, ProviderTable] = {}
    for item in resources.files(__package__).joinpath("data").iterdir():
        if item.name.endswith(".toml"):
            table = parse_table_text(item.read_bytes(), Path("jobstatus/providers/data", item.name))
            if f"{table.id}.toml" != item.name:
                raise ValueError(f"Provider table {item.name} declares id {table.id!r}; the file is named after its id")
            tables[table.id] = table
    return tables


_ALIASES: Final = 1024


class _Registry:
    """Built-in tables (loaded on first use) overlaid by the user's, with compiled lookups cached.

    Registration clears the compiled cache: a table may extend another, so one change can alter
    several vocabularies. Reads take no lock: they only read dicts that are replaced, not mutated.
    Ids are lower-case slugs, so a provider is found whatever its case (`Workday` is `workday`).
    """

    def __init__(self) -> None:
        # Re-entrant: `register` holds it while `tables` may load the built-ins.
        self._lock = threading.RLock()
        self._builtin: dict[str, ProviderTable] | None = None
        self._user: dict[str, ProviderTable] = {}
        self.compiled: dict[str, Vocabulary] = {}
        self.compiled_posting: dict[str, Vocabulary] = {}

    def tables(self) -> dict[str, ProviderTable]:
        if self._builtin is None:
            with self._lock:
                if self._builtin is None:
                    self._builtin = _builtin_tables()
        return {**self._builtin, **self._user}

    def table(self, provider: str) -> ProviderTable:
        tables = self.tables()
        table = tables.get(provider) or tables.get(provider.lower()) if isinstance(provider, str) else None
        if table is None:
            raise UnknownProviderError(provider, tables)
        return table

    def vocabulary(self, provider: str, *, posting: bool = False) -> Vocabulary:
        compiled = self.compiled_posting if posting else self.compiled
        vocabulary = compiled.get(provider) if isinstance(provider, str) else None
        if vocabulary is None:
            table_id = self.table(provider).id
            vocabulary = compiled.get(table_id) or self._compile(table_id, (), posting=posting)
            if provider != table_id and len(compiled) < _ALIASES:  # `Workday`: found at once next time
                compiled = self.compiled_posting if posting else self.compiled
                compiled = {**compiled, provider: vocabulary}
                if posting:
                    self.compiled_posting = compiled
                else:
                    self.compiled = compiled
        return vocabulary

    def vocabularies(self, *, posting: bool) -> list[Vocabulary]:
        """Every registered table compiled, sorted by id."""
        return [self.vocabulary(provider, posting=posting) for provider in sorted(self.tables())]

    def _compile(self, provider: str, chain: tuple[str, ...], *, posting: bool = False) -> Vocabulary:
        if provider in chain:
            raise ValueError(f"Provider tables extend each other in a cycle: {' -> '.join((*chain, provider))}")
        table = self.table(provider)
        base = self._compile(table.extends, (*chain, provider), posting=posting) if table.extends else None
        vocabulary = Vocabulary.compile(table, base, posting=posting)
        if posting:
            self.compiled_posting = {**self.compiled_posting, provider: vocabulary}
        else:
            self.compiled = {**self.compiled, provider: vocabulary}
        return vocabulary

    def register(self, table: ProviderTable, *, replace: bool) -> None:
        with self._lock:
            if not replace and table.id in self.tables():
                raise DuplicateProviderError(table.id)
            previous = self._user
            self._user = {**previous, table.id: table}
            self.compiled, self.compiled_posting = {}, {}
            try:
                # Compile now, not on first use: a missing base or a cycle of `extends` fails here.
                self._compile(table.id, ())
            except Exception:
                self._user = previous
                self.compiled, self.compiled_posting = {}, {}
                raise

    def unregister(self, provider: str) -> bool:
        with self._lock:
            found = provider in self._user
            self._user = {key: value for key, value in self._user.items() if key != provider}
            self.compiled, self.compiled_posting = {}, {}
            return found


registry = _Registry()


def dump_json(raw: bool | int | str) -> str:
    """A raw scalar as JSON text, so the docs tell `0` from `"0"`."""
    return json.dumps(raw, ensure_ascii=False)
