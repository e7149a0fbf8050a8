"""Environment names as companies spell them (Prod, PRD, stage, Dev) mapped to one canonical word."""

from __future__ import annotations

from collections.abc import Iterable

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
        return "production"
    return _LOOKUP.get(text, text)
