"""Price lookups over `resources/prices.json` and `resources/instance_classes.json` (pure, cached, no I/O after load).

Every function returns USD and raises `PriceNotFound` (a `LookupError`) when the tables hold no price for the
arguments (an unknown class, region or storage type): callers skip the estimate rather than guess.

Conventions
- Hourly prices are per instance-hour; monthly figures use `HOURS_PER_MONTH` (730) via `monthly()`.
- `region`: prices are us-east-1 list prices times the region's multiplier (`region_factor`), except
  Extended Support rates, which are read per region. `price_note(region)` says which, for evidence.
- `engine` is the RDS engine name (`postgres`, `mysql`, `mariadb`, `aurora-mysql`, `aurora-postgresql`,
  `oracle-ee`, `sqlserver-se`, ...). SQL Server and Oracle are priced at the compute price plus, for
  license-included instances, the licence per vCPU-hour of their edition (`license_vcpu_hour`);
  `license_unpriced(engine, license_model)` tells when a licence is billed by AWS but not priced here (savings on
  such instances are lower bounds).
- `multi_az=True` doubles instance and storage prices (primary + standby); Aurora ignores it (each member is
  an instance of its own).
- Lookups are memoised (the tables are immutable), so pricing 100k resources costs dictionary hits.

Stable API used by the savings rules and the synthetic cost model:
`vcpus`, `instance_hourly`, `reserved_hourly`, `serverless_acu_hour`, `storage_gb_month`, `iops_month`,
`billable_iops`, `gp3_throughput_mibps_month`, `snapshot_gb_month`, `aurora_storage_gb_month`,
`aurora_io_per_million`, `extended_support_vcpu_hour`, `extended_support_acu_hour`, `extended_support_rates`,
`ec2_hourly`,
`ebs_gb_month`, `ebs_snapshot_gb_month`, `s3_gb_month`, `monthly`, `region_factor`, `price_note`,
`normalization_units`, `size_flexible`, `known_regions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from awsinv_mcp import instance_classes
from awsinv_mcp.data import load_json
from awsinv_mcp.instance_classes import InstanceClass

HOURS_PER_MONTH = 730
BASE_REGION = "us-east-1"


class PriceNotFound(LookupError):
    """No price in the bundled tables for these arguments."""


@dataclass(frozen=True)
class _Tables:
    raw: dict[str, Any]
    multipliers: dict[str, float]


@cache
def _tables() -> _Tables:
    raw = load_json("prices.json")
    return _Tables(raw, raw["region_multipliers"]["values"])


def known_regions() -> tuple[str, ...]:
    """Regions with prices (others raise PriceNotFound)."""
    return tuple(_tables().multipliers)


def region_factor(region: str) -> float:
    """Multiplier from the us-east-1 list price to `region` (1.0 for us-east-1)."""
    try:
        return _tables().multipliers[region]
    except KeyError:
        raise PriceNotFound(f"no prices for region {region!r}") from None


@cache
def price_note(region: str) -> str:
    """How prices of `region` were obtained, for evidence ('us-east-1 list' or 'us-east-1 list x 1.112, derived')."""
    factor = region_factor(region)
    return f"{BASE_REGION} list price" if factor == 1.0 else f"{BASE_REGION} list price x {factor} ({region}, derived)"


def monthly(hourly: float) -> float:
    """An hourly price as a month of 730 hours."""
    return hourly * HOURS_PER_MONTH


def _r(value: float) -> float:
    return round(value, 6)


# ---- instance classes -------------------------------------------------------------------------------------


def class_facts(instance_class: str) -> InstanceClass:
    """The class's facts (`awsinv_mcp.instance_classes`); PriceNotFound for a class the table does not know."""
    facts = instance_classes.lookup(instance_class)
    if facts is None:
        raise PriceNotFound(f"unknown DB instance class {instance_class!r}")
    return facts


def vcpus(instance_class: str) -> int:
    """vCPUs of a DB instance class (from instance_classes.json)."""
    return class_facts(instance_class).vcpus


@cache
def engine_table(engine: str) -> str:
    """Which price table prices `engine`: postgres, mysql, aurora or commercial_compute."""
    if engine.startswith("aurora"):
        return "aurora"
    if engine == "postgres":
        return "postgres"
    if engine in ("mysql", "mariadb"):
        return "mysql"
    if engine.startswith(("oracle", "sqlserver", "db2", "custom-")):
        return "commercial_compute"
    raise PriceNotFound(f"no price table for engine {engine!r}")


@cache
def is_compute_only(engine: str) -> bool:
    """True for commercial engines (SQL Server, Oracle), whose price is compute plus, license-included, a licence."""
    return engine_table(engine) == "commercial_compute"


LICENSE_INCLUDED = "license-included"


def _license_table() -> dict[str, Any]:
    return _tables().raw["rds_instance_hourly"]["tables"]["commercial_compute"]["license_included"]


@cache
def license_vcpu_hour(engine: str, license_model: str | None, region: str) -> float:
    """USD per vCPU-hour of the licence AWS bills on a license-included commercial instance (0 for BYOL, open
    source and SQL Server Express); PriceNotFound for a license-included edition without a bundled rate."""
    if license_model != LICENSE_INCLUDED or not is_compute_only(engine):
        return 0.0
    rate = _license_table()["vcpu_hour"].get(engine)
    if rate is None:
        raise PriceNotFound(f"no license-included rate for {engine}")
    return _r(rate * region_factor(region))


@cache
def license_unpriced(engine: str, license_model: str | None) -> bool:
    """True when AWS bills a licence for this engine and licence model that the tables do not price (a commercial
    engine with an unknown or unrated license-included model): savings are then lower bounds."""
    if not is_compute_only(engine) or license_model == "bring-your-own-license":
        return False
    return license_model != LICENSE_INCLUDED or engine not in _license_table()["vcpu_hour"]


def _family_prices(engine: str) -> dict[str, dict[str, float]]:
    tables = _tables().raw["rds_instance_hourly"]["tables"]
    table = tables[engine_table(engine)]
    if "same_as" in table:
        table = tables[table["same_as"]]
    return table["families"]


def _base_hourly(engine: str, instance_class: str) -> float:
    facts = class_facts(instance_class)
    aliases = _tables().raw["rds_instance_hourly"]["previous_generation_aliases"]
    family = aliases.get(facts.family, facts.family)
    sizes = _family_prices(engine).get(family)
    if sizes is None:
        raise PriceNotFound(f"no {engine} price for family {facts.family}")
    if facts.size in sizes:
        return sizes[facts.size]
    if not facts.burstable and "large" in sizes:
        return sizes["large"] * facts.vcpus / 2
    raise PriceNotFound(f"no {engine} price for {instance_class}")


@lru_cache(maxsize=65536)
def instance_hourly(
    engine: str,
    instance_class: str,
    region: str,
    multi_az: bool = False,
    license_model: str | None = None,
    io_optimized: bool = False,
) -> float:
    """On-demand USD per hour of one DB instance (both copies when `multi_az`; Aurora: one member).

    SQL Server / Oracle with `license_model` license-included add their edition's licence per vCPU-hour
    (`license_vcpu_hour`; an edition without a rate is priced at compute only, see `license_unpriced`).
    `io_optimized` applies the Aurora I/O-Optimized instance factor.
    """
    if instance_class == "db.serverless":
        raise PriceNotFound("Aurora Serverless v2 is priced per ACU-hour: use serverless_acu_hour()")
    hourly = _base_hourly(engine, instance_class) * region_factor(region)
    if not license_unpriced(engine, license_model):
        hourly += license_vcpu_hour(engine, license_model, region) * vcpus(instance_class)
    if engine_table(engine) == "aurora":
        if io_optimized:
            hourly *= _tables().raw["rds_instance_hourly"]["tables"]["aurora"]["io_optimized_factor"]
    elif multi_az:
        hourly *= _tables().raw["rds_instance_hourly"]["multi_az_factor"]
    return _r(hourly)


def serverless_acu_hour(region: str) -> float:
    """Aurora Serverless v2 (Standard) USD per ACU-hour."""
    aurora = _tables().raw["rds_instance_hourly"]["tables"]["aurora"]
    return _r(aurora["serverless_v2_acu_hour"] * region_factor(region))


@lru_cache(maxsize=65536)
def reserved_hourly(engine: str, instance_class: str, region: str, term_years: int, multi_az: bool = False,
                    license_model: str | None = None) -> float:  # fmt: skip
    """Effective USD per hour of a reservation: 1 year No Upfront, or 3 years Partial Upfront amortised
    (RDS sells no 3-year No Upfront). Derived from AWS's stated maximum discounts (see prices.json)."""
    factors = _tables().raw["reserved"]["effective_hourly_factor"]
    if str(term_years) not in factors:
        raise PriceNotFound(f"no reserved price for a {term_years}-year term (1 or 3)")
    return _r(instance_hourly(engine, instance_class, region, multi_az, license_model) * factors[str(term_years)])


def reserved_offering(term_years: int) -> str:
    """The payment option the reserved price of `term_years` assumes."""
    return _tables().raw["reserved"]["offering"][str(term_years)]


@cache
def normalization_units(instance_class: str, multi_az: bool = False) -> float:
    """RDS reserved-instance size-flexibility units of one instance (Multi-AZ counts double)."""
    units = _tables().raw["reserved"]["normalization_units"].get(class_facts(instance_class).size)
    if units is None:
        raise PriceNotFound(f"no normalisation units for {instance_class}")
    return units * (2 if multi_az else 1)


@cache
def size_flexible(engine: str) -> bool:
    """True when reservations of this engine apply across sizes of one family."""
    return engine in _tables().raw["reserved"]["size_flexible_engines"]


# ---- storage ------------------------------------------------------------------------------------------------


def _storage() -> dict[str, Any]:
    return _tables().raw["rds_storage"]


def _az(multi_az: bool) -> float:
    return _storage()["multi_az_factor"] if multi_az else 1.0


def storage_gb_month(storage_type: str, region: str, multi_az: bool = False) -> float:
    """RDS storage USD per GB-month: gp2, gp3, io1, io2, standard (magnetic); aurora / aurora-iopt1 too."""
    if storage_type in ("aurora", "aurora-iopt1"):
        return aurora_storage_gb_month(region, io_optimized=storage_type == "aurora-iopt1")
    price = _storage()["gb_month"].get(storage_type)
    if price is None:
        raise PriceNotFound(f"no price for storage type {storage_type!r}")
    return _r(price * region_factor(region) * _az(multi_az))


def iops_month(storage_type: str, region: str, multi_az: bool = False) -> float:
    """USD per provisioned IOPS-month: every IOPS of io1/io2; gp3 IOPS above the baseline (`billable_iops`)."""
    price = _storage()["iops_month"].get(storage_type)
    if price is None:
        raise PriceNotFound(f"storage type {storage_type!r} has no provisioned-IOPS price")
    return _r(price * region_factor(region) * _az(multi_az))


def gp3_baseline_iops(engine: str, allocated_gb: int) -> int:
    """IOPS included in the gp3 GB price (12,000 for MySQL/MariaDB/PostgreSQL volumes of 400 GB or more)."""
    base = _storage()["gp3_baseline"]
    if engine in base["large_volume_engines"] and allocated_gb >= base["large_volume_gb"]:
        return base["large_volume_iops"]
    return base["iops"]


def gp3_baseline_throughput(engine: str, allocated_gb: int) -> int:
    """MiB/s included in the gp3 GB price (500 where the 12,000 IOPS baseline applies, 125 otherwise)."""
    base = _storage()["gp3_baseline"]
    if gp3_baseline_iops(engine, allocated_gb) == base["large_volume_iops"]:
        return base["large_volume_throughput_mibps"]
    return base["throughput_mibps"]


def gp3_limits(engine: str) -> tuple[int, int, int, int]:
    """(max IOPS, max MiB/s, max IOPS per GB, assumed I/O size in KiB) of RDS gp3 for `engine`."""
    lim = _storage()["gp3_baseline"]["limits"]
    sql = engine.startswith("sqlserver")
    return (lim["sqlserver_max_iops"] if sql else lim["max_iops"],
            lim["sqlserver_max_throughput_mibps"] if sql else lim["max_throughput_mibps"],
            lim["max_iops_per_gb"], lim["io_size_kib"])  # fmt: skip


def billable_iops(storage_type: str, iops: int | None, engine: str = "", allocated_gb: int = 0) -> int:
    """Provisioned IOPS that are charged: all of io1/io2, the part of gp3 above its baseline, none otherwise."""
    if not iops:
        return 0
    if storage_type in ("io1", "io2"):
        return iops
    if storage_type == "gp3":
        return max(0, iops - gp3_baseline_iops(engine, allocated_gb))
    return 0


def gp3_throughput_mibps_month(region: str, multi_az: bool = False) -> float:
    """USD per MiB/s-month of gp3 throughput above the baseline (unconfirmed figure, see prices.json)."""
    return _r(_storage()["gp3_throughput_mibps_month"] * region_factor(region) * _az(multi_az))


def snapshot_gb_month(region: str, aurora: bool = False) -> float:
    """Backup / manual snapshot storage USD per GB-month beyond the free allowance (Aurora's own rate)."""
    price = _storage()["aurora"]["snapshot_gb_month"] if aurora else _storage()["snapshot_gb_month"]
    return _r(price * region_factor(region))


def aurora_storage_gb_month(region: str, io_optimized: bool = False) -> float:
    """Aurora cluster storage USD per GB-month (Standard, or I/O-Optimized)."""
    aurora = _storage()["aurora"]
    return _r(aurora["io_optimized_gb_month" if io_optimized else "gb_month"] * region_factor(region))


def aurora_io_per_million(region: str) -> float:
    """Aurora Standard USD per million I/O requests."""
    return _r(_storage()["aurora"]["io_per_million"] * region_factor(region))


# ---- Extended Support -------------------------------------------------------------------------------------


def _es_tier(year_index: int) -> str:
    if year_index not in (1, 2, 3):
        raise PriceNotFound(f"Extended Support has years 1 to 3 (got {year_index})")
    return "year3" if year_index == 3 else "year1_2"


def extended_support_vcpu_hour(engine: str, year_index: int, region: str) -> float:
    """RDS Extended Support USD per vCPU-hour in year 1, 2 or 3 (MySQL, PostgreSQL, Aurora MySQL/PostgreSQL)."""
    if not (engine in ("mysql", "postgres") or engine.startswith("aurora")):
        raise PriceNotFound(f"RDS Extended Support does not exist for {engine}")
    rates = _tables().raw["extended_support"]["vcpu_hour"].get(region)
    if rates is None:
        raise PriceNotFound(f"no Extended Support rate for region {region!r}")
    return rates[_es_tier(year_index)]


def extended_support_rates() -> dict[str, Any]:
    """The Extended Support table as bundled: unit, source, basis, per-region vCPU-hour and ACU-hour rates."""
    return dict(_tables().raw["extended_support"])


def extended_support_acu_hour(year_index: int, region: str) -> float:
    """Aurora Serverless v2 Extended Support USD per ACU-hour in year 1, 2 or 3."""
    rates = _tables().raw["extended_support"]["serverless_v2_acu_hour"].get(region)
    if rates is None:
        raise PriceNotFound(f"no Extended Support ACU rate for region {region!r}")
    return rates[_es_tier(year_index)]


# ---- EC2, EBS, S3 -----------------------------------------------------------------------------------------


def ec2_hourly(instance_type: str, region: str) -> float:
    """EC2 Linux on-demand USD per hour."""
    price = _tables().raw["ec2_hourly"]["types"].get(instance_type)
    if price is None:
        raise PriceNotFound(f"no price for EC2 type {instance_type!r}")
    return _r(price * region_factor(region))


def ebs_gb_month(volume_type: str, region: str) -> float:
    """EBS volume USD per GB-month (gp2, gp3, io1, io2, st1, sc1, standard)."""
    price = _tables().raw["ebs_gb_month"]["types"].get(volume_type)
    if price is None:
        raise PriceNotFound(f"no price for EBS volume type {volume_type!r}")
    return _r(price * region_factor(region))


def ebs_snapshot_gb_month(region: str) -> float:
    """EBS snapshot (standard tier) USD per GB-month."""
    return _r(_tables().raw["ebs_gb_month"]["snapshot_gb_month"] * region_factor(region))


def s3_gb_month(region: str, storage_class: str = "standard") -> float:
    """S3 USD per GB-month (first 50 TB tier)."""
    price = _tables().raw["s3_gb_month"]["classes"].get(storage_class)
    if price is None:
        raise PriceNotFound(f"no price for S3 storage class {storage_class!r}")
    return _r(price * region_factor(region))
