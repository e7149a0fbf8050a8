"""The label vocabulary: environment names as companies spell them (Prod, PRD, stage, Dev) mapped to one canonical
word, what counts as production, and the one spelling of a missing label (`untagged`).

`Environments` is built once from the settings and used by every filter, count and rule, so that
`AWSINV_PRODUCTION_VALUES=live` means the same thing to `list_db_instances`, `get_findings` and the summary.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from awsinv_mcp.config import Settings

UNTAGGED = "untagged"  # a missing Environment / Team / Application label, in every count, filter and group
PRODUCTION = "production"
DEFAULT_PRODUCTION_VALUES = ("production", "prod", "prd")

ENVIRONMENT_WORDS: dict[str, tuple[str, ...]] = {
    "production": ("production", "prod", "prd", "live"),
    "staging": ("staging", "stage", "stg", "preprod", "pre-prod"),
    "development": ("development", "dev", "develop"),
    "test": ("test", "testing", "qa", "uat"),
    "sandbox": ("sandbox", "sbx"),
}
_LOOKUP = {word: env for env, words in ENVIRONMENT_WORDS.items() for word in words}


def canonical_environment(value: str | None, production_values: Iterable[str] = ()) -> str | None:
    """'Prod' -> 'production', 'stg' -> 'staging'; configured production values count as production;
    other values are kept lower-cased; blank -> None."""
    text = (value or "").strip().lower()
    if not text:
        return None
    if text in {v.lower() for v in production_values}:
        return PRODUCTION
    return _LOOKUP.get(text, text)


@dataclass(frozen=True)
class Environments:
    """The environment vocabulary of one configuration (see the module docstring)."""

    production_values: tuple[str, ...] = DEFAULT_PRODUCTION_VALUES
    _table: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table = dict(_LOOKUP)
        table.update({v.strip().lower(): PRODUCTION for v in self.production_values if v.strip()})
        object.__setattr__(self, "production_values", tuple(v.strip().lower() for v in self.production_values))
        object.__setattr__(self, "_table", table)

    @classmethod
    def from_settings(cls, settings: Settings) -> Environments:
        return cls(tuple(settings.production_values))

    def canonical(self, value: str | None) -> str | None:
        """The canonical name of an environment value (None for blank)."""
        text = (value or "").strip().lower()
        return self._table.get(text, text) if text else None

    def is_production(self, environment: str | None) -> bool:
        return environment is not None and self.canonical(environment) == PRODUCTION

    def label(self, environment: str | None) -> str:
        """The value answers show and filters accept: canonical, `untagged` when missing."""
        return self.canonical(environment) or UNTAGGED

    def spellings(self, canonical: str) -> tuple[str, ...]:
        """Every word this vocabulary maps to `canonical` (production: production, prod, prd, live, ...)."""
        return tuple(sorted(w for w, c in self._table.items() if c == canonical))
