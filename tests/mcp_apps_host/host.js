// The MCP App host of tests/test_mcp_apps.py, built only from the official packages: the MCP client
// (@modelcontextprotocol/client, over streamable HTTP to a real awsinv-mcp server) and the ext-apps host bridge
// (AppBridge + PostMessageTransport). esbuild bundles it for the browser at test time.
//
// window.openApp({mcpUrl, tool, args}) does what a host does when the model calls a UI-linked tool: reads the
// tool's `_meta.ui.resourceUri` from tools/list, fetches that resource, renders it in a sandboxed iframe under
// the extension's default CSP (the resource declares no `_meta.ui.csp`), connects an AppBridge to it (which
// passes the view's tools/call on to the server), and sends the view the tool's input and result.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import {
  AppBridge,
  PostMessageTransport,
  RESOURCE_MIME_TYPE,
  getToolUiResourceUri,
} from "@modelcontextprotocol/ext-apps/app-bridge";

// specification/2026-01-26/apps.mdx, "Host Behavior": the CSP of a UI resource without `ui.csp`
const DEFAULT_CSP = [
  "default-src 'none'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "media-src 'self' data:",
  "connect-src 'none'",
].join("; ");

const HOST = { name: "awsinv-test-host", version: "1.0.0" };

window.hostLog = [];
const log = (entry) => window.hostLog.push(entry);

window.openApp = async ({ mcpUrl, tool, args }) => {
  const client = new Client(HOST, {
    capabilities: { extensions: { "io.modelcontextprotocol/ui": { mimeTypes: [RESOURCE_MIME_TYPE] } } },
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)));
  log({ event: "connected", server: client.getServerVersion()?.name });

  const { tools } = await client.listTools();
  const listed = tools.find((t) => t.name === tool);
  const uri = listed && getToolUiResourceUri(listed);
  if (!uri) throw new Error(`${tool} carries no _meta.ui.resourceUri`);
  const { contents } = await client.readResource({ uri });
  const content = contents[0];
  if (content.mimeType !== RESOURCE_MIME_TYPE) throw new Error(`${uri} is ${content.mimeType}`);
  log({ event: "resource", uri, mimeType: content.mimeType, bytes: content.text.length });

  const iframe = document.createElement("iframe");
  iframe.setAttribute("sandbox", "allow-scripts");
  iframe.setAttribute("title", `MCP App ${uri}`);
  iframe.style.cssText = "width: 1200px; height: 900px; border: 1px solid #ccc";
  const csp = `<meta http-equiv="Content-Security-Policy" content="${DEFAULT_CSP}">`;
  iframe.srcdoc = content.text.replace(/<head>/i, `<head>${csp}`);
  document.body.append(iframe);

  const bridge = new AppBridge(client, HOST, { serverTools: {}, logging: {}, downloadFile: {} }, {
    hostContext: { theme: "light", displayMode: "inline" },
  });
  const initialized = new Promise((resolve) => { bridge.oninitialized = resolve; });
  bridge.onsizechange = ({ height }) => log({ event: "size", height });
  window.hostDownloads = [];
  bridge.ondownloadfile = async ({ contents }) => {
    for (const c of contents) {
      window.hostDownloads.push(c.resource);
      log({ event: "download", uri: c.resource.uri, mimeType: c.resource.mimeType, bytes: c.resource.text.length });
    }
    return {};
  };
  await bridge.connect(new PostMessageTransport(iframe.contentWindow, iframe.contentWindow));
  // connect() set the forwarding of the view's tools/call to the server; record each on the way through
  const forward = bridge.oncalltool;
  bridge.oncalltool = async (params, extra) => {
    const result = await forward(params, extra);
    log({ event: "view-called", tool: params.name, isError: Boolean(result.isError) });
    return result;
  };
  await initialized;
  log({ event: "view-initialized", view: bridge.getAppVersion()?.name });

  // the model's own call of the tool, whose input and answer the host hands to the view
  await bridge.sendToolInput({ arguments: args || {} });
  const result = await client.callTool({ name: tool, arguments: args || {} });
  await bridge.sendToolResult(result);
  log({ event: "tool-result-sent", tool });
  return { uri, answer: result.structuredContent };
};
