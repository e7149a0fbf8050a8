"""MCP Apps (issue 15; the `io.modelcontextprotocol/ui` extension, `mcp.server.apps`): views of the web page served
as `ui://awsinv/<view>` resources that a host renders in a sandboxed iframe, linked from the tool that answers the
view's question (`ToolDef.app`, listed in `server/catalog.py`).

One front-end: a view's HTML is the web page's own `index.html` with its stylesheets and scripts inlined, read
from `awsinv_mcp/clients/web/static/` (the files the web page serves; data to the server, never imported) when the
resource is read, plus `appmode.js` and the vendored `@modelcontextprotocol/ext-apps` `App` bundle
(`static/vendor/README.md`). Inside the iframe the page's one data function `callTool` goes through the App
bridge (`App.callServerTool`: a `tools/call` the host forwards to this server), so the document loads nothing
and connects nowhere: a host's default CSP (`default-src 'none'`, inline scripts only) is enough.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID

__all__ = ["APP_MIME_TYPE", "EXTENSION_ID", "AppDef", "app_html", "ui_meta"]

# The web page's assets (awsinv_mcp/clients/web/app.py serves this directory as /static).
STATIC_DIR = Path(__file__).resolve().parent.parent / "clients" / "web" / "static"
EXT_APPS_BUNDLE = "vendor/ext-apps-app-with-deps.js"
APP_SCRIPT = "appmode.js"

_STYLESHEET = re.compile(r'<link\b[^>]*\brel="stylesheet"[^>]*\bhref="/static/([\w./-]+)"[^>]*>')
_SCRIPT = re.compile(r'<script\b([^>]*)\bsrc="/static/([\w./-]+)"([^>]*)>\s*</script>')
_EXPORTS = re.compile(r"export\s*\{([^}]*)\}\s*;?\s*$")
_ALIAS = re.compile(r"^([\w$]+)(?:\s+as\s+([\w$]+))?$")


@dataclass(frozen=True, kw_only=True)
class AppDef:
    """One view of the web page offered as an MCP App; `view` is the name the page mounts it by."""

    view: str
    title: str
    description: str

    @property
    def uri(self) -> str:
        return f"ui://awsinv/{self.view}"

    @property
    def name(self) -> str:
        return f"{self.view}_app"

    def html(self) -> str:
        """The App's document, built from the web page's files as they are now."""
        return app_html(self.view)


def ui_meta(uri: str) -> dict[str, Any]:
    """A tool's `_meta` linking it to its App resource (the extension's `_meta.ui.resourceUri`)."""
    return {"ui": {"resourceUri": uri}}


def _read(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def _inline_js(code: str) -> str:
    """`code` safe inside an inline <script>: a `</script` in it (in a string) would end the element early, and
    `<!--` would switch the HTML parser into its escaped script state."""
    if "<!--" in code:
        raise ValueError("a script to inline contains '<!--'")
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)


def exports_as_object(module: str, name: str) -> str:
    """An ES module bundle whose final `export{a as B, c}` clause becomes `const name={B:a,c:c};`, so the bundle
    runs inline in the same module script as the code that uses it (a host's CSP allows no `blob:` or other
    script source to import it from)."""
    match = _EXPORTS.search(module)
    if match is None:
        raise ValueError("the bundle has no final export clause")
    pairs = []
    for item in match.group(1).split(","):
        alias = _ALIAS.match(item.strip())
        if alias is None:
            raise ValueError(f"unexpected export {item.strip()!r}")
        local, exported = alias.group(1), alias.group(2) or alias.group(1)
        pairs.append(f"{exported}:{local}")
    return f"{module[: match.start()]}const {name}={{{','.join(pairs)}}};\n"


@functools.cache
def _bridge_script() -> str:
    """The vendored App bundle as one inline module script that starts the bridge (built once: it never changes)."""
    bridge = exports_as_object(_read(EXT_APPS_BUNDLE), "ExtApps") + "window.awsinvAppStart(ExtApps);\n"
    return f'<script type="module">\n{_inline_js(bridge)}\n</script>'


def app_html(view: str) -> str:
    """`index.html` with its stylesheets inlined where they stand and its scripts inlined at the end of the body
    (where `defer` would have run them), the view named on `<html data-mcp-app>`, `appmode.js` before the page's
    scripts (it supplies their data layer) and the App bundle as a module script after them (it starts the
    bridge: `awsinvAppStart`)."""
    page = _read("index.html")
    page = _STYLESHEET.sub(lambda m: f"<style>\n{_read(m.group(1))}\n</style>", page)
    scripts = [f"<script>\n{_inline_js(_read(APP_SCRIPT))}\n</script>"]

    def lift(match: re.Match[str]) -> str:
        attrs = f"{match.group(1)} {match.group(3)}"
        kind = ' type="module"' if 'type="module"' in attrs else ""
        scripts.append(f"<script{kind}>\n{_inline_js(_read(match.group(2)))}\n</script>")
        return ""

    page = _SCRIPT.sub(lift, page)
    # the footer links the web server's own routes (/healthz), which an App document has not
    page = re.sub(r"<footer\b.*?</footer>\s*", "", page, flags=re.DOTALL)
    page = re.sub(r"<html\b", f'<html data-mcp-app="{view}"', page, count=1)
    scripts.append(_bridge_script())
    head, sep, tail = page.rpartition("</body>")
    if not sep:
        raise ValueError("index.html has no </body>")
    return head + "\n".join(scripts) + "\n" + sep + tail
