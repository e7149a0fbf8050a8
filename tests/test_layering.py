"""The layering of docs/architecture.md holds: no module imports a layer above its own, and the peers of one
layer (analysis, cost, dbinspect; the aws and synthetic collectors) never import each other."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "awsinv_mcp"

BASE = {"errors", "dates", "memo", "gcpause", "engine_versions", "instance_classes", "pricing", "paging", "redact",
        "data", "budget", "config", "auditlog", "models", "__version__"}  # fmt: skip
LAYERS = {"inventory": 1, "analysis": 2, "cost": 2, "dbinspect": 2, "server": 3, "clients": 4, "cli": 5, "__main__": 6}
# peers that never import each other (the web chat may reuse the chat loop)
PEERS = [{"analysis", "cost", "dbinspect"}, {"inventory.aws", "inventory.synthetic"}]


def area(module: str) -> str:
    """awsinv_mcp.inventory.aws.rds -> inventory.aws; awsinv_mcp.errors -> errors."""
    parts = module.split(".")[1:]
    if parts[:1] in (["inventory"], ["clients"]) and len(parts) > 2:
        return ".".join(parts[:2])
    return parts[0] if parts else "__init__"


def layer(module: str) -> int:
    top = area(module).split(".")[0]
    return 0 if top in BASE or top == "__init__" else LAYERS[top]


def imports(path: Path) -> set[str]:
    """Every awsinv_mcp module `path` imports: top level, inside functions, under TYPE_CHECKING, import_module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("awsinv_mcp"):
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("awsinv_mcp"))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module":
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Constant) and str(arg.value).startswith("awsinv_mcp"):
                found.add(str(arg.value))
    return found


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)


def test_no_upward_or_sideways_import() -> None:
    breaches = []
    scanned = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = module_name(path)
        scanned += 1
        for target in imports(path):
            if area(target) == area(importer):
                continue
            if layer(target) > layer(importer):
                breaches.append(f"{importer} imports {target} (a layer above)")
            for peers in PEERS:
                if area(importer) in peers and area(target) in peers:
                    breaches.append(f"{importer} imports its peer {target}")
    assert scanned > 100
    assert not breaches, "\n".join(breaches)


def test_the_scan_sees_imports_inside_functions() -> None:
    found = imports(PACKAGE / "server" / "context.py")
    assert "awsinv_mcp.analysis.analysis.Analysis" in found  # imported inside a function and under TYPE_CHECKING
