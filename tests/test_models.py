"""The status models: value normalization, the three unknown-value policies, the wire form."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any, Optional, Union

import pytest
from pydantic import BaseModel, ValidationError, create_model

from jobstatus import (
    JobPostingStatus,
    JobPostingStatusValue,
    JobStatus,
    JobStatusValue,
    StrictJobPostingStatus,
    StrictJobStatus,
    UnifiedStatus,
    UnifiedValue,
    UnmappedJobPostingStatus,
    UnmappedJobStatus,
)
from jobstatus._values import common_spellings

JOB_MODELS = [JobStatus, UnmappedJobStatus, StrictJobStatus]
ALL_MODELS = [*JOB_MODELS, JobPostingStatus, UnmappedJobPostingStatus, StrictJobPostingStatus]


def validate(model: type[BaseModel], data: dict[str, Any], source: str) -> Any:
    """Validate from Python or from JSON text: both paths must agree."""
    return model.model_validate(data) if source == "python" else model.model_validate_json(json.dumps(data))


both_sources = pytest.mark.parametrize("source", ["python", "json"])

known_spellings = [
    ("on_hold", JobStatusValue.ON_HOLD),  # canonical: the pydantic-core fast path
    ("On Hold", JobStatusValue.ON_HOLD),
    ("on-hold", JobStatusValue.ON_HOLD),
    ("onHold", JobStatusValue.ON_HOLD),
    (" ON_HOLD ", JobStatusValue.ON_HOLD),
    ("PUBLISHED", JobStatusValue.PUBLISHED),
    ("Unmapped Value", JobStatusValue.UNMAPPED_VALUE),
    (JobStatusValue.DRAFT, JobStatusValue.DRAFT),  # a member itself
]


@both_sources
@pytest.mark.parametrize("model", JOB_MODELS)
@pytest.mark.parametrize(("given", "member"), known_spellings)
def test_known_spellings_become_members(
    model: type[BaseModel], given: str, member: JobStatusValue, source: str
) -> None:
    status = validate(model, {"value": given}, source)
    assert status.value is member


@both_sources
@pytest.mark.parametrize("model", ALL_MODELS)
def test_every_common_spelling_becomes_its_member(model: type[BaseModel], source: str) -> None:
    # Common spellings are matched inside pydantic-core; the rest are folded in Python. Both must
    # give the member.
    enum = JobStatusValue if model in JOB_MODELS else JobPostingStatusValue
    for spelling, member in common_spellings(enum).items():
        for given in (spelling, f" {spelling} ", spelling.replace("_", "__")):
            assert validate(model, {"value": given}, source).value is member, given


@both_sources
def test_open_policy_keeps_unknown_strings(source: str) -> None:
    status = validate(JobStatus, {"value": "Frozen"}, source)
    assert status.value == "Frozen"
    assert type(status.value) is str
    assert not isinstance(status.value, JobStatusValue)
    assert status.source_value is None  # the open policy moves nothing


def test_open_policy_does_not_invent_synonyms() -> None:
    assert JobStatus.model_validate({"value": "live"}).value == "live"
    assert JobPostingStatus.model_validate({"value": "published"}).value == "published"


unmapped_cases = [
    # (input, expected value, expected source_value)
    ({"value": "Frozen"}, JobStatusValue.UNMAPPED_VALUE, "Frozen"),  # moved into an absent source_value
    ({"value": "Frozen", "source_value": None}, JobStatusValue.UNMAPPED_VALUE, "Frozen"),  # or a null one
    ({"value": "Frozen", "source_value": "FRZ"}, JobStatusValue.UNMAPPED_VALUE, "FRZ"),  # never overwriting
    ({"value": "Frozen", "source_value": {"id": 9}}, JobStatusValue.UNMAPPED_VALUE, {"id": 9}),
    ({"value": "Frozen", "source_value": False}, JobStatusValue.UNMAPPED_VALUE, False),  # False is not empty
    ({"value": "", "source_value": None}, JobStatusValue.UNMAPPED_VALUE, ""),
    ({"value": "On Hold"}, JobStatusValue.ON_HOLD, None),  # known values are untouched
    ({"value": None}, None, None),
    ({}, None, None),
]


@both_sources
@pytest.mark.parametrize(("data", "value", "source_value"), unmapped_cases)
def test_unmapped_policy(data: dict[str, Any], value: Any, source_value: Any, source: str) -> None:
    status = validate(UnmappedJobStatus, data, source)
    assert status.value is value
    assert status.source_value == source_value


def test_unmapped_policy_marks_a_moved_source_value_as_set() -> None:
    status = UnmappedJobStatus.model_validate({"value": "Frozen"})
    assert status.model_dump(mode="json", exclude_unset=True) == {"value": "unmapped_value", "source_value": "Frozen"}


strict_cases = [
    # (input, suggestion or None when nothing is close)
    ("on hodl", "on_hold"),
    ("publishd", "published"),
    ("Archivd", "archived"),
    ("zzzzzz", None),
    ("x" * 10_000_000, None),  # a huge string is answered quickly: only its head is compared
]


@both_sources
@pytest.mark.parametrize(("given", "suggestion"), strict_cases)
def test_strict_policy_rejects_unknown_with_a_suggestion(given: str, suggestion: str | None, source: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate(StrictJobStatus, {"value": given}, source)
    [error] = caught.value.errors()
    assert (error["type"], error["loc"]) == ("status_value_unknown", ("value",))
    allowed = ", ".join(f"'{member.value}'" for member in JobStatusValue)
    assert error["ctx"]["allowed"] == allowed
    if suggestion is None:
        assert "suggestion" not in error["ctx"]
        assert error["msg"] == f"Input should be one of {allowed}"
    else:
        assert error["ctx"]["suggestion"] == suggestion
        assert error["msg"] == f"Input should be one of {allowed}; did you mean '{suggestion}'?"


non_string_values: list[Any] = [5, 1.5, True, False, {"value": "open"}, ["open"], {"open"}]


@pytest.mark.parametrize("model", ALL_MODELS)
@pytest.mark.parametrize("given", non_string_values)
def test_non_string_value_is_rejected_by_every_policy(model: type[BaseModel], given: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate({"value": given})
    [error] = caught.value.errors()
    assert (error["type"], error["loc"], error["msg"]) == (
        "status_value_type",
        ("value",),
        "Input should be a string naming a status",
    )


@pytest.mark.parametrize("model", ALL_MODELS)
def test_empty_object_is_valid(model: type[BaseModel]) -> None:
    status = model.model_validate_json("{}")
    assert (status.value, status.source_value) == (None, None)  # type: ignore[attr-defined]
    assert status.model_dump_json(exclude_unset=True) == "{}"
    assert status.model_dump_json() == '{"source_value":null,"value":null}'


@pytest.mark.parametrize("model", ALL_MODELS)
def test_unknown_keys_are_kept_and_dumped(model: type[BaseModel]) -> None:
    text = '{"value":null,"source_value":"x","remote_label":"Open","meta":{"a":[1]}}'
    status = model.model_validate_json(text)
    assert json.loads(status.model_dump_json()) == json.loads(text)


@pytest.mark.parametrize("model", ALL_MODELS)
def test_instances_are_immutable(model: type[BaseModel]) -> None:
    status = model.model_validate({"source_value": "x"})
    with pytest.raises(ValidationError) as caught:
        status.source_value = "y"  # type: ignore[misc]
    assert caught.value.errors()[0]["type"] == "frozen_instance"


def test_wire_form_matches_upstream() -> None:
    status = JobStatus.model_validate({"value": "On Hold", "source_value": "On Hold"})
    assert status.model_dump_json() == '{"source_value":"On Hold","value":"on_hold"}'
    assert status.model_dump(mode="json") == {"source_value": "On Hold", "value": "on_hold"}
    assert status.model_dump() == {"source_value": "On Hold", "value": JobStatusValue.ON_HOLD}


def test_dump_validate_round_trip_is_stable() -> None:
    for model in ALL_MODELS:
        status = model.model_validate({"value": "archived", "source_value": [1, {"a": True}]})
        again = model.model_validate_json(status.model_dump_json())
        assert again == status
        assert again.model_dump_json() == status.model_dump_json()


posting_cases = [
    (JobPostingStatus, "LIVE", JobPostingStatusValue.LIVE),
    (JobPostingStatus, "Rejected", JobPostingStatusValue.REJECTED),
    (JobPostingStatus, "on_hold", "on_hold"),  # a job status, unknown to postings: kept
    (UnmappedJobPostingStatus, "on_hold", JobPostingStatusValue.UNMAPPED_VALUE),
    (StrictJobPostingStatus, "internal", JobPostingStatusValue.INTERNAL),
]


@pytest.mark.parametrize(("model", "given", "expected"), posting_cases)
def test_job_posting_status(model: type[BaseModel], given: str, expected: Any) -> None:
    assert model.model_validate({"value": given}).value == expected  # type: ignore[attr-defined]


def test_models_nest_in_a_user_model() -> None:
    class Job(BaseModel):
        id: str
        job_status: JobStatus | None = None

    job = Job.model_validate_json('{"id": "c28xIQ", "job_status": {"value": "onHold", "source_value": 3}}')
    assert job.job_status is not None
    assert job.job_status.value is JobStatusValue.ON_HOLD
    with pytest.raises(ValidationError) as caught:
        Job.model_validate({"id": "x", "job_status": {"value": 3}})
    assert caught.value.errors()[0]["loc"] == ("job_status", "value")


# --------------------------------------------------------------------------------------------------
# The marker decides the policy, whatever the base; contradictions are refused at definition
# --------------------------------------------------------------------------------------------------


class _Visibility(StrEnum):
    PUBLIC = "public"
    UNMAPPED_VALUE = "unmapped_value"


class _NoUnmapped(StrEnum):
    PUBLIC = "public"


def test_the_marker_decides_the_policy_under_the_plain_base() -> None:
    class Unmapped(UnifiedStatus):
        value: Annotated[Optional[JobStatusValue], UnifiedValue(JobStatusValue, "unmapped")] = None

    class Strict(UnifiedStatus):
        value: Annotated[Optional[JobStatusValue], UnifiedValue(JobStatusValue, "strict")] = None

    status = Unmapped.model_validate({"value": "Frozen"})
    assert (status.value, status.source_value) == (JobStatusValue.UNMAPPED_VALUE, "Frozen")
    with pytest.raises(ValidationError) as caught:
        Strict.model_validate({"value": "Frozen"})
    assert caught.value.errors()[0]["type"] == "status_value_unknown"
    # a subclass of a policy model keeps its policy, and can take another one with its own marker
    child = type("Child", (UnmappedJobStatus,), {"__module__": __name__})
    assert child.model_validate({"value": "Frozen"}).value is JobStatusValue.UNMAPPED_VALUE

    class Reopened(UnmappedJobStatus):
        value: Annotated[Union[JobStatusValue, str, None], UnifiedValue(JobStatusValue, "open")] = None  # type: ignore[assignment]

    assert Reopened.model_validate({"value": "Frozen"}).value == "Frozen"


contradictions: list[tuple[Any, str]] = [
    # the "open" policy keeps unknown strings, which an enum-only annotation says cannot be there
    (Annotated[Optional[JobStatusValue], UnifiedValue(JobStatusValue, "open")], "must allow str"),
    # annotation and marker name different enums
    (Annotated[Optional[JobPostingStatusValue], UnifiedValue(JobStatusValue, "strict")], "names JobPostingStatusValue"),
    (Annotated[Optional[str], UnifiedValue(JobStatusValue, "open")], "names no enum"),
    # the "unmapped" policy needs a member to map to
    (Annotated[Optional[_NoUnmapped], UnifiedValue(_NoUnmapped, "unmapped")], "needs an 'unmapped_value' member"),
]


@pytest.mark.parametrize(("annotation", "message"), contradictions)
def test_a_contradicting_marker_is_refused_at_definition(annotation: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        create_model("Contradiction", __base__=UnifiedStatus, value=(annotation, None))


def test_an_own_enum_under_the_unmapped_policy() -> None:
    model = create_model(
        "VisibilityStatus",
        __base__=UnifiedStatus,
        value=(Annotated[Optional[_Visibility], UnifiedValue(_Visibility, "unmapped")], None),
    )
    status = model.model_validate({"value": "Confidential", "source_value": None})
    assert (status.value, status.source_value) == (_Visibility.UNMAPPED_VALUE, "Confidential")  # type: ignore[attr-defined]


# Equality and hashing by JSON value: kinds kept, key order of objects aside, unknown keys counted.
equal_pairs = [
    ({"source_value": {"a": 1, "b": [2]}}, {"source_value": {"b": [2], "a": 1}}),  # key order aside
    ({"value": "On Hold"}, {"value": "on_hold"}),  # the same member
    ({"remote": {"x": 1}}, {"remote": {"x": 1}}),
]
unequal_pairs = [
    ({"source_value": 1}, {"source_value": 1.0}),
    ({"source_value": 1}, {"source_value": True}),
    ({"source_value": 1.0}, {"source_value": True}),
    ({"source_value": [1, 2]}, {"source_value": [2, 1]}),  # arrays keep their order
    ({"source_value": [[1], [True]]}, {"source_value": [[True], [1]]}),
    ({"remote": 1}, {}),  # unknown keys count
    ({"remote": 1}, {"remote": 1.0}),
]


@pytest.mark.parametrize(("a", "b"), equal_pairs)
def test_equal_json_is_equal_with_equal_hashes(a: dict[str, Any], b: dict[str, Any]) -> None:
    first, second = JobStatus.model_validate(a), JobStatus.model_validate(b)
    assert first == second
    assert hash(first) == hash(second)


@pytest.mark.parametrize(("a", "b"), unequal_pairs)
def test_different_json_is_unequal(a: dict[str, Any], b: dict[str, Any]) -> None:
    first, second = JobStatus.model_validate(a), JobStatus.model_validate(b)
    assert first != second
    assert len({first, second}) == 2


def test_every_instance_is_hashable_and_classes_differ() -> None:
    nested = JobStatus.model_validate({"source_value": {"a": [{"b": None}]}, "remote": [1]})
    assert hash(nested) == hash(JobStatus.model_validate(nested.model_dump()))
    assert JobStatus(value="open") != StrictJobStatus(value="open")
