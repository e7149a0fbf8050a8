"""Reusable annotated argument types: one short description each, so tools/list stays small."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from awsinv_mcp.paging import DEFAULT_LIMIT, MAX_LIMIT

Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"page size (1-{MAX_LIMIT})")]
Cursor = Annotated[str | None, Field(description="next_cursor of the previous page")]
Engine = Annotated[
    str | None, Field(description="engine(s), comma list; families: aurora, oracle, sqlserver, postgresql")
]
Region = Annotated[str | None, Field(description="region(s), comma list")]
Account = Annotated[str | None, Field(description="account id(s) or alias(es), comma list")]
Environment = Annotated[str | None, Field(description="Environment tag value(s), e.g. production")]
Team = Annotated[str | None, Field(description="Team tag value(s)")]
Application = Annotated[str | None, Field(description="Application tag value(s)")]
Status = Annotated[str | None, Field(description="status(es), comma list")]
Query = Annotated[str | None, Field(description="text matched in ids, names and tags")]
Sort = Annotated[str | None, Field(description="field to sort by; prefix '-' for descending")]

DEFAULT_PAGE = DEFAULT_LIMIT
