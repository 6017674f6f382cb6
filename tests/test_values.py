from __future__ import annotations

from enum import StrEnum

import pytest

from jobstatus import JobPostingStatusValue, JobStatusValue, fold_status
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
    assert all(keys[fold_status(spelling)] is member for spelling, member in spellings.items())
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
        ]
    )


def test_common_spellings_keep_a_value_that_is_not_its_own_key() -> None:
    class Kind(StrEnum):
        FULL_TIME = "Full Time"
        UNMAPPED_VALUE = "unmapped_value"

    spellings = common_spellings(Kind)
    assert spellings["Full Time"] is spellings["full_time"] is spellings["fullTime"] is Kind.FULL_TIME
