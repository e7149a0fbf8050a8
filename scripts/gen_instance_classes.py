"""Regenerate resources/instance_classes.json (vCPU, memory and family facts of RDS DB instance classes).

Source: Amazon RDS User Guide, "DB instance classes" hardware specifications tables
(https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Summary.html), read 2026-11.
"""

import json
from pathlib import Path

SIZES = {
    "micro": 2,
    "small": 2,
    "medium": 2,
    "large": 2,
    "xlarge": 4,
    "2xlarge": 8,
    "4xlarge": 16,
    "8xlarge": 32,
    "12xlarge": 48,
    "16xlarge": 64,
    "24xlarge": 96,
}
T_MEM = {"micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16, "2xlarge": 32}
T2_CPU = {"micro": 1, "small": 1, "medium": 2, "large": 2, "xlarge": 4, "2xlarge": 8}
FAMILIES = {
    # family: (kind, processor, previous_generation, burstable, sizes, memory per vCPU, successor family)
    "db.t2": ("t", "intel", True, True, list(T2_CPU), None, "db.t4g"),
    "db.t3": ("t", "intel", False, True, list(T_MEM), None, "db.t4g"),
    "db.t4g": ("t", "graviton", False, True, ["micro", "small", "medium", "large", "xlarge", "2xlarge"], None, None),
    "db.m4": ("m", "intel", True, False, ["large", "xlarge", "2xlarge", "4xlarge", "16xlarge"], 4, "db.m7g"),
    "db.m5": (
        "m",
        "intel",
        False,
        False,
        ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"],
        4,
        "db.m7g",
    ),
    "db.m6i": (
        "m",
        "intel",
        False,
        False,
        ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"],
        4,
        "db.m7g",
    ),
    "db.m6g": (
        "m",
        "graviton",
        False,
        False,
        ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
        4,
        "db.m7g",
    ),
    "db.m7g": (
        "m",
        "graviton",
        False,
        False,
        ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
        4,
        None,
    ),
    "db.r4": (
        "r",
        "intel",
        True,
        False,
        ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge"],
        7.625,
        "db.r7g",
    ),
    "db.r5": (
        "r",
        "intel",
        False,
        False,
        ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"],
        8,
        "db.r7g",
    ),
    "db.r6i": (
        "r",
        "intel",
        False,
        False,
        ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"],
        8,
        "db.r7g",
    ),
    "db.r6g": (
        "r",
        "graviton",
        False,
        False,
        ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
        8,
        "db.r7g",
    ),
    "db.r7g": (
        "r",
        "graviton",
        False,
        False,
        ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
        8,
        None,
    ),
}
# Engines that run on Graviton classes (RDS for Oracle and SQL Server do not).
GRAVITON_ENGINES = ["mysql", "postgres", "mariadb", "aurora-mysql", "aurora-postgresql"]
INTEL_SUCCESSOR = {"db.t2": "db.t3", "db.m4": "db.m6i", "db.m5": "db.m6i", "db.r4": "db.r6i", "db.r5": "db.r6i"}


def build() -> dict:
    classes = {}
    for family, (kind, cpu, prev, burst, sizes, mem_per_vcpu, successor) in FAMILIES.items():
        for size in sizes:
            if kind == "t":
                vcpus = T2_CPU[size] if family == "db.t2" else SIZES[size]
                memory = T_MEM[size]
            else:
                vcpus = SIZES[size]
                memory = vcpus * mem_per_vcpu
            classes[f"{family}.{size}"] = {
                "family": family,
                "size": size,
                "vcpus": vcpus,
                "memory_gib": memory,
                "processor": cpu,
                "previous_generation": prev,
                "burstable": burst,
                "graviton_successor": f"{successor}.{size}" if successor and size in FAMILIES[successor][4] else None,
                "intel_successor": (
                    f"{INTEL_SUCCESSOR[family]}.{size}"
                    if family in INTEL_SUCCESSOR and size in FAMILIES[INTEL_SUCCESSOR[family]][4]
                    else None
                ),
            }
    return {
        "source": "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Summary.html",
        "read_on": "2026-11-25",
        "size_order": list(SIZES),
        "graviton_engines": GRAVITON_ENGINES,
        "classes": classes,
    }


if __name__ == "__main__":
    out = Path(__file__).resolve().parent.parent / "resources" / "instance_classes.json"
    out.write_text(json.dumps(build(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")
