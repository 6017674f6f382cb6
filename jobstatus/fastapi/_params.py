"""Status values as query, path or header parameters, folded as the models fold them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from jobstatus._unified import UnifiedValue, first_paragraph
from jobstatus._values import JobPostingStatusValue, JobStatusValue

__all__ = ("FoldedParameter", "JobPostingStatusParam", "JobStatusParam")


@dataclass(frozen=True)
class FoldedParameter:
    """The `Annotated` marker for a parameter that names a member of `enum` in any spelling.

    Folding is the models' own (`"On Hold"`, `"on-hold"`, `"onHold"` are `on_hold`); an unknown
    spelling is refused with `status_value_unknown`, whose message lists the allowed values. The
    parameter is documented as the enum's schema. `JobStatusParam` and `JobPostingStatusParam` are
    the two ready-made types.

    ```python
    import httpx, asyncio
    from fastapi import FastAPI
    from jobstatus import JobStatusValue
    from jobstatus.fastapi import JobStatusParam, install

    app = FastAPI()
    install(app)

    @app.get("/jobs")
    def jobs(status: JobStatusParam) -> str:
        return status.value

    async def get(status: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return await client.get("/jobs", params={"status": status})

    assert asyncio.run(get("On Hold")).json() == "on_hold"
    refused = asyncio.run(get("frozen"))
    assert refused.status_code == 422 and refused.json()["detail"][0]["type"] == "status_value_unknown"
    ```
    """

    enum: type[Enum]

    def __get_pydantic_core_schema__(self, source_type: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        # The strict policy of `value` is the one home of folding and of its error; a parameter is
        # never null, so only the inner, non-nullable schema is kept.
        strict = UnifiedValue(self.enum, "strict").__get_pydantic_core_schema__(source_type, handler)
        assert strict["type"] == "nullable"
        inner: core_schema.CoreSchema = strict["schema"]
        return inner

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        enum_schema = handler(core_schema.enum_schema(self.enum, list(self.enum), sub_type="str"))
        first_paragraph(enum_schema)
        return enum_schema


JobStatusParam = Annotated[JobStatusValue, FoldedParameter(JobStatusValue)]
"""A `JobStatusValue` query, path or header parameter that folds its spelling."""

JobPostingStatusParam = Annotated[JobPostingStatusValue, FoldedParameter(JobPostingStatusValue)]
"""A `JobPostingStatusValue` query, path or header parameter that folds its spelling."""
