"""The company behind the estate: accounts, regions, teams, applications, owners and their tags.

Faker (seeded) builds the small pools of people once; everything per resource is drawn from `random.Random`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from typing import Any

from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.synthetic import catalogue as cat
from awsinv_mcp.inventory.synthetic.draw import Pick, one_of, stream
from awsinv_mcp.inventory.tags import canonical_environment
from awsinv_mcp.models.inventory import Account


@dataclass(frozen=True, slots=True)
class Team:
    name: str
    cost_center: str
    owners: tuple[str, ...]  # e-mail addresses
    applications: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Labels:
    """Tags of one resource plus their normalised fields."""

    tags: dict[str, str]
    environment: str | None
    team: str | None
    application: str | None

    def fields(self, account: str, region: str) -> dict[str, Any]:
        """The `Tagged` fields of a record owned by these labels in `account` and `region` (the tags dict is
        shared by every record of a unit, e.g. a cluster and its members: read-only)."""
        return {
            "account": account, "region": region, "tags": self.tags, "environment": self.environment,
            "team": self.team, "application": self.application,
        }  # fmt: skip


@dataclass(frozen=True)
class Organisation:
    accounts: tuple[Account, ...]
    account_by_env: dict[str, Account]
    external_account: str  # a partner account outside the estate (snapshot sharing)
    teams: tuple[Team, ...]
    applications: Pick[tuple[str, Team]]  # (application, its team)
    primary_engine: dict[str, str]  # application -> the engine it mostly uses
    environments: Pick[str]
    regions: dict[str, Pick[str]]  # environment -> region pick
    env_values: dict[str, Pick[str]]  # environment -> Environment tag spelling
    env_key: str
    team_key: str
    app_key: str

    def labels(
        self, rng: random.Random, env: str, team: Team, app: str, *, untagged_team: bool = False, **extra: str
    ) -> Labels:
        """The standard tags of a resource owned by `team` for `app` in `env` (plus `extra` tags)."""
        value = self.env_values[env](rng)
        tags = {self.env_key: value, self.app_key: app, "CostCenter": team.cost_center}
        if not untagged_team:
            tags[self.team_key] = team.name
            tags["Owner"] = one_of(rng, team.owners)
        tags.update(extra)
        return Labels(tags, _canonical(value), None if untagged_team else team.name, app)


@cache
def _canonical(value: str) -> str | None:
    return canonical_environment(value)


def _account_id(rng: random.Random) -> str:
    return str(rng.randrange(100_000_000_000, 1_000_000_000_000))


def _people(seed: int, count: int) -> list[str]:
    """`count` distinct e-mail addresses of the company, from seeded faker names."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(seed)
    emails: list[str] = []
    while len(emails) < count:
        email = f"{fake.first_name()}.{fake.last_name()}@{cat.COMPANY}.example".lower().replace("'", "")
        if email not in emails:
            emails.append(email)
    return emails


def build_organisation(seed: int, settings: Settings | None) -> Organisation:
    """Accounts (one per environment), 8 teams with their applications, owners and cost centres."""
    keys = settings or Settings.model_construct()  # model_construct: field defaults, no environment read
    rng = stream(seed, "organisation")
    accounts = tuple(
        Account(id=_account_id(rng), alias=f"{cat.COMPANY}-{cat.ACCOUNT_SUFFIXES[env]}", environment=env)
        for env in cat.ENVIRONMENTS
    )
    external = _account_id(rng)
    names = sorted(rng.sample(sorted(cat.TEAMS), cat.TEAM_COUNT))
    people = _people(seed, 3 * len(names))
    cost_centres = rng.sample(range(1000, 9999), len(names))
    teams = tuple(
        Team(name, f"CC-{cost_centres[i]}", tuple(people[3 * i : 3 * i + rng.randint(1, 3)]), cat.TEAMS[name])
        for i, name in enumerate(names)
    )
    engines = Pick(cat.ENGINE_WEIGHTS.items())
    primary = {app: cat.APPLICATION_ENGINE_HINTS.get(app) or engines(rng) for t in teams for app in t.applications}
    apps = Pick(((app, t), rng.choice((2, 3, 4, 6))) for t in teams for app in t.applications)
    return Organisation(
        accounts=accounts,
        account_by_env=dict(zip(cat.ENVIRONMENTS, accounts, strict=True)),
        external_account=external,
        teams=teams,
        applications=apps,
        primary_engine=primary,
        environments=Pick(cat.ENVIRONMENT_WEIGHTS.items()),
        regions={env: Pick(weights) for env, weights in cat.ACCOUNT_REGIONS.items()},
        env_values={env: Pick(values) for env, values in cat.ENVIRONMENT_TAG_VALUES.items()},
        env_key=keys.env_tag_key,
        team_key=keys.team_tag_key,
        app_key=keys.application_tag_key,
    )
