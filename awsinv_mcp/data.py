"""Access to the bundled data files of the top-level `resources/` folder.

Installed wheels carry the folder as `awsinv_mcp/_data`; a source checkout reads `resources/` directly.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_dir() -> Path:
    """The folder holding the bundled data files."""
    for candidate in (_PACKAGE_DIR / "_data", _PACKAGE_DIR.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("awsinv-mcp data files not found (expected awsinv_mcp/_data or resources/)")


@cache
def load_json(name: str) -> Any:
    """Parse one bundled JSON file by name, e.g. `load_json("instance_classes.json")` (cached)."""
    with (data_dir() / name).open(encoding="utf-8") as fh:
        return json.load(fh)
