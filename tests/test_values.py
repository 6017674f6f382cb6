from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Optional, Union

import pytest
from pydantic import ValidationError

from jobstatus import (
    JobPostingStatusValue,
    JobStatus,
    JobStatusValue,
    StrictJobStatus,
    UnifiedStatus,
    UnifiedValue,
    UnmappedJobStatus,
    fold_status,
    status_key,
)
from jobstatus._values import common_spellings, member_by_key

# The upstream spec's order is part of the contract: schemas and docs list the values in it.
SPEC_ORDER = [
    "published",
    "draft",
    "pending",
    "internal",
    "archived",
    "closed",
    "open",
    "deleted",
    "on_hold",
    "unmapped_value",
]
POSTING_SPEC_ORDER = ["live", "draft", "pending", "internal", "rejected", "closed", "archived", "unmapped_value"]


def test_job_status_values_in_spec_order() -> None:
    assert [member.value for member in JobStatusValue] == SPEC_ORDER


def test_job_posting_status_values_in_spec_order() -> None:
    assert [member.value for member in JobPostingStatusValue] == POSTING_SPEC_ORDER


def test_members_are_plain_strings() -> None:
    assert JobStatusValue.ON_HOLD == "on_hold"
    assert str(JobStatusValue.ON_HOLD) == "on_hold"
    assert f"{JobPostingStatusValue.LIVE}" == "live"


folds = [
    ("on_hold", "on_hold"),  # canonical stays
    ("On Hold", "on_hold"),  # title case with a space
    ("on-hold", "on_hold"),  # hyphen
    ("onHold", "on_hold"),  # camelCase
    ("OnHold", "on_hold"),  # PascalCase
    (" ON_HOLD ", "on_hold"),  # padding and upper case
    ("on  --  hold", "on_hold"),  # a run of separators is one
    ("_on_hold_", "on_hold"),  # separators at the ends are dropped
    ("\ton\nhold\u00a0", "on_hold"),  # any white space, Unicode included
    ("UNMAPPED_VALUE", "unmapped_value"),
    ("unmappedValue", "unmapped_value"),
    ("PendingApproval", "pending_approval"),
    ("live", "live"),  # no synonyms: live is not published
    ("Published!", "published!"),  # punctuation other than separators is kept
    ("ON HOLD", "on_hold"),  # no camelCase boundary inside an upper-case word
    ("", ""),
    ("   ", ""),
]


@pytest.mark.parametrize(("text", "folded"), folds)
def test_fold_status(text: str, folded: str) -> None:
    assert fold_status(text) == folded


def test_every_canonical_value_folds_to_itself() -> None:
    for member in [*JobStatusValue, *JobPostingStatusValue]:
        assert fold_status(member.value) == member.value


@pytest.mark.parametrize("enum", [JobStatusValue, JobPostingStatusValue])
def test_common_spellings_only_precompute_folding(enum: type[StrEnum]) -> None:
    spellings = common_spellings(enum)
    keys = member_by_key(enum)
    assert all(keys[status_key(spelling)] is member for spelling, member in spellings.items())
    assert all(spellings[member.value] is member for member in enum)


def test_common_spellings_of_a_two_word_value() -> None:
    spellings = common_spellings(JobStatusValue)
    on_hold = [spelling for spelling, member in spellings.items() if member is JobStatusValue.ON_HOLD]
    assert sorted(on_hold) == sorted(
        [
            "on_hold",
            "on-hold",
            "on hold",
            "ON_HOLD",
            "ON-HOLD",
            "ON HOLD",
            "On_Hold",
            "On-Hold",
            "On Hold",
            "onHold",
            "OnHold",
            "onhold",
            "ONHOLD",
        ]
    )


def test_common_spellings_keep_a_value_that_is_not_its_own_key() -> None:
    class Kind(StrEnum):
        FULL_TIME = "Full Time"
        UNMAPPED_VALUE = "unmapped_value"

    spellings = common_spellings(Kind)
    assert spellings["Full Time"] is spellings["full_time"] is spellings["fullTime"] is Kind.FULL_TIME


# --- matching keys: case and every separator ignored ---------------------------------------------

keys = [
    ("onhold", "onhold"),
    ("ONHOLD", "onhold"),
    ("On-Hold", "onhold"),
    ("on_hold", "onhold"),
    ("cLOSED", "closed"),  # camelCase splitting once made this c_losed
    ("Filled/Closed", "filledclosed"),  # any punctuation is a separator
    ("On\u2013Hold", "onhold"),  # an en dash too
    ("  on . hold  ", "onhold"),
    ("!!!", ""),  # separators only
    ("op\x00en", "op\x00en"),  # a control character is not a separator: it stays
    ("\ufeffopen", "\ufeffopen"),  # nor is a byte-order mark
]


@pytest.mark.parametrize(("text", "key"), keys)
def test_status_key(text: str, key: str) -> None:
    assert status_key(text) == key


model_spellings = ["onhold", "ONHOLD", "On-Hold", "on.hold", "ON HOLD", "On_hold", "oNhOLD"]


@pytest.mark.parametrize("model", [JobStatus, UnmappedJobStatus, StrictJobStatus])
@pytest.mark.parametrize("spelling", model_spellings)
def test_models_match_every_spelling(model: type[UnifiedStatus], spelling: str) -> None:
    status = model.model_validate({"value": spelling})
    assert status.value is JobStatusValue.ON_HOLD
    assert model.model_validate_json(f'{{"value": "{spelling}"}}').value is JobStatusValue.ON_HOLD


def test_closed_in_odd_case_is_closed() -> None:
    assert JobStatus.model_validate({"value": "cLOSED"}).value is JobStatusValue.CLOSED


def test_common_spellings_include_the_unseparated_ones() -> None:
    spellings = common_spellings(JobStatusValue)
    assert spellings["onhold"] is spellings["ONHOLD"] is JobStatusValue.ON_HOLD
    assert spellings["unmappedvalue"] is JobStatusValue.UNMAPPED_VALUE


def test_an_enum_whose_members_collide_is_refused() -> None:
    class Clashing(StrEnum):
        ON_HOLD = "on_hold"
        ONHOLD = "on-hold"
        UNMAPPED_VALUE = "unmapped_value"

    with pytest.raises(ValidationError) as caught:
        member_by_key(Clashing)
    [error] = caught.value.errors()
    assert (error["type"], error["loc"]) == ("status_value_collision", ("ONHOLD",))
    assert error["msg"] == (
        "Clashing.ONHOLD ('on-hold') and Clashing.ON_HOLD ('on_hold') have the same key 'onhold' "
        "once case and separators are ignored"
    )
    with pytest.raises(ValidationError):  # a model over it fails when it is defined

        class ClashingStatus(UnifiedStatus):
            value: Annotated[Optional[Union[Clashing, str]], UnifiedValue(Clashing, "open")] = None


# --- strict suggestions: the vocabularies first, then only a close spelling, else none -----------

suggestions = [
    ("Frozen", "on_hold"),  # Workday's word: its table maps it to on_hold (was: open)
    ("Paused", "on_hold"),  # the generic table's word (was: published)
    ("Active", "open"),  # most tables read it as open (was: archived)
    ("Inactive", "closed"),  # Kombo's posting status (was: archived)
    ("live", "published"),  # (was: archived)
    ("on hodl", "on_hold"),  # a close spelling
    ("pubished", "published"),
    ("arcived", "archived"),
    ("xyzzy", None),  # nothing close: no suggestion
    ("Eingefroren", None),
]


@pytest.mark.parametrize(("value", "suggestion"), suggestions)
def test_strict_suggestions(value: str, suggestion: str | None) -> None:
    with pytest.raises(ValidationError) as caught:
        StrictJobStatus.model_validate({"value": value})
    [error] = caught.value.errors()
    assert error["type"] == "status_value_unknown"
    assert error.get("ctx", {}).get("suggestion") == suggestion
    assert ("did you mean" in error["msg"]) is (suggestion is not None)
