"""The unified status vocabularies and the folding of their spellings.

This module is the one home of the vocabulary: the JSON Schemas, the README tables and the help
texts are generated from the enums below, never typed again.
"""

from __future__ import annotations

import re
from enum import Enum, StrEnum
from typing import TypeVar

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

__all__ = (
    "JobPostingStatusValue",
    "JobStatusValue",
    "common_spellings",
    "describe",
    "fold_status",
    "member_by_key",
    "status_key",
)


class JobStatusValue(StrEnum):
    """The unified status of a job (upstream schema `AtsJobStatusEnum`), in spec order.

    ```python
    from jobstatus import JobStatusValue

    assert JobStatusValue("on_hold") is JobStatusValue.ON_HOLD
    assert JobStatusValue.ON_HOLD == "on_hold"
    ```
    """

    PUBLISHED = "published"
    DRAFT = "draft"
    PENDING = "pending"
    INTERNAL = "internal"
    ARCHIVED = "archived"
    CLOSED = "closed"
    OPEN = "open"
    DELETED = "deleted"
    ON_HOLD = "on_hold"
    UNMAPPED_VALUE = "unmapped_value"


class JobPostingStatusValue(StrEnum):
    """The unified status of a job posting (upstream schema `JobPostingStatusEnum`), in spec order.

    ```python
    from jobstatus import JobPostingStatusValue

    assert JobPostingStatusValue("live") is JobPostingStatusValue.LIVE
    ```
    """

    LIVE = "live"
    DRAFT = "draft"
    PENDING = "pending"
    INTERNAL = "internal"
    REJECTED = "rejected"
    CLOSED = "closed"
    ARCHIVED = "archived"
    UNMAPPED_VALUE = "unmapped_value"


# What each value means, for the generated docs. The wording follows the semantics the provider
# tables keep (lifecycle versus visibility, on hold is paused and not pending).
_DESCRIPTIONS: dict[Enum, str] = {
    JobStatusValue.PUBLISHED: "Open and listed on an external job board.",
    JobStatusValue.DRAFT: "Being written; not yet submitted or opened.",
    JobStatusValue.PENDING: "Not yet open: awaiting approval, or approved and not yet opened.",
    JobStatusValue.INTERNAL: "Open, listed on the internal job board only.",
    JobStatusValue.ARCHIVED: "Kept for the record; no longer in use.",
    JobStatusValue.CLOSED: "No longer accepting candidates (filled, cancelled, won, lost, denied).",
    JobStatusValue.OPEN: "Accepting candidates; visibility unknown or unlisted.",
    JobStatusValue.DELETED: "Deleted in the source system.",
    JobStatusValue.ON_HOLD: "Paused; may reopen. Not the same as pending.",
    JobStatusValue.UNMAPPED_VALUE: "The provider's status has no unified equivalent; see `source_value`.",
    JobPostingStatusValue.LIVE: "Visible to candidates.",
    JobPostingStatusValue.DRAFT: "Being written; not yet visible.",
    JobPostingStatusValue.PENDING: "Awaiting approval before it goes live.",
    JobPostingStatusValue.INTERNAL: "Visible on the internal board only.",
    JobPostingStatusValue.REJECTED: "Approval was denied.",
    JobPostingStatusValue.CLOSED: "No longer visible or accepting applications.",
    JobPostingStatusValue.ARCHIVED: "Kept for the record; no longer in use.",
    JobPostingStatusValue.UNMAPPED_VALUE: "The provider's status has no unified equivalent; see `source_value`.",
}


def describe(member: Enum) -> str:
    """Return the one-line meaning of a unified value, as the generated docs show it.

    ```python
    from jobstatus import JobStatusValue, describe

    assert describe(JobStatusValue.ON_HOLD).startswith("Paused")
    ```
    """
    return _DESCRIPTIONS[member]


# A lower-case letter or digit followed by an upper-case letter marks a camelCase word boundary.
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\s_-]+")


def fold_status(text: str) -> str:
    """Fold a status spelling to its canonical key: trimmed, lower case, words joined by `_`.

    Spaces, hyphens, underscores and camelCase boundaries all separate words; runs of them count
    as one, and separators at either end are dropped. Folding only changes spelling, never
    meaning: it invents no synonyms. Every step is a single pass, so the cost is linear in the
    length of `text`.

    ```python
    from jobstatus import fold_status

    assert fold_status(" On Hold ") == "on_hold"
    assert fold_status("onHold") == fold_status("on-hold") == fold_status("ON_HOLD") == "on_hold"
    assert fold_status("live") == "live"
    ```
    """
    return _SEPARATORS.sub("_", _CAMEL_BOUNDARY.sub("_", text)).strip("_").lower()


# Separators: white space and punctuation (ASCII, Latin-1, the general punctuation block with its
# dashes, CJK). Control and format characters (NUL, a byte-order mark, zero-width space) are not
# separators: a value holding one stays unknown instead of matching the value it hides in.
_SEPARATOR_RUN = re.compile(r"[\s!-/:-@\[-`{-~\u00a1-\u00bf\u2010-\u2027\u2030-\u205e\u3000-\u303f]+")


def status_key(text: str) -> str:
    """The key a status spelling is matched by: lower case, with every separator removed.

    Case and every separator are ignored (white space, hyphens, underscores, slashes, dots, any
    punctuation), so `"onhold"`, `"ONHOLD"`, `"On-Hold"` and `"on_hold"` are one status, and so
    are `"cLOSED"` and `"closed"`. `fold_status` gives the readable form (`"on_hold"`); this key is
    what the models and the provider tables compare, so two spellings match exactly when their
    keys are equal. It is one pass, linear in the length of `text`, and invents no synonyms.

    ```python
    from jobstatus import status_key

    assert status_key("On-Hold") == status_key("ONHOLD") == status_key("on_hold") == "onhold"
    assert status_key("cLOSED") == "closed"
    assert status_key("!!!") == ""  # separators only: no status
    assert status_key("op\\x00en") != "open"  # a control character is no separator
    ```
    """
    return _SEPARATOR_RUN.sub("", text).lower()


_E = TypeVar("_E", bound=Enum)


def member_by_key(enum: type[_E]) -> dict[str, _E]:
    """Map the `status_key` of every member of `enum` to the member.

    Raises:
        pydantic.ValidationError: two members have the same key (type `status_value_collision`,
            naming both): every spelling of one would be read as the other.

    ```python
    from jobstatus import JobStatusValue
    from jobstatus._values import member_by_key

    assert member_by_key(JobStatusValue)["onhold"] is JobStatusValue.ON_HOLD
    ```
    """
    keys: dict[str, _E] = {}
    for member in enum:
        key = status_key(str(member.value))
        other = keys.setdefault(key, member)
        if other is not member:
            raise ValidationError.from_exception_data(
                enum.__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError(
                            "status_value_collision",
                            "{enum}.{member} ('{value}') and {enum}.{other} ('{other_value}') have the same "
                            "key '{key}' once case and separators are ignored",
                            {
                                "enum": enum.__name__,
                                "member": member.name,
                                "value": str(member.value),
                                "other": other.name,
                                "other_value": str(other.value),
                                "key": key,
                            },
                        ),
                        loc=(member.name,),
                        input=str(member.value),
                    )
                ],
            )
    return keys


def common_spellings(enum: type[_E]) -> dict[str, _E]:
    """Map every member's value, and the spellings of it that providers commonly send, to the member.

    The spellings are those of its folded words in lower, UPPER, Title, camel and Pascal case,
    joined by `_`, `-` or a space, or by nothing (camel and Pascal case, `onhold`, `ONHOLD`); each
    has the member's `status_key`, so this only answers `status_key` ahead of time for the
    spellings met most often.

    ```python
    from jobstatus import JobStatusValue
    from jobstatus._values import common_spellings

    spellings = common_spellings(JobStatusValue)
    assert spellings["On Hold"] is spellings["onHold"] is spellings["ON_HOLD"] is JobStatusValue.ON_HOLD
    ```
    """
    spellings: dict[str, _E] = {}
    for key, member in member_by_key(enum).items():
        words = fold_status(str(member.value)).split("_")
        cased = [words, [word.upper() for word in words], [word.title() for word in words]]
        variants = [separator.join(spelled) for spelled in cased for separator in ("_", "-", " ")]
        variants += [words[0] + "".join(word.title() for word in words[1:]), "".join(word.title() for word in words)]
        variants += ["".join(words), "".join(words).upper()]
        spellings.update({variant: member for variant in variants if status_key(variant) == key})
    # The exact values last, so that a value that is not its own folded key still maps to its member.
    spellings.update({str(member.value): member for member in enum})
    return spellings
