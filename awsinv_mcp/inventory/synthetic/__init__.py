"""A seeded, realistic synthetic AWS estate (no credentials needed): `generate(seed, scale, now)`.

`ENGINE_VERSIONS` (engine -> weighted versions) lists every engine version the estate can emit.
"""

from awsinv_mcp.inventory.synthetic.catalogue import ENGINE_VERSIONS
from awsinv_mcp.inventory.synthetic.estate import generate

__all__ = ["ENGINE_VERSIONS", "generate"]
