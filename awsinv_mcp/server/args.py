"""Reusable annotated argument types: one short description each, so tools/list stays small."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from awsinv_mcp.paging import MAX_LIMIT

# Filters (region, account, environment, team, application, status) take comma lists; account takes ids or
# aliases. The server instructions say so once, so these arguments carry no per-tool description.
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Field(description="next_cursor of the previous page")]
Engine = Annotated[str | None, Field(description="or family: aurora, oracle, sqlserver, postgresql")]
Region = str | None
Account = str | None
Environment = str | None
Team = str | None
Application = str | None
Status = str | None
Query = Annotated[str | None, Field(description="text in ids, names, tags")]
Sort = Annotated[str | None, Field(description="field; '-field' descending")]
Detail = Annotated[bool, Field(description="add the ARN column")]

# The inventory lists' default page: 25 rows of a table stay under 8 KB at any estate size (issue 16 item 3;
# bench/bench_budget.py); a model asks for more with limit.
DEFAULT_PAGE = 25
