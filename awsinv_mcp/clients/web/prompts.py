"""Demo-query cards for the AI Chat tab, built from the server's MCP prompts."""

from __future__ import annotations

import logging
from typing import Any

from mcp.types import TextContent

from awsinv_mcp.clients.web.bridge import ToolBridge, ToolFailure

log = logging.getLogger("awsinv_mcp.web")


async def example_arguments(bridge: ToolBridge) -> dict[str, str]:
    """Plausible values for prompt arguments, taken from the estate (the largest team, a reachable database)."""
    values = {"environment": "production"}
    try:  # a server with some toolsets only (`--toolsets databases`) is not asked for tools it lacks
        if not await bridge.has_tool("get_inventory_summary"):
            raise ToolFailure(404, "no inventory summary")
        summary = await bridge.call("get_inventory_summary")
        teams = summary.get("by_team") or {}
        if teams:
            values["team"] = max(teams, key=lambda t: teams[t])
    except ToolFailure:
        pass
    try:
        if not await bridge.has_tool("list_databases"):
            raise ToolFailure(404, "no configured databases")
        databases = (await bridge.call("list_databases")).get("items") or []
        if databases:  # a database that answers now makes a better demo than the first name
            reachable = [d for d in databases if isinstance(d, dict) and d.get("reachable")]
            first = (reachable or databases)[0]
            values["database"] = first.get("name", "") if isinstance(first, dict) else str(first)
    except ToolFailure:
        pass
    return {k: v for k, v in values.items() if v}


# The question a person types (the README's lead questions) that each prompt answers, and the prompt's
# arguments for it; `{team}` and `{database}` come from the estate (`example_arguments`).
QUESTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "version_compliance_report": (
        "Which production PostgreSQL databases leave standard support in the next six months, and what would "
        "Extended Support cost?",
        {"environment": "production", "engine": "postgres"},
    ),
    "database_security_audit": ("Which databases are public or unencrypted, and what do we fix first?", {}),
    "cost_optimization_review": ("Where do Reserved Instances pay, and what else can we save?", {}),
    "performance_review": ("Which production databases are most at risk of an incident?", {}),
    "team_database_overview": ("What does team {team} run, and what should it fix first?", {}),
    "inspect_database": ("What is in the {database} database?", {}),
}


def _prompt_text(result: Any) -> str:
    parts = [m.content.text for m in result.messages if isinstance(m.content, TextContent)]
    return "\n\n".join(p.strip() for p in parts if p.strip())


async def demo_cards(bridge: ToolBridge) -> dict[str, Any]:
    """`{items: [{name, title, question, description, arguments, text}]}`: one card per prompt; the page shows
    the question and sends the text (the prompt's instructions), which it shows on demand."""
    prompts = (await bridge.client.list_prompts()).prompts
    examples = await example_arguments(bridge) if any(p.arguments for p in prompts) else {}
    cards = []
    for prompt in prompts:
        required = [a.name for a in prompt.arguments or [] if a.required]
        args = {name: examples.get(name, f"<{name}>") for name in required}
        question, preset = QUESTIONS.get(prompt.name, (None, {}))
        accepted = {a.name for a in prompt.arguments or []}
        args.update({k: v for k, v in preset.items() if k in accepted})
        try:
            text = _prompt_text(await bridge.client.get_prompt(prompt.name, args))
        except Exception as exc:  # one broken prompt must not hide the others
            log.warning("prompt %s failed: %s", prompt.name, type(exc).__name__)
            continue
        cards.append(
            {
                "name": prompt.name,
                "title": prompt.title or prompt.name.replace("_", " ").capitalize(),
                "question": question.format(**{"team": "<team>", "database": "<database>", **args})
                if question
                else prompt.title or prompt.name.replace("_", " ").capitalize(),
                "description": prompt.description or "",
                "arguments": args,
                "text": text,
            }
        )
    return {"items": cards}
