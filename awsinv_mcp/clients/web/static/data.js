// awsinv-mcp views: the one way a view reads from the server.
//
//   callTool(name, args) -> Promise<the tool's structured answer (JSON)>   (rejects with ApiError)
//   toolList()           -> Promise<{name: {parameters}}> of the tools the page may call (absent tools missing)
//
// In the web page these are `POST /api/v1/tools/{name}` (JSON body = the arguments) and `GET /api/v1/tools`
// (awsinv_mcp/clients/web/app.py). An MCP App host replaces `window.awsinvData` before app.js runs (its
// callTool over the App bridge's tools/call; toolList may resolve to null: then every view is offered).
"use strict";

(() => {
  if (window.awsinvData) return; // a host (MCP App) supplied its own

  class ApiError extends Error {
    constructor(status, message, fix) { super(message); this.status = status; this.fix = fix; }
  }

  async function request(url, options) {
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin", ...options });
    } catch (err) {
      throw new ApiError(0, "the web server did not answer (is awsinv-mcp web still running?)");
    }
    let body = null;
    try { body = await response.json(); } catch (err) { body = null; }
    if (!response.ok) {
      throw new ApiError(response.status, (body && body.error) || `HTTP ${response.status}`, body && body.fix);
    }
    return body;
  }

  function callTool(name, args) {
    const clean = {};
    for (const [key, value] of Object.entries(args || {})) {
      if (value !== null && value !== undefined && value !== "") clean[key] = value;
    }
    return request(`/api/v1/tools/${encodeURIComponent(name)}`, { method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(clean) });
  }

  let listing = null;
  function toolList() {
    if (!listing) {
      listing = request("/api/v1/tools", { headers: { Accept: "application/json" } }).then((r) => r.tools || {});
      listing.catch(() => { listing = null; });
    }
    return listing;
  }

  window.awsinvData = { callTool, toolList, ApiError, request };
})();
