// MCP App mode (issue 15): inside a host's sandboxed iframe, the page's views read the server through the App
// bridge. awsinv_mcp/server/apps.py inlines this file after the vendored @modelcontextprotocol/ext-apps bundle
// (static/vendor/README.md), whose exports it sees as `ExtApps`.
const { App } = ExtApps;
const app = new App({ name: "awsinv-mcp", version: "1" }, {}, { autoResize: true });
await app.connect();
