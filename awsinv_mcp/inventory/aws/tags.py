"""Tag helpers shared by the collectors: AWS tag lists to dicts, and the environment/team/application labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.tags import ENVIRONMENT_WORDS, canonical_environment


def tag_dict(tags: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    """[{'Key': k, 'Value': v}, ...] -> {k: v} (also accepts lower-case 'key'/'value')."""
    out: dict[str, str] = {}
    for tag in tags or ():
        key = tag.get("Key", tag.get("key"))
        if key is not None:
            out[str(key)] = str(tag.get("Value", tag.get("value", "")) or "")
    return out


def tag_value(tags: Mapping[str, str], key: str) -> str | None:
    """The value of tag `key` (exact key first, then case-insensitive); None when absent or blank."""
    value = tags.get(key)
    if value is None:
        lower = key.lower()
        value = next((v for k, v in tags.items() if k.lower() == lower), None)
    value = (value or "").strip()
    return value or None


def labels(tags: Mapping[str, str], settings: Settings) -> dict[str, str | None]:
    """environment (canonical: Prod -> production), team and application from the tag keys configured in `settings`."""
    env = tag_value(tags, settings.env_tag_key)
    return {
        "environment": canonical_environment(env, settings.production_values),
        "team": tag_value(tags, settings.team_tag_key),
        "application": tag_value(tags, settings.application_tag_key),
    }


def account_environment(name: str | None, settings: Settings) -> str | None:
    """The environment an account is dedicated to, guessed from words of its alias or name ('acme-prod')."""
    for word in (name or "").lower().replace("_", "-").replace(".", "-").replace(" ", "-").split("-"):
        env = canonical_environment(word, settings.production_values)
        if env in ENVIRONMENT_WORDS:
            return env
    return None
