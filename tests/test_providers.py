"""Provider vocabularies: every table entry, the important mappings by hand, structured raw
values, unknown values, the table checks and the registry."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError, field_validator

from jobstatus import (
    JobPostingStatus,
    JobPostingStatusValue,
    JobStatus,
    JobStatusValue,
    ProviderTable,
    StrictJobPostingStatus,
    StrictJobStatus,
    UnknownProviderError,
    UnmappedJobPostingStatus,
    UnmappedJobStatus,
    fold_status,
    infer_status,
    load_provider_table,
    provider_ids,
    provider_table_markdown,
    register_provider,
    unregister_provider,
    validate_with_provider,
)
from jobstatus.providers import DuplicateProviderError, provider_table

V = JobStatusValue
BUILTIN = provider_ids()


@pytest.fixture(autouse=True)
def _clean_registry() -> Iterator[None]:
    yield
    for provider in provider_ids():
        unregister_provider(provider)


# --- every entry of every table, generated from the data ------------------------------------

ENTRIES = [
    pytest.param(provider, entry.raw, entry.value, id=f"{provider}:{entry.raw!r}")
    for provider in BUILTIN
    for entry in provider_table(provider).statuses
]


@pytest.mark.parametrize(("provider", "raw", "expected"), ENTRIES)
def test_every_table_entry(provider: str, raw: Any, expected: JobStatusValue) -> None:
    status = infer_status(raw, provider)
    assert status.value is expected
    assert status.source_value == raw
    assert type(status.source_value) is type(raw)


def _spellings(raw: str) -> list[str]:
    words = fold_status(raw).split("_")
    return [
        # Upper or lower case loses a camelCase boundary, so these start from the words.
        " ".join(words).upper(),
        " ".join(words).lower(),
        " ".join(words).title(),
        "-".join(words),
        "_".join(words).upper(),
        words[0] + "".join(word.title() for word in words[1:]),  # camelCase
        f"  {raw}  ",
    ]


SPELLINGS = [
    pytest.param(provider, spelling, entry.value, id=f"{provider}:{spelling!r}")
    for provider in BUILTIN
    for entry in provider_table(provider).statuses
    if isinstance(entry.raw, str)
    for spelling in _spellings(entry.raw)
]


@pytest.mark.parametrize(("provider", "raw", "expected"), SPELLINGS)
def test_spelling_variants(provider: str, raw: str, expected: JobStatusValue) -> None:
    assert infer_status(raw, provider).value is expected


# --- the important and non-obvious mappings, by hand: a wrong data edit fails here -------------

expected_mappings = [
    ("greenhouse", "open", V.OPEN),
    ("lever", "rejected", V.CLOSED),  # approval denied is closed
    ("lever_requisition", "onHold", V.ON_HOLD),
    ("lever_requisition", "on hold", V.ON_HOLD),  # camelCase and spaces fold alike
    ("workable", "closed", V.CLOSED),  # kept closed despite Workable's "confidential" wording
    ("ashby", "Archived", V.ARCHIVED),
    ("smartrecruiters", "PENDING_APPROVAL", V.PENDING),
    ("smartrecruiters", "Approved", V.PENDING),  # approved but not yet sourcing
    ("smartrecruiters", "SOURCING", V.OPEN),
    ("smartrecruiters", "Offer", V.OPEN),
    ("smartrecruiters", "ON_HOLD", V.ON_HOLD),  # on hold is paused, never pending
    ("smartrecruiters", "Cancelled", V.CLOSED),
    ("smartrecruiters_posting", "Private", V.OPEN),
    ("teamtailor", "open", V.PUBLISHED),  # Teamtailor's open is listed on the career site
    ("teamtailor", "unlisted", V.OPEN),
    ("teamtailor", "temp", V.UNMAPPED_VALUE),  # undocumented, kept explicitly unmapped
    ("teamtailor", "scheduled", V.PENDING),
    ("teamtailor", "expired", V.CLOSED),
    ("bamboohr", "Filled", V.CLOSED),
    ("bamboohr", "Deleted", V.DELETED),
    ("bamboohr", 3, V.ON_HOLD),
    ("jazzhr", "Drafting", V.DRAFT),
    ("breezy", "Active", V.PUBLISHED),
    ("breezy", "Pending Approval", V.PENDING),
    ("recruiterflow", "Won", V.CLOSED),
    ("recruiterflow", "Awaiting Feedback", V.OPEN),
    ("gem", "pending_approval", V.PENDING),
    ("deel", "NOT_APPROVED", V.CLOSED),
    ("deel", "APPROVED", V.PENDING),
    ("bullhorn", "Covered", V.CLOSED),
    ("bullhorn", "Offer Out", V.OPEN),
    ("bullhorn", "Archive", V.ARCHIVED),
    ("workday", "Frozen", V.ON_HOLD),
    ("taleo", "Canceled", V.CLOSED),
    ("successfactors", 0, V.PENDING),
    ("successfactors", 1, V.OPEN),
    ("successfactors", 2, V.CLOSED),
    ("successfactors", 1.0, V.OPEN),  # the same JSON number
    ("successfactors", "2", V.CLOSED),
    ("successfactors", "Approved", V.OPEN),  # code 1, unlike other providers' "approved"
    ("peoplesoft", "100", V.ON_HOLD),
    ("peoplesoft", "Filled/Closed", V.CLOSED),
    ("peoplesoft", "008", V.CLOSED),
    ("infor", "Approval Requested", V.PENDING),
    ("infor", "ON HOLD", V.ON_HOLD),
    ("dayforce", "Approved", V.PENDING),
    ("join", "Offline", V.ON_HOLD),  # JOIN calls it pausing
    ("join", "Online", V.PUBLISHED),
    ("welcometothejungle", "published", V.PUBLISHED),
    ("manatal", "lost", V.CLOSED),
    ("manatal", "active", V.OPEN),
    ("jobscore", "filled", V.CLOSED),
    (None, "Pending Approval", V.PENDING),
    (None, "paused", V.ON_HOLD),
    (None, "Filled", V.CLOSED),
    (None, "LIVE", V.PUBLISHED),
    (None, "on-hold", V.ON_HOLD),
    # the other unified APIs
    ("merge", "PENDING", V.PENDING),
    ("merge", {"status": "OPEN", "remote_was_deleted": True}, V.DELETED),  # the deletion flag wins
    ("merge_job_posting", "INTERNAL", V.INTERNAL),
    ("merge_job_posting", {"status": "PUBLISHED", "remote_was_deleted": True}, V.DELETED),
    ("kombo", "OPEN", V.OPEN),  # no visibility given: open
    ("kombo", {"status": "OPEN", "visibility": "INTERNAL"}, V.INTERNAL),  # status and visibility read both
    ("kombo", {"status": "OPEN", "visibility": "PUBLIC"}, V.PUBLISHED),
    ("kombo", {"status": "OPEN", "visibility": "CONFIDENTIAL"}, V.OPEN),
    ("kombo", {"status": "CLOSED", "visibility": "PUBLIC"}, V.CLOSED),
    ("kombo_job_posting", {"status": "ACTIVE", "visibility": "UNLISTED"}, V.OPEN),
    ("kombo_job_posting", "INACTIVE", V.CLOSED),
    ("apideck", "on-hold", V.ON_HOLD),  # the only peer with on hold
    ("apideck", "placed", V.CLOSED),
    ("apideck", {"status": "open", "deleted": True}, V.DELETED),
    ("apideck", {"status": "open", "visibility": "internal"}, V.INTERNAL),
    ("unified_to", "PENDING", V.PENDING),
    ("unified_to_job_posting", {"is_active": False}, V.CLOSED),
    ("knit", "NOT_SPECIFIED", V.UNMAPPED_VALUE),  # the ATS gave none
    # the second round of corrections
    ("greenhouse_job_post", "offline", V.CLOSED),  # the status endpoint's strings
    ("greenhouse_job_post", "live", V.OPEN),
    ("smartrecruiters_posting", "Not published", V.CLOSED),
    ("smartrecruiters_posting", "Published", V.PUBLISHED),
    ("lever", {"state": "published", "distributionChannels": ["internal"]}, V.INTERNAL),  # internal only
    ("lever", {"state": "published", "distributionChannels": ["internal", "public"]}, V.PUBLISHED),
    ("lever", {"state": "published", "distributionChannels": "internal"}, V.PUBLISHED),  # not a list: state read
    ("pinpoint", "pending_approval", V.PENDING),
    ("icims_posting", "Posting in Progress", V.PENDING),
    ("icims_posting", "Deletion in Progress", V.DELETED),
    ("icims_posting", "Unposted", V.CLOSED),
    # spelling-proof: case and every separator ignored
    ("jazzhr", "onhold", V.ON_HOLD),
    ("jazzhr", "ONHOLD", V.ON_HOLD),
    ("jazzhr", "On-Hold", V.ON_HOLD),
    ("jazzhr", "cLOSED", V.CLOSED),
    ("peoplesoft", "filled closed", V.CLOSED),
]


@pytest.mark.parametrize(("provider", "raw", "expected"), expected_mappings)
def test_expected_mappings(provider: str | None, raw: Any, expected: JobStatusValue) -> None:
    assert infer_status(raw, provider).value is expected


# --- structured raw values ---------------------------------------------------------------------

structured = [
    # Greenhouse job post booleans: deletion first, then the board.
    ("greenhouse_job_post", {"live": True, "internal": False, "active": True}, V.PUBLISHED),
    ("greenhouse_job_post", {"live": True, "internal": True, "active": True}, V.INTERNAL),
    ("greenhouse_job_post", {"live": False, "internal": False, "active": True}, V.CLOSED),
    ("greenhouse_job_post", {"live": True, "internal": False, "active": False}, V.DELETED),
    ("greenhouse_job_post", {"live": True}, V.OPEN),  # board unknown
    ("greenhouse_job_post", True, V.OPEN),  # a bare `live` flag
    ("greenhouse_job_post", False, V.CLOSED),
    ("greenhouse_job_post", {"live": 1, "internal": 0}, V.UNMAPPED_VALUE),  # 1 is not true
    ("greenhouse_job_post", 1, V.UNMAPPED_VALUE),
    # Bullhorn: isDeleted, then Archive, then isOpen/isPublic, then the free text.
    ("bullhorn", {"status": "Accepting Candidates", "isOpen": True, "isPublic": 1, "isDeleted": False}, V.PUBLISHED),
    ("bullhorn", {"status": "Accepting Candidates", "isOpen": True, "isPublic": 0, "isDeleted": False}, V.OPEN),
    ("bullhorn", {"status": "Accepting Candidates", "isOpen": True, "isPublic": -1}, V.OPEN),
    ("bullhorn", {"status": "Placed", "isOpen": False, "isPublic": 1}, V.CLOSED),
    ("bullhorn", {"status": "Accepting Candidates", "isOpen": True, "isDeleted": True}, V.DELETED),
    ("bullhorn", {"status": "Archive", "isOpen": False}, V.ARCHIVED),
    ("bullhorn", {"status": "archive"}, V.ARCHIVED),
    ("bullhorn", {"status": "Covered"}, V.CLOSED),  # no booleans: the text decides
    ("bullhorn", {"status": "Our Own Label"}, V.UNMAPPED_VALUE),
    ("bullhorn", {"isOpen": True, "isPublic": True}, V.OPEN),  # isPublic is an integer, not a boolean
    # Recruiterflow `{id, name, color}`: the name is read, the per-account id never.
    ("recruiterflow", {"id": 5, "name": "On Hold", "color": "#f00"}, V.ON_HOLD),
    ("recruiterflow", {"id": 6, "name": "won"}, V.CLOSED),
    ("recruiterflow", {"id": 1}, V.UNMAPPED_VALUE),
    # BambooHR id + label: the label first, the id when there is no label.
    ("bamboohr", {"id": 3, "label": "On Hold"}, V.ON_HOLD),
    ("bamboohr", {"id": 4}, V.CLOSED),
    ("bamboohr", {"statusId": 1, "statusLabel": "Open"}, V.OPEN),
    ("bamboohr", {"id": 99, "label": "Filled"}, V.CLOSED),
    ("bamboohr", {"id": 99, "label": "Custom"}, V.UNMAPPED_VALUE),
    ("bamboohr", {"id": True}, V.UNMAPPED_VALUE),  # a boolean is not the id 1
    # SuccessFactors numbers, bare or in the requisition.
    ("successfactors", {"internalStatus": 2}, V.CLOSED),
    ("successfactors", 3, V.UNMAPPED_VALUE),
    ("successfactors", 1.5, V.UNMAPPED_VALUE),
    ("successfactors", True, V.UNMAPPED_VALUE),  # True is not 1
    # Ashby job posting: listing decides published versus open.
    ("ashby_job_posting", {"status": "Published", "isListed": False}, V.OPEN),
    ("ashby_job_posting", {"status": "Published", "isListed": True}, V.PUBLISHED),
    ("ashby_job_posting", {"status": "Draft", "isListed": False}, V.DRAFT),
    # Comeet: discreet positions are never published.
    ("comeet", {"status": "open", "is_published": True, "is_discreet": False}, V.PUBLISHED),
    ("comeet", {"status": "open", "is_published": True, "is_discreet": True}, V.OPEN),
    ("comeet", {"status": "on hold", "is_published": True}, V.ON_HOLD),
    # Teamtailor: internal jobs that are live are internal.
    ("teamtailor", {"status": "open", "human-status": "published", "internal": True}, V.INTERNAL),
    ("teamtailor", {"status": "open", "human-status": "published", "internal": False}, V.PUBLISHED),
    ("teamtailor", {"status": "unlisted", "human-status": "unlisted"}, V.OPEN),
    # The generic vocabulary reads common keys.
    (None, {"status": "Open"}, V.OPEN),
    (None, {"state": "archived"}, V.ARCHIVED),
    (None, {"status": ["open"]}, V.UNMAPPED_VALUE),  # nested containers are not read
]


@pytest.mark.parametrize(("provider", "raw", "expected"), structured)
def test_structured_raw_values(provider: str | None, raw: Any, expected: JobStatusValue) -> None:
    status = infer_status(raw, provider)
    assert status.value is expected
    assert status.source_value == raw


# --- unknown raw values: unmapped, kept, never an exception -----------------------------------

unknown_raw_values = [
    "Frozen in carbonite",
    "",
    "   ",
    "_-_",
    None,
    0,
    -1,
    1e300,
    2.5,
    True,
    [],
    ["open"],
    {},
    {"status": None},
    {"status": {"name": "open"}},
    [{"status": "open"}],
    "x" * 10_000,
]


@pytest.mark.parametrize("provider", [None, *BUILTIN])
@pytest.mark.parametrize("raw", unknown_raw_values)
def test_unknown_raw_values_are_unmapped(provider: str | None, raw: Any) -> None:
    if (provider, json.dumps(raw)) in {
        ("successfactors", "0"),
        ("greenhouse_job_post", "true"),
        ("unified_to_job_posting", "true"),
    }:
        pytest.skip("a status this table lists")
    status = infer_status(raw, provider)
    assert status.value is V.UNMAPPED_VALUE
    assert status.source_value == raw


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3),
    max_leaves=10,
)


@given(raw=_json, provider=st.sampled_from([None, *BUILTIN]))
def test_any_json_value_infers_without_error(raw: Any, provider: str | None) -> None:
    status = infer_status(raw, provider)
    assert isinstance(status.value, JobStatusValue)
    assert status == JobStatus.model_validate({"source_value": raw, "value": status.value})


@pytest.mark.parametrize("raw", [{"open"}, math.nan, math.inf, {"status": math.nan}, b"open", object()])
def test_non_json_raw_value_is_a_validation_error(raw: Any) -> None:
    with pytest.raises(ValidationError):
        infer_status(raw, "greenhouse")


# --- the result is exactly what validation gives ------------------------------------------------


@pytest.mark.parametrize("model", [JobStatus, UnmappedJobStatus, StrictJobStatus])
@pytest.mark.parametrize(
    ("raw", "provider"),
    [("On Hold", "jazzhr"), ("nope", "jazzhr"), (2, "successfactors"), ({"id": 5, "name": "Won"}, "recruiterflow")],
)
def test_result_equals_validation(model: type[JobStatus], raw: Any, provider: str) -> None:
    status = infer_status(raw, provider, model=model)
    assert type(status) is model
    expected = model.model_validate({"source_value": raw, "value": status.value})
    assert status == expected
    assert status.model_fields_set == expected.model_fields_set
    assert status.model_dump_json() == expected.model_dump_json()


def test_object_raw_value_is_copied_like_validation() -> None:
    raw = {"id": 5, "name": "Won"}
    status = infer_status(raw, "recruiterflow")
    raw["name"] = "Lost"
    assert status.source_value == {"id": 5, "name": "Won"}


# --- providers and unknown provider names --------------------------------------------------------


def test_providers_are_sorted_slugs() -> None:
    assert provider_ids() == tuple(sorted(provider_ids()))
    assert len([provider for provider in provider_ids() if provider != "generic"]) >= 25
    assert all(provider == provider.lower() and " " not in provider for provider in provider_ids())
    for required in ("greenhouse", "lever", "workable", "ashby", "smartrecruiters", "teamtailor", "bamboohr"):
        assert required in provider_ids()


def test_every_table_names_a_source() -> None:
    for provider in BUILTIN:
        table = provider_table(provider)
        assert table.sources
        assert {entry.source for entry in table.statuses} <= set(table.sources)


def test_unknown_provider_error() -> None:
    with pytest.raises(UnknownProviderError) as caught:
        infer_status("open", "Greenhose")
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.suggestion == "greenhouse"
    assert error.known == provider_ids()
    assert "did you mean 'greenhouse'?" in str(error)
    assert "Known providers: apideck, ashby, ashby_job_posting," in str(error)


def test_unknown_provider_without_suggestion() -> None:
    with pytest.raises(UnknownProviderError, match=r"^Unknown provider 'zzzzzz'\. Known providers: ") as caught:
        validate_with_provider({}, "zzzzzz")
    assert caught.value.suggestion is None


# --- table checks --------------------------------------------------------------------------------

GOOD_TABLE: dict[str, Any] = {
    "id": "acme",
    "name": "Acme ATS",
    "field": "job `status`",
    "keys": ["status"],
    "statuses": [
        {"raw": "Live", "value": "published", "source": "docs"},
        {"raw": 7, "value": "closed", "source": "docs"},
    ],
    "rules": [{"when": {"visible": False}, "value": "open", "source": "docs"}],
    "sources": {"docs": {"title": "Acme API docs", "url": "https://acme.example/docs", "kind": "primary"}},
}


def _with(**changes: Any) -> dict[str, Any]:
    return {**GOOD_TABLE, **changes}


invalid_tables = [
    # a target that is no member
    (_with(statuses=[{"raw": "Live", "value": "Published", "source": "docs"}]), "enum", ("statuses", 0, "value")),
    # a source that is not declared
    (
        _with(statuses=[{"raw": "Live", "value": "published", "source": "blog"}]),
        "provider_table_source",
        ("statuses", 0, "source"),
    ),
    (
        _with(rules=[{"when": {"a": 1}, "value": "open", "source": "x"}]),
        "provider_table_source",
        ("rules", 0, "source"),
    ),
    # two spellings of one status with different targets
    (
        _with(
            statuses=[
                {"raw": "On Hold", "value": "on_hold", "source": "docs"},
                {"raw": "onHold", "value": "pending", "source": "docs"},
            ]
        ),
        "provider_table_conflict",
        ("statuses", 1, "raw"),
    ),
    # an integer listed twice with different targets
    (
        _with(
            statuses=[{"raw": 1, "value": "open", "source": "docs"}, {"raw": 1, "value": "closed", "source": "docs"}]
        ),
        "provider_table_conflict",
        ("statuses", 1, "raw"),
    ),
    # a raw status with nothing to match
    (
        _with(statuses=[{"raw": " - ", "value": "open", "source": "docs"}]),
        "provider_table_raw_empty",
        ("statuses", 0, "raw"),
    ),
    # a float raw status (only strings, integers and booleans)
    (_with(statuses=[{"raw": 1.5, "value": "open", "source": "docs"}]), "bool_type", ("statuses", 0, "raw", "bool")),
    # no source at all
    (_with(sources={}), "too_short", ("sources",)),
    # a source nothing cites
    (
        _with(sources={**GOOD_TABLE["sources"], "blog": {"title": "A blog", "kind": "secondary"}}),
        "provider_table_source_unused",
        ("sources", "blog"),
    ),
    # a source kind that is neither primary nor secondary
    (
        _with(sources={"docs": {"title": "Acme API docs", "kind": "tertiary"}}),
        "literal_error",
        ("sources", "docs", "kind"),
    ),
    # ids are lowercase slugs
    (_with(id="Acme ATS"), "string_pattern_mismatch", ("id",)),
    # a misspelt key is an error, not ignored
    (_with(status=[]), "extra_forbidden", ("status",)),
    # a rule needs a condition
    (_with(rules=[{"when": {}, "value": "open", "source": "docs"}]), "too_short", ("rules", 0, "when")),
]


@pytest.mark.parametrize(("data", "error_type", "loc"), invalid_tables)
def test_invalid_tables(data: dict[str, Any], error_type: str, loc: tuple[Any, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        ProviderTable.model_validate(data)
    first = caught.value.errors()[0]
    assert (first["type"], first["loc"]) == (error_type, loc)


def test_conflict_message_names_both_spellings() -> None:
    statuses = [
        {"raw": "On Hold", "value": "on_hold", "source": "docs"},
        {"raw": "Open", "value": "open", "source": "docs"},
        {"raw": "ONHOLD", "value": "pending", "source": "docs"},  # collides once case and separators go
        {"raw": "on-hold", "value": "on_hold", "source": "docs"},  # same target: a dead entry, refused too
    ]
    with pytest.raises(ValidationError) as caught:
        ProviderTable.model_validate(_with(statuses=statuses))
    assert [(error["type"], error["loc"], error["msg"]) for error in caught.value.errors()] == [
        (
            "provider_table_conflict",
            ("statuses", 2, "raw"),
            "statuses[2] 'ONHOLD' and statuses[0] 'On Hold' are the same status once case and separators "
            "are ignored (key 'onhold')",
        ),
        (
            "provider_table_conflict",
            ("statuses", 3, "raw"),
            "statuses[3] 'on-hold' and statuses[0] 'On Hold' are the same status once case and separators "
            "are ignored (key 'onhold')",
        ),
    ]


# --- registering and loading tables ---------------------------------------------------------------


def test_register_provider_from_mapping() -> None:
    table = register_provider(GOOD_TABLE)
    assert "acme" in provider_ids()
    assert infer_status("LIVE", "acme").value is V.PUBLISHED
    assert infer_status(7, "acme").value is V.CLOSED
    assert infer_status({"visible": False, "status": "live"}, "acme").value is V.OPEN
    assert infer_status({"status": "live"}, "acme").value is V.PUBLISHED
    with pytest.raises(DuplicateProviderError, match="already registered"):
        register_provider(table)
    assert unregister_provider("acme") is True
    assert "acme" not in provider_ids()
    assert unregister_provider("acme") is False


def test_register_invalid_mapping_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        register_provider(_with(statuses=[{"raw": "x", "value": "nope", "source": "docs"}]))
    assert "acme" not in provider_ids()


def test_override_builtin_and_restore() -> None:
    override = _with(id="workable", statuses=[{"raw": "closed", "value": "open", "source": "docs"}])
    with pytest.raises(DuplicateProviderError):
        register_provider(override)
    register_provider(override, replace=True)
    assert infer_status("closed", "workable").value is V.OPEN
    assert infer_status("archived", "workable").value is V.UNMAPPED_VALUE  # a replacement, not an extension
    unregister_provider("workable")
    assert infer_status("closed", "workable").value is V.CLOSED


def test_extends_overrides_entries_and_keeps_the_rest() -> None:
    register_provider(
        _with(
            id="bullhorn_agency",
            extends="bullhorn",
            keys=[],
            statuses=[
                {"raw": "Covered", "value": "open", "source": "docs"},
                {"raw": "Sourcing", "value": "open", "source": "docs"},
            ],
            rules=[{"when": {"isHot": True}, "value": "published", "source": "docs"}],
        )
    )
    assert infer_status("Covered", "bullhorn_agency").value is V.OPEN
    assert infer_status("Placed", "bullhorn_agency").value is V.CLOSED
    assert infer_status({"isHot": True, "isDeleted": True}, "bullhorn_agency").value is V.PUBLISHED  # own rules first
    assert infer_status({"isDeleted": True}, "bullhorn_agency").value is V.DELETED  # inherited rules
    assert infer_status({"status": "Sourcing"}, "bullhorn_agency").value is V.OPEN  # inherited keys
    assert infer_status("Covered", "bullhorn").value is V.CLOSED  # the base is untouched


def test_extends_unknown_provider_fails_on_registration() -> None:
    with pytest.raises(UnknownProviderError, match="did you mean 'bullhorn'"):
        register_provider(_with(extends="bulhorn"))
    assert "acme" not in provider_ids()


def test_extends_cycle_fails_on_registration() -> None:
    register_provider(_with(id="one", extends="generic"))
    register_provider(_with(id="two", extends="one"))
    with pytest.raises(ValueError, match="cycle: one -> two -> one"):
        register_provider(_with(id="one", extends="two"), replace=True)
    assert infer_status("live", "one").value is V.PUBLISHED  # the previous table stays


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_load_provider_table(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"acme{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(GOOD_TABLE), encoding="utf-8")
    else:
        path.write_text(
            'id = "acme"\nname = "Acme"\nfield = "status"\n'
            'statuses = [{ raw = "Live", value = "published", source = "docs" }]\n'
            '[sources.docs]\ntitle = "Acme docs"\nkind = "secondary"\n',
            encoding="utf-8",
        )
    table = load_provider_table(path)
    assert table.id == "acme"
    assert infer_status("live", "acme").value is V.PUBLISHED


def test_load_provider_table_without_registering(tmp_path: Path) -> None:
    path = tmp_path / "acme.json"
    path.write_text(json.dumps(GOOD_TABLE), encoding="utf-8")
    assert load_provider_table(path, register=False).id == "acme"
    assert "acme" not in provider_ids()


def test_load_bad_table_file_points_at_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "acme.json"
    path.write_text(json.dumps(_with(statuses=[{"raw": "x", "value": "open", "source": "nope"}])), encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_provider_table(path)
    assert caught.value.errors()[0]["loc"] == ("statuses", 0, "source")


def test_load_table_file_with_other_suffix(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text("id: acme", encoding="utf-8")
    with pytest.raises(ValueError, match=r"\.toml or \.json"):
        load_provider_table(path)


# --- validating a payload with a provider in context -----------------------------------------------

validate_cases = [
    # missing value: inferred
    ({"source_value": "Frozen"}, "workday", V.ON_HOLD),
    ('{"source_value": "Frozen"}', "workday", V.ON_HOLD),
    (b'{"source_value": {"id": 3, "label": "On Hold"}}', "bamboohr", V.ON_HOLD),
    ({"source_value": "Frozen", "value": None}, "workday", V.ON_HOLD),
    # unmapped_value: inferred
    ({"source_value": "Frozen", "value": "unmapped_value"}, "workday", V.ON_HOLD),
    # an explicit member is never overwritten
    ({"source_value": "Frozen", "value": "closed"}, "workday", V.CLOSED),
    ({"source_value": "Frozen", "value": "On Hold"}, "workday", V.ON_HOLD),
    # an unknown string value: inferred when the source is known, kept when not
    ({"source_value": "Frozen", "value": "Eingefroren"}, "workday", V.ON_HOLD),
    ({"source_value": "???", "value": "Eingefroren"}, "workday", "Eingefroren"),
    # nothing known: a missing value becomes unmapped_value
    ({"source_value": "???"}, "workday", V.UNMAPPED_VALUE),
    # nothing to infer from
    ({}, "workday", None),
    ({"value": None, "source_value": None}, "workday", None),
    # the generic vocabulary
    ({"source_value": "Pending Approval"}, None, V.PENDING),
]


@pytest.mark.parametrize(("data", "provider", "expected"), validate_cases)
def test_validate_with_provider(data: Any, provider: str | None, expected: Any) -> None:
    status = validate_with_provider(data, provider)
    assert status.value == expected
    assert type(status.value) is type(expected)
    payload = json.loads(data) if isinstance(data, (str, bytes)) else data
    assert status == JobStatus.model_validate({**payload, "value": expected})


def test_validate_with_provider_keeps_extra_keys_and_fields_set() -> None:
    status = validate_with_provider({"source_value": "Won", "remote_id": "r1"}, "recruiterflow")
    assert status.value is V.CLOSED
    assert status.model_extra == {"remote_id": "r1"}
    assert status.model_fields_set == {"source_value", "value", "remote_id"}
    assert status.model_dump() == {"source_value": "Won", "value": V.CLOSED, "remote_id": "r1"}


def test_validate_with_provider_other_models() -> None:
    unmapped = validate_with_provider({"value": "Frozen"}, "workday", model=UnmappedJobStatus)
    assert type(unmapped) is UnmappedJobStatus
    assert unmapped.value is V.ON_HOLD
    assert unmapped.source_value == "Frozen"  # moved there by the model, then read
    strict = validate_with_provider({"source_value": "Frozen"}, "workday", model=StrictJobStatus)
    assert type(strict) is StrictJobStatus
    assert strict.value is V.ON_HOLD
    # Inference before policy: the provider knows the raw status, so no policy sees "Eingefroren".
    explicit_unknown = {"source_value": "Frozen", "value": "Eingefroren"}
    for model in (JobStatus, UnmappedJobStatus, StrictJobStatus):
        assert validate_with_provider(explicit_unknown, "workday", model=model).value is V.ON_HOLD
    with pytest.raises(ValidationError):  # an unknown raw status leaves the value to the policy
        validate_with_provider({"source_value": "Thawed", "value": "Eingefroren"}, "workday", model=StrictJobStatus)


def test_validate_with_provider_invalid_payload() -> None:
    with pytest.raises(ValidationError):
        validate_with_provider('{"source_value": NaN}', "workday")


# --- the generated docs table ---------------------------------------------------------------------


def test_provider_table_markdown_has_one_row_per_provider() -> None:
    lines = provider_table_markdown().splitlines()
    assert lines[0] == "| id | provider | field | raw → unified | sources |"
    rows = lines[2:]
    assert [row.split(" | ")[0] for row in rows] == [f"| `{provider}`" for provider in provider_ids()]
    assert all(row.count(" | ") == 4 for row in rows)  # no unescaped pipe inside a cell
    by_id = dict(zip(provider_ids(), rows, strict=True))
    assert '`0`, `"0"`, `"Pre-Approved"` → `pending`' in by_id["successfactors"]
    assert "(secondary)" in by_id["workday"]
    assert "(primary)" in by_id["greenhouse"]
    assert "5 object rules" in by_id["bullhorn"]
    assert "raw values" in by_id["peoplesoft"]  # long tables show a count


def test_provider_table_markdown_includes_registered_tables() -> None:
    register_provider(_with(name="Acme | ATS"))
    assert "| `acme` | Acme \\| ATS |" in provider_table_markdown()


# --- the examples in the docstrings and docs/providers.md run ---------------------------------------


def _python_blocks(text: str) -> list[str]:
    import textwrap

    blocks = text.split("```python\n")[1:]
    return [textwrap.dedent(block.split("```")[0]) for block in blocks]


def _documented() -> list[Any]:
    import inspect

    from jobstatus import providers as module
    from jobstatus.providers import _table

    objects = [module, *(getattr(module, name) for name in module.__all__), _table.ProviderTable]
    cases = [
        pytest.param(block, id=f"{getattr(obj, '__name__', obj)}[{index}]")
        for obj in objects
        for index, block in enumerate(_python_blocks(inspect.getdoc(obj) or ""))
    ]
    docs = Path(__file__).parent.parent / "docs" / "providers.md"
    cases += [
        pytest.param(block, id=f"docs/providers.md[{index}]")
        for index, block in enumerate(_python_blocks(docs.read_text(encoding="utf-8")))
    ]
    return cases


@pytest.mark.parametrize("source", _documented())
def test_documented_examples_run(source: str) -> None:
    exec(compile(source, "<example>", "exec"), {})


# --- posting inference: the same tables read as job posting statuses ------------------------------

P = JobPostingStatusValue
posting_mappings = [
    ("merge_job_posting", "PUBLISHED", P.LIVE),
    ("merge_job_posting", "INTERNAL", P.INTERNAL),
    ("merge_job_posting", {"status": "PUBLISHED", "remote_was_deleted": True}, P.CLOSED),  # no deleted posting
    ("lever", "rejected", P.REJECTED),  # the entry's own posting value
    ("lever", "published", P.LIVE),
    ("kombo_job_posting", {"status": "ACTIVE", "visibility": "INTERNAL"}, P.INTERNAL),
    ("unified_to_job_posting", True, P.LIVE),
    ("join", "Offline", P.CLOSED),  # a paused posting is not visible
    ("icims_posting", "Expired", P.CLOSED),
    (None, "Frozen", P.UNMAPPED_VALUE),
]


@pytest.mark.parametrize(("provider", "raw", "expected"), posting_mappings)
@pytest.mark.parametrize("model", [JobPostingStatus, UnmappedJobPostingStatus, StrictJobPostingStatus])
def test_posting_inference(provider: str | None, raw: Any, expected: JobPostingStatusValue, model: type[Any]) -> None:
    status = infer_status(raw, provider, model=model)
    assert type(status) is model
    assert (status.value, status.source_value) == (expected, raw)
    assert validate_with_provider({"source_value": raw}, provider, model=model).value is expected


# --- provider ids in any case ---------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["Workday", "WORKDAY", "workDay"])
def test_provider_ids_in_any_case(provider: str) -> None:
    assert infer_status("Frozen", provider).value is V.ON_HOLD
    assert validate_with_provider({"source_value": "Frozen"}, provider).value is V.ON_HOLD
    assert provider_table(provider).id == "workday"


# --- inference before policy, through the model's own validation ---------------------------------

policy_cases = [
    {"value": "Frozen"},  # the raw status sent as the value
    {"source_value": "Frozen"},
    {"source_value": "Frozen", "value": "Eingefroren"},
    {"source_value": "Frozen", "value": "unmapped_value"},
    {"source_value": "Frozen", "value": None},
]


@pytest.mark.parametrize("payload", policy_cases)
def test_inference_is_the_same_under_every_policy(payload: dict[str, Any]) -> None:
    results = {
        model: validate_with_provider(payload, "workday", model=model)
        for model in (JobStatus, UnmappedJobStatus, StrictJobStatus)
    }
    assert {(status.value, status.source_value) for status in results.values()} == {(V.ON_HOLD, "Frozen")}
    assert all(type(status) is model for model, status in results.items())
    assert validate_with_provider(json.dumps(payload), "workday").value is V.ON_HOLD


class NoDeletedJobStatus(JobStatus):
    """A subclass that refuses `deleted`: its validator must see inferred values too."""

    @field_validator("value")
    @classmethod
    def _not_deleted(cls, value: Any) -> Any:
        if value is V.DELETED:
            raise ValueError("deleted jobs are not accepted here")
        return value


def test_inferred_value_runs_the_subclass_validators() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_with_provider({"source_value": "Deleted"}, "bamboohr", model=NoDeletedJobStatus)
    assert [(error["type"], error["loc"]) for error in caught.value.errors()] == [("value_error", ("value",))]
    assert validate_with_provider({"source_value": "Filled"}, "bamboohr", model=NoDeletedJobStatus).value is V.CLOSED


# --- table files: every problem a ValidationError titled with the file ----------------------------

TABLE_TEXT = """id = "acme"
name = "Acme ATS"
field = "job `status`"
statuses = [{ raw = "Live", value = "published", source = "docs" }]

[sources.docs]
title = "Acme API docs"
kind = "primary"
"""

bad_files = [
    # (name, bytes, error type, loc)
    ("syntax.toml", b'id = "acme"\nname = [\n', "provider_table_syntax", ("line 3", "column 1")),
    ("syntax2.toml", b'id = "acme"\nname == "x"\n', "provider_table_syntax", ("line 2", "column 7")),
    (
        "latin1.toml",
        'id = "acme"\nname = "Caf\u00e9"\n'.encode("latin-1"),
        "provider_table_encoding",
        ("line 2", "column 12"),
    ),
    ("syntax.json", b'{"id": "acme",\n  "name": }', "provider_table_syntax", ("line 2", "column 11")),
    ("nan.json", b'{"id": NaN}', "provider_table_syntax", ("line 1", "column 1")),
    ("latin1.json", b'{"id": "\xe9"}', "provider_table_encoding", ("line 1", "column 9")),
    (
        "punctuation.toml",
        TABLE_TEXT.replace('raw = "Live"', 'raw = "!!!"').encode(),
        "provider_table_raw_empty",
        ("statuses", 0, "raw"),
    ),
    ("content.toml", TABLE_TEXT.replace('"published"', '"up"').encode(), "enum", ("statuses", 0, "value")),
]


@pytest.mark.parametrize(("name", "data", "error_type", "loc"), bad_files)
def test_bad_table_files_are_validation_errors(
    tmp_path: Path, name: str, data: bytes, error_type: str, loc: tuple[Any, ...]
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ValidationError) as caught:
        load_provider_table(path, register=False)
    assert caught.value.title == str(path)
    assert [(error["type"], error["loc"]) for error in caught.value.errors()] == [(error_type, loc)]
    assert str(path) in str(caught.value)


# --- the key cache is bounded in entries and in bytes ---------------------------------------------

_PEAK_SCRIPT = """
import sys
from jobstatus import infer_status
infer_status("warm up", "jazzhr")
def peak_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
before = peak_kb()
for index in range(int(sys.argv[1])):
    infer_status(str(index) + "x" * int(sys.argv[2]), "jazzhr")
print(peak_kb() - before)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak from /proc")
def test_the_key_cache_is_bounded_in_bytes() -> None:
    # 800 distinct raw statuses of 100 KB: 160 MB kept alive by an unbounded cache (key and text);
    # bounded, the peak grows by about one status at a time.
    grown_kb = int(
        subprocess.run(
            [sys.executable, "-c", _PEAK_SCRIPT, "800", "100000"], capture_output=True, text=True, check=True
        ).stdout
    )
    assert grown_kb < 20_000, f"peak grew by {grown_kb} kB"


# --- the command line: --provider-table, ids in any case, posting inference -----------------------


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from jobstatus.cli import main

    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_provider_table_for_every_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = tmp_path / "acme.toml"
    table.write_text(TABLE_TEXT, encoding="utf-8")
    assert _run(["infer", "LIVE", "--provider", "Acme", "--provider-table", str(table)], capsys) == (
        0,
        '{"source_value":"LIVE","value":"published"}\n',
        "",
    )
    code, out, _ = _run(["providers", "acme", "--provider-table", str(table)], capsys)
    assert (code, out.splitlines()[0]) == (0, "acme: Acme ATS")
    lines = tmp_path / "jobs.ndjson"
    lines.write_text('{"source_value": "live"}\n', encoding="utf-8")
    code, out, _ = _run(["validate", str(lines), "--provider", "acme", "--provider-table", str(table)], capsys)
    assert (code, out) == (0, '{"source_value":"live","value":"published"}\n')


def test_cli_bad_provider_table_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b'id = "acme"\nname = [\n')
    code, out, err = _run(["infer", "x", "--provider-table", str(bad)], capsys)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{bad}: line 3.column 1: provider_table_syntax: Invalid value",
        f"jobstatus infer: error: --provider-table {bad}: not a valid provider table",
    ]
    code, _, err = _run(["providers", "--provider-table", str(tmp_path / "missing.toml")], capsys)
    assert code == 2
    assert "No such file or directory" in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["infer", "Frozen", "--provider", "Workday"], '{"source_value":"Frozen","value":"on_hold"}\n'),
        (
            ["infer", "PUBLISHED", "--provider", "MERGE_JOB_POSTING", "--model", "job-posting-status"],
            '{"source_value":"PUBLISHED","value":"live"}\n',
        ),
        (
            ["infer", "rejected", "--provider", "lever", "--model", "job-posting-status"],
            '{"source_value":"rejected","value":"rejected"}\n',
        ),
    ],
)
def test_cli_infer(argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(argv, capsys) == (0, expected, "")


def test_cli_providers_in_any_case(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["providers", "WorkDay"], capsys)
    assert (code, out.splitlines()[0]) == (0, "workday: Workday")


def test_suggestions_read_no_long_string() -> None:
    # Each table would fold the whole string: past MAX_SUGGESTION_LENGTH no table is asked, so a
    # 10 MB unknown value costs one fold, not one per table.
    from jobstatus.providers import MAX_SUGGESTION_LENGTH, suggest_value

    assert suggest_value("Frozen" + " " * (MAX_SUGGESTION_LENGTH - 6)) is JobStatusValue.ON_HOLD
    assert suggest_value("Frozen" + " " * (MAX_SUGGESTION_LENGTH - 5)) is None


@pytest.mark.parametrize("text", ['{"value": "\ud800"}', '{"source_value": "\udfff"}'])
def test_validate_with_provider_refuses_text_that_is_not_unicode(text: str) -> None:
    # a str with a lone surrogate: the model's own ValidationError, not from_json's TypeError
    with pytest.raises(ValidationError) as caught:
        validate_with_provider(text, "workday")
    assert caught.value.errors()[0]["type"] == "string_unicode"
