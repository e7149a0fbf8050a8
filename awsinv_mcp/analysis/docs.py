"""docs/rules.md, rendered from the catalogue (`awsinv-mcp rules-doc`; a test checks the checked-in file is current).

python -m awsinv_mcp.analysis.docs > docs/rules.md
"""

from __future__ import annotations

from awsinv_mcp.analysis import parity
from awsinv_mcp.analysis.all_rules import RULES
from awsinv_mcp.analysis.catalogue import Rule
from awsinv_mcp.models.findings import CATEGORIES, SEVERITY_ORDER

HEADER = """# Analysis rules

Generated from the rules catalogue (`awsinv_mcp/analysis/`) by `awsinv-mcp rules-doc`; do not edit by hand.
Every finding carries the rule id, category, severity, the resource (`resource_type`, bare `resource_id`,
`account`, `region`, tags), the evidence that triggered it, the remediation below and, where one exists, the
Prowler 5.x check whose scope the rule shares (`prowler_check`). Severity is the rule's default; where a rule
ranks some resources higher or lower, its notes say how. Production-only rules read the environment tag
(key and production values configurable: `AWSINV_ENV_TAG_KEY`, `AWSINV_PRODUCTION_VALUES`).
"""


def _text(text: str) -> str:
    """Markdown-safe prose: `<id>` placeholders must not read as HTML tags."""
    return text.replace("<", "\\<").replace("\n", " ")


def _cell(text: str) -> str:
    return _text(text).replace("|", "\\|")


def _rule_key(r: Rule) -> tuple[int, str]:
    return (SEVERITY_ORDER[r.severity], r.id)


def _table(rules: list[Rule]) -> list[str]:
    lines = ["| rule | severity | resources | title | Prowler check |", "| --- | --- | --- | --- | --- |"]
    for r in rules:
        scope = ", ".join(r.resource_types) + (" (production)" if r.production_only else "")
        prowler = f"`{r.prowler_check}`" if r.prowler_check else "-"
        lines.append(
            f"| [`{r.id}`](#{r.id.replace('.', '')}) | {r.severity} | {scope} | {_cell(r.title)} | {prowler} |"
        )
    return lines


def _details(r: Rule) -> list[str]:
    lines = [f"### {r.id}", "", f"**{_cell(r.title)}** ({r.category}, {r.severity}"
             + (", production only" if r.production_only else "") + ")", "", f"- Why: {_text(r.rationale)}",
             f"- Applies to: {', '.join(r.resource_types)}"]  # fmt: skip
    if r.notes:
        lines.append(f"- Scope: {_text(r.notes)}")
    if r.also_in:
        lines.append(f"- Also in the {', '.join(r.also_in)} review")
    lines.append(f"- Prowler: `{r.prowler_check}`" if r.prowler_check else "- Prowler: no check of the same scope")
    advisor = [p.check for p in parity.TRUSTED_ADVISOR if r.id in p.rules]
    if advisor:
        lines.append(f"- Trusted Advisor: {'; '.join(advisor)}")
    lines += [f"- Fix: {_text(r.remediation)}", ""]
    return lines


def _parity_table(table: tuple[parity.Parity, ...], label: str, with_category: bool) -> list[str]:
    c = parity.counts(table)
    head = f"| {label} | " + ("category | " if with_category else "") + "status | our rules | notes |"
    lines = [f"{len(table)} checks: {c['matched']} matched, {c['not applicable']} not applicable, "
             f"{c['missing']} missing.", "", head, "| --- " * (head.count("|") - 1) + "|"]  # fmt: skip
    for p in table:
        name = f"`{p.check}`" if not with_category else _cell(p.check)
        rules = ", ".join(f"[`{r}`](#{r.replace('.', '')})" for r in p.rules) or "-"
        category = f"{p.category} | " if with_category else ""
        lines.append(f"| {name} | {category}{p.status} | {rules} | {_cell(p.note) or '-'} |")
    return lines


def _parity() -> list[str]:
    return ["## Parity with Prowler and Trusted Advisor", "", parity.INTRO,
            "", "### Prowler 5.x RDS checks", "", *_parity_table(parity.PROWLER, "Prowler check", False), "",
            "### Trusted Advisor checks about RDS and Aurora", "",
            *_parity_table(parity.TRUSTED_ADVISOR, "Trusted Advisor check", True), ""]  # fmt: skip


def render_rules_markdown() -> str:
    """The whole of docs/rules.md (deterministic: categories in a fixed order, rules by severity then id)."""
    out = [HEADER]
    counts = ", ".join(f"{sum(1 for r in RULES.values() if r.category == c)} {c}" for c in CATEGORIES)
    out.append(f"{len(RULES)} rules: {counts}.\n")
    for category in CATEGORIES:
        rules = sorted((r for r in RULES.values() if r.category == category), key=_rule_key)
        if not rules:
            continue
        out += [f"## {category.capitalize()}", "", *_table(rules), ""]
        for r in rules:
            out += _details(r)
    out += _parity()
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    print(render_rules_markdown(), end="")
