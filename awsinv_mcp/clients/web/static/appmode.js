// MCP App mode (issue 15). awsinv_mcp/server/apps.py serves the page's own views as `ui://awsinv/<view>`
// resources, with this file inlined before the page's scripts and `<html data-mcp-app="<view>">` naming the
// view. Here it supplies the page's one data layer (`window.awsinvData`, the contract of static/data.js) over
// the App bridge: callTool is the official @modelcontextprotocol/ext-apps `App.callServerTool`, a tools/call
// the host passes on to this server. The vendored App bundle runs after the page's scripts (a module script,
// static/vendor/README.md) and hands its exports to `awsinvAppStart`; calls made before then wait for it.
// The web page never loads this file, and without `data-mcp-app` it does nothing.
"use strict";

(() => {
  const view = document.documentElement.dataset.mcpApp;
  if (!view) return;

  class ApiError extends Error {
    constructor(status, message, fix) { super(message); this.status = status; this.fix = fix; }
  }
  // a tool error's code (awsinv_mcp/errors.py) -> the HTTP status the web page's REST API would answer
  const STATUS_OF_CODE = { invalid_argument: 400, not_found: 404, refused: 403, cancelled: 409, upstream: 502,
    unavailable: 503, internal: 502 };

  let connected;
  const appReady = new Promise((resolve, reject) => { connected = { resolve, reject }; });
  appReady.catch(() => {});

  window.awsinvAppStart = async ({ App }) => {
    try {
      const app = new App({ name: "awsinv-mcp", version: "1" }, {}, { autoResize: true });
      // The arguments of the model's call that opened this view (ui/notifications/tool-input) are the view's
      // filters (a view's filters are its tool's arguments): shown as the page shows filters, in the hash.
      app.ontoolinput = ({ arguments: args }) => {
        // the estate filters may come as one `filter` object (awsinv_mcp/server/tooling.py unfold_filter)
        const { filter, ...top } = args || {};
        const flat = { ...(filter && typeof filter === "object" ? filter : {}), ...top };
        const filters = Object.entries(flat).filter(([, v]) => v !== null && v !== undefined && v !== ""
          && typeof v !== "object");
        if (filters.length) window.location.hash = `#${view}?${new URLSearchParams(filters.map(([k, v]) => [k, String(v)]))}`;
      };
      // Its answer (ui/notifications/tool-result): the view reads what it shows itself, through callTool.
      app.ontoolresult = () => {};
      await app.connect();
      connected.resolve(app);
    } catch (err) {
      connected.reject(new ApiError(0, `the MCP App host did not connect: ${err.message}`));
    }
  };

  // An App document is about:srcdoc (or a host's sandbox URL) with an opaque origin: the page's history.pushState /
  // replaceState of its own URL state throws SecurityError there. The view then keeps that state in memory only.
  for (const method of ["pushState", "replaceState"]) {
    const original = history[method].bind(history);
    history[method] = (...args) => {
      try { original(...args); } catch (err) { if (err.name !== "SecurityError") throw err; }
    };
  }

  // Its links within the page (`#<view>?<filters>`: drill-down) resolve against the base URL, which for an App
  // document is the host's page: followed as they are, they would load the host's page into the frame. They are
  // followed as the in-page navigation they are.
  document.addEventListener("click", (ev) => {
    const link = ev.target instanceof Element ? ev.target.closest("a[href^='#']") : null;
    if (!link || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    ev.preventDefault();
    window.location.hash = link.getAttribute("href");
  });

  // A sandboxed App frame may not download: the page's CSV export (a link to a Blob, `download` set, clicked) goes
  // to the host as ui/download-file when the host offers it (`downloadFile` capability). The Blob behind each
  // object URL is remembered to read its text.
  const blobs = new Map();
  const createObjectURL = URL.createObjectURL.bind(URL);
  const revokeObjectURL = URL.revokeObjectURL.bind(URL);
  URL.createObjectURL = (obj) => { const url = createObjectURL(obj); if (obj instanceof Blob) blobs.set(url, obj); return url; };
  URL.revokeObjectURL = (url) => { blobs.delete(url); revokeObjectURL(url); };
  document.addEventListener("click", (ev) => {
    const link = ev.target instanceof Element ? ev.target.closest("a[download][href^='blob:']") : null;
    const blob = link && blobs.get(link.getAttribute("href"));
    if (!blob || ev.defaultPrevented) return;
    ev.preventDefault();
    const name = link.getAttribute("download") || "export.csv";
    Promise.all([appReady, blob.text()]).then(([app, text]) => {
      if (!(app.getHostCapabilities() || {}).downloadFile) throw new Error("the host offers no downloads");
      return app.downloadFile({ contents: [{ type: "resource",
        resource: { uri: `file:///${encodeURIComponent(name)}`, mimeType: blob.type || "text/csv", text } }] });
    }).catch((err) => console.warn(`awsinv-mcp: ${name} not downloaded: ${err.message}`));
  });

  const textOf = (result) => (result.content || []).filter((c) => c.type === "text").map((c) => c.text).join(" ");

  async function callTool(name, args) {
    const app = await appReady;
    const clean = {};
    for (const [key, value] of Object.entries(args || {})) {
      if (value !== null && value !== undefined && value !== "") clean[key] = value;
    }
    let result;
    try {
      result = await app.callServerTool({ name, arguments: clean });
    } catch (err) {
      if (/Unknown tool/.test(err.message)) { // the server's protocol error for a tool it does not offer
        throw new ApiError(404, `this server does not offer ${name}`, "its toolset is off (AWSINV_TOOLSETS)");
      }
      throw new ApiError(0, `${name}: the host did not pass the call on (${err.message})`);
    }
    if (result.isError) {
      const error = (result.structuredContent && result.structuredContent.error) || {};
      throw new ApiError(STATUS_OF_CODE[error.code] || 502, error.message || textOf(result) || `${name} failed`);
    }
    if (result.structuredContent) return result.structuredContent;  // app.js reads a table as items (withItems)
    try { return JSON.parse(textOf(result)); } catch (err) { throw new ApiError(502, `${name} answered no JSON`); }
  }

  // No tool listing through the bridge: the views offer everything and show a tool's refusal where it happens.
  window.awsinvData = { callTool, toolList: () => Promise.resolve(null), ApiError, view };
})();
