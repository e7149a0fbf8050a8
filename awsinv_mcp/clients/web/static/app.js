// awsinv-mcp web page: Overview, Resources and AI Chat over the REST API of awsinv_mcp.clients.web.
// No framework and no build step. Every piece of server, data or model text reaches the page through
// textContent or DOM nodes built here; nothing is ever assigned to innerHTML.
"use strict";

(() => {
  const SVG_NS = "http://www.w3.org/2000/svg";
  const PAGE_SIZE = 25;
  const SEVERITIES = ["critical", "high", "medium", "low", "info"];
  const SUPPORT = [
    ["standard", "Standard support"],
    ["ending_soon", "Ending soon"],
    ["extended_support", "Extended Support"],
    ["end_of_support", "End of support"],
  ];
  const PALETTE = ["#2563eb", "#0d9488", "#d97706", "#7c3aed", "#db2777", "#0891b2", "#65a30d", "#dc2626",
    "#4f46e5", "#ca8a04", "#64748b"];

  // ---------- small helpers ----------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value !== null && value !== undefined) node.setAttribute(key, String(value));
    }
    for (const child of children.flat()) {
      if (child) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const $ = (id) => document.getElementById(id);
  const clear = (node) => { while (node.firstChild) node.removeChild(node.firstChild); return node; };
  const nf = new Intl.NumberFormat("en-US");
  const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });
  const usdShort = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", notation: "compact",
    maximumFractionDigits: 1 });
  const label = (key) => String(key).replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
  const colorFor = (i) => PALETTE[i % PALETTE.length];
  const plural = (n, one, many = `${one}s`) => `${nf.format(n)} ${n === 1 ? one : many}`;

  // ---------- values from the estate (tags, names): isolated, bounded, bidi controls made visible ----------
  // A bidirectional control (U+202E and kin) reorders the text after it ("prod\u202eedoc.exe" reads
  // "prodexe.code"): each is shown as a visible code instead, and every value sits in its own <bdi>, so it
  // cannot reorder its neighbours. Values longer than SHORT_VALUE characters are cut, the whole on demand.
  const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
  const SHORT_VALUE = 60;
  const codePoint = (ch) => `U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
  const chars = (text) => Array.from(text); // code points: a cut never splits a surrogate pair

  function plainValue(value, max = SHORT_VALUE) { // for attributes, <option> and SVG text
    const all = chars(String(value));
    const text = all.length > max ? `${all.slice(0, max - 1).join("")}…` : all.join("");
    return text.replace(BIDI_CONTROLS, (ch) => `[${codePoint(ch)}]`);
  }

  function bidiSafe(text) {
    const parts = [];
    let last = 0;
    for (const m of text.matchAll(BIDI_CONTROLS)) {
      if (m.index > last) parts.push(text.slice(last, m.index));
      parts.push(el("span", { class: "bidi-ctl", title: `${codePoint(m[0])}: a bidirectional control character`,
        text: codePoint(m[0]) }));
      last = m.index + m[0].length;
    }
    if (last < text.length) parts.push(text.slice(last));
    return parts;
  }

  function valueNode(value, max = SHORT_VALUE) {
    const full = String(value);
    const all = chars(full);
    const box = el("bdi", { class: "val" }, bidiSafe(all.length > max ? `${all.slice(0, max).join("")}…` : full));
    if (all.length <= max) return box;
    const more = el("button", { type: "button", class: "val-more", "aria-expanded": "false", "data-testid": "val-more",
      title: `Show all ${nf.format(all.length)} characters`, text: "more" });
    const toggle = (ev) => {
      ev.stopPropagation(); // the row's click opens the detail panel
      const open = more.getAttribute("aria-expanded") !== "true";
      clear(box).append(...bidiSafe(open ? full : `${all.slice(0, max).join("")}…`));
      box.classList.toggle("val-open", open);
      more.setAttribute("aria-expanded", String(open));
      more.textContent = open ? "less" : "more";
    };
    more.addEventListener("click", toggle);
    more.addEventListener("keydown", (ev) => ev.stopPropagation());
    return el("span", { class: "val-long" }, box, " ", more);
  }

  function niceCeiling(value) {
    if (value <= 0) return 1;
    const power = 10 ** Math.floor(Math.log10(value));
    const step = [1, 2, 2.5, 5, 10].find((m) => m * power >= value);
    return step * power;
  }

  // Every read of a view goes through callTool (static/data.js, or appmode.js inside an MCP App host); `api` is
  // for the chat's own routes. A list answer's compact table (`columns`, `rows`, `same`) is read as `items`,
  // as the web bridge already gives it (awsinv_mcp/models/table.py `with_items`).
  const { toolList, ApiError } = window.awsinvData;
  function withItems(answer) {
    if (!answer || typeof answer !== "object" || !Array.isArray(answer.columns) || answer.items) return answer;
    const { columns, rows, same, ...rest } = answer;
    return { ...rest, items: (rows || []).map((row) => ({ ...Object.fromEntries(columns.map((c, i) => [c,
      i < row.length ? row[i] : null])), ...(same || {}) })) };
  }
  const callTool = (name, args) => window.awsinvData.callTool(name, args).then(withItems);

  async function api(path, params, options) {
    const url = new URL(path, window.location.origin);
    for (const [key, value] of Object.entries(params || {})) {
      if (value !== null && value !== undefined && value !== "") url.searchParams.set(key, value);
    }
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" },
        ...(options || {}) });
    } catch (err) {
      throw new ApiError(0, "the web server did not answer (is awsinv-mcp web still running?)");
    }
    let body = null;
    try { body = await response.json(); } catch (err) { body = null; }
    if (!response.ok) {
      const message = (body && body.error) || `HTTP ${response.status}`;
      throw new ApiError(response.status, message, body && body.fix);
    }
    return body;
  }

  function errorBox(err, what) {
    const box = el("div", { class: "error-box", role: "status" },
      el("strong", { text: `${what} unavailable` }), el("span", { text: err.message || String(err) }));
    if (err.fix) box.append(el("span", { class: "fix", text: err.fix }));
    return box;
  }

  function monthLabel(iso) {
    const d = new Date(`${String(iso).slice(0, 10)}T00:00:00Z`);
    if (Number.isNaN(d.getTime())) return String(iso);
    return d.toLocaleDateString("en-US", { month: "short", year: "2-digit", timeZone: "UTC" });
  }

  // ---------- state ----------
  const state = {
    summary: null,
    schema: null,
    resource: "databases",
    filters: {},
    sort: null,
    cursors: [null],
    pageIndex: 0,
    loaded: { overview: false, resources: false, chat: false },
    views: {},
    standalone: null,
    history: [],
    busy: false,
  };

  const summaryPromise = () => {
    if (!state.summaryRequest) {
      state.summaryRequest = callTool("get_inventory_summary").then((s) => { state.summary = s; return s; });
      state.summaryRequest.catch(() => { state.summaryRequest = null; });
    }
    return state.summaryRequest;
  };
  const schemaPromise = () => {
    if (!state.schemaRequest) {
      state.schemaRequest = toolList().then((s) => { state.schema = s; return s; });
      state.schemaRequest.catch(() => { state.schemaRequest = null; });
    }
    return state.schemaRequest;
  };

  // ---------- tabs and the URL ----------
  // The URL's hash is `#<tab>` or `#<tab>?<filters>`: filters are shareable, and each change is a history
  // entry (the back button undoes it). `?view=<name>` in the query shows that one view alone (no tab bar).
  const TABS = ["overview", "findings", "savings", "versions", "snapshots", "reserved", "changes", "resources",
    "chat"];
  const LEGACY = { overview: loadOverview, resources: initResources, chat: initChat };

  function currentRoute() {
    const hash = window.location.hash.slice(1);
    const cut = hash.indexOf("?");
    return { tab: (cut < 0 ? hash : hash.slice(0, cut)) || "", params: new URLSearchParams(cut < 0 ? ""
      : hash.slice(cut + 1)) };
  }

  function navigate(tab, params) {
    const qs = new URLSearchParams(Object.entries(params || {}).filter(([, v]) => v !== null && v !== undefined
      && v !== "")).toString();
    const target = `#${tab}${qs ? `?${qs}` : ""}`;
    if (window.location.hash !== target) window.location.hash = target; // hashchange renders it
  }

  const tabAvailable = (tab) => {
    if (state.standalone && tab !== state.standalone) return false;
    const need = (VIEWS[tab] || [])[0] || (tab === "resources" ? "list_db_instances" : null);
    return !need || !state.schema || need in state.schema;
  };

  function showTab(name, params) {
    if (!TABS.includes(name) || !tabAvailable(name)) name = state.standalone || "overview";
    for (const tab of TABS) {
      const button = $(`tab-${tab}`);
      button.setAttribute("aria-selected", String(tab === name));
      button.tabIndex = tab === name ? 0 : -1;
      button.hidden = !tabAvailable(tab);
      $(`panel-${tab}`).hidden = tab !== name;
    }
    const { tab: shown } = currentRoute();
    if (shown !== name) history.replaceState(null, "", `#${name}`);
    const query = shown === name ? params || new URLSearchParams() : new URLSearchParams();
    if (VIEWS[name]) {
      if (!state.views[name]) state.views[name] = VIEWS[name][1]($(`panel-${name}`), { callTool,
        navigate: (p) => navigate(name, p) });
      state.views[name].update(query);
    } else if (!state.loaded[name]) {
      state.loaded[name] = true;
      LEGACY[name](query);
    } else if (name === "resources") {
      routeResources(query);
    }
  }

  // Tabs as a keyboard widget: arrows move between tabs, Home/End to the ends.
  function tabKeys(ev) {
    const visible = TABS.filter((t) => !$(`tab-${t}`).hidden);
    const at = visible.indexOf(ev.target.dataset.tab);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: visible.length - 1 }[ev.key];
    if (to === undefined || at < 0) return;
    ev.preventDefault();
    const tab = visible[(to + visible.length) % visible.length];
    $(`tab-${tab}`).focus();
    navigate(tab, {});
  }

  // ---------- source banner ----------
  function showSource(summary) {
    const pill = $("source-pill");
    const synthetic = summary.source === "synthetic";
    pill.textContent = synthetic ? "Demo data · synthetic estate" : "Live AWS data";
    pill.className = `source-pill ${synthetic ? "is-demo" : "is-live"}`;
    $("demo-banner").hidden = !synthetic;
    const warnings = summary.warnings || [];
    const banner = $("warnings-banner");
    clear(banner);
    banner.hidden = warnings.length === 0;
    if (warnings.length) {
      banner.append(el("strong", { text: `${warnings.length} part(s) of the collection failed. ` }));
      banner.append(warnings.slice(0, 3).map((w) => `${w.scope}: ${w.message}`).join(" · "));
    }
  }

  // ---------- overview cards ----------
  function card(id, title, build) {
    const body = el("div", { class: "card-body" }, el("div", { class: "skeleton" }));
    const node = el("article", { class: "card", id: `card-${id}`, "data-testid": `card-${id}` },
      el("h3", { class: "card-title", text: title }), body);
    $("cards").append(node);
    return {
      node,
      set(...children) { clear(body).append(...children); },
      fail(err) { clear(body).append(errorBox(err, title)); node.classList.add("card-failed"); },
      build,
    };
  }

  const bigNumber = (value, testid, sub) => [
    el("div", { class: "big-number", "data-testid": testid, "data-value": value.raw }, value.text,
      value.unit ? el("span", { class: "unit", text: value.unit }) : null),
    sub ? el("div", { class: "card-sub", text: sub }) : null,
  ];

  // `hrefOf(key)`: each chip a link to the filtered table behind it (drill-down).
  function chips(entries, testidPrefix, classPrefix, hrefOf) {
    return el("div", { class: "chips" }, entries.map(([key, text, count]) =>
      el(hrefOf ? "a" : "span", { class: `chip ${classPrefix}-${key}${hrefOf ? " drill" : ""}`,
        href: hrefOf ? hrefOf(key) : null, "data-testid": `${testidPrefix}-${key}`, "data-value": count },
      el("b", { text: nf.format(count) }), ` ${text}`)));
  }

  function latestCost(costs) {
    const periods = costs.periods || [];
    if (!periods.length) return null;
    const sumAt = (i) => (costs.items || []).reduce((acc, it) => acc + (Number((it.amounts || [])[i]) || 0), 0);
    const last = periods.length - 1;
    return { period: periods[last], amount: sumAt(last), previous: last > 0 ? sumAt(last - 1) : null };
  }

  // Aggregates may sit at the top level of an answer or in its `summary` object.
  const aggregate = (answer, key) => (answer[key] !== undefined ? answer[key]
    : answer.summary && answer.summary[key] !== undefined ? answer.summary[key] : undefined);

  function savingsTotal(answer) {
    for (const key of ["total_monthly_savings_usd", "monthly_savings_usd", "total_savings_usd"]) {
      const value = aggregate(answer, key);
      if (typeof value === "number") return value;
    }
    return (answer.items || []).reduce((acc, it) => acc + (Number(it.monthly_savings_usd) || 0), 0);
  }

  function statusCounts(answer) {
    const direct = aggregate(answer, "by_status");
    if (direct && typeof direct === "object") return { counts: direct, partial: false };
    const counts = {};
    for (const it of answer.items || []) counts[it.status] = (counts[it.status] || 0) + 1;
    return { counts, partial: Boolean(answer.next_cursor) };
  }

  async function loadOverview() {
    clear($("cards"));
    // a server without a tool (`--toolsets ...`): its card and chart are left out and the tool never called
    const has = (tool) => !state.schema || tool in state.schema;
    const absent = { type: "absent" };
    const only = (tool, call) => (has(tool) ? call() : Promise.reject(absent));
    const cardIf = (tool, id, title) => (has(tool) ? card(id, title) : { set() {}, fail() {}, node: el("i") });
    const cDb = cardIf("get_inventory_summary", "db-instances", "Databases by engine");
    const cCost = cardIf("get_cost_summary", "monthly-cost", "Monthly cost");
    const cSave = cardIf("find_cost_savings", "savings", "Estimated savings");
    const cFind = cardIf("get_findings", "findings", "Findings by severity");
    const cVer = cardIf("check_version_compliance", "versions", "Versions by support status");
    const cSrc = cardIf("get_inventory_summary", "source", "Data source");
    $("chart-engines").closest("figure").hidden = !has("get_inventory_summary");
    $("chart-versions").closest("figure").hidden = !has("check_version_compliance");
    $("chart-costs").closest("figure").hidden = !has("get_cost_summary");
    if (![...$("cards").children].length) {
      $("cards").append(el("p", { class: "muted", "data-testid": "overview-empty",
        text: "This server offers none of the inventory, analysis or cost tools (see --toolsets)." }));
    }

    const costs = only("get_cost_summary", () => callTool("get_cost_summary", { group_by: "TAG:Team",
      granularity: "MONTHLY" }));
    const savings = only("find_cost_savings", () => callTool("find_cost_savings", { limit: 1 }));
    const findings = only("get_findings", () => callTool("get_findings", { limit: 1 }));
    // by_status when the tool reports it; otherwise count the rows of one large page
    const versions = only("check_version_compliance", () => callTool("check_version_compliance", { limit: 1 })
      .then((v) => (aggregate(v, "by_status") || !v.next_cursor ? v
        : callTool("check_version_compliance", { limit: 500 }))));
    for (const p of [costs, savings, findings, versions]) p.catch(() => {});

    only("get_inventory_summary", summaryPromise).then((s) => {
      showSource(s);
      const engines = Object.entries(s.by_engine || {}).sort((a, b) => b[1] - a[1]);
      cDb.set(...bigNumber({ raw: s.db_instances, text: nf.format(s.db_instances) }, "db-instances-total",
        `${plural(engines.length, "engine")} · ${plural((s.accounts || []).length, "account")} · ${
          plural((s.regions || []).length, "region")}`),
      el("ul", { class: "mini-list" }, engines.slice(0, 4).map(([k, v], i) => el("li", {},
        el("i", { class: "dot", "data-color": i }), el("a", { href: `#resources?engine=${encodeURIComponent(k)}`,
          class: "drill" }, valueNode(k, 30)),
        el("b", { "data-testid": `engine-count-${k}`, text: nf.format(v) })))));
      for (const dot of cDb.node.querySelectorAll(".dot")) dot.style.background = colorFor(Number(dot.dataset.color));
      const when = new Date(s.collected_at);
      cSrc.set(
        el("div", { class: `source-badge ${s.source === "synthetic" ? "is-demo" : "is-live"}`,
          "data-testid": "source-value", text: s.source === "synthetic" ? "Synthetic demo estate" : "AWS" }),
        el("div", { class: "card-sub", text: `Collected ${Number.isNaN(when.getTime()) ? s.collected_at
          : when.toLocaleString()}` }),
        el("div", { class: "card-sub", text: `${nf.format(s.ec2_instances)} EC2 · ${nf.format(s.s3_buckets)} S3 · ` +
          `${nf.format(s.db_clusters)} clusters · ${(s.warnings || []).length} warnings` }));
      chartEngines(engines);
    }).catch((err) => { cDb.fail(err); cSrc.fail(err); $("source-pill").textContent = "server unavailable";
      clear($("chart-engines")).append(errorBox(err, "Engines")); });

    costs.then((c) => {
      const latest = latestCost(c);
      if (!latest) { cCost.set(el("div", { class: "card-sub", text: "No cost data in the period." })); return; }
      const change = latest.previous ? ((latest.amount - latest.previous) / latest.previous) * 100 : null;
      cCost.set(...bigNumber({ raw: latest.amount.toFixed(2), text: usd.format(latest.amount) }, "monthly-cost-value",
        `${monthLabel(latest.period)}${change === null ? "" : ` · ${change >= 0 ? "▲" : "▼"} ${Math.abs(change)
          .toFixed(1)}% vs previous month`}`));
      state.monthlyCost = latest.amount;
      chartCosts(c);
    }).catch((err) => { cCost.fail(err); clear($("chart-costs")).append(errorBox(err, "Costs")); });

    Promise.allSettled([savings, costs]).then(([s]) => {
      if (s.status === "rejected") { cSave.fail(s.reason); return; }
      const total = savingsTotal(s.value);
      const share = state.monthlyCost ? ` · ${((total / state.monthlyCost) * 100).toFixed(1)}% of monthly spend` : "";
      cSave.set(...bigNumber({ raw: total.toFixed(2), text: usd.format(total), unit: "/mo" }, "savings-value",
        `${plural(s.value.total || 0, "opportunity", "opportunities")}${share}`),
      el("a", { class: "card-link-more", href: "#savings", "data-testid": "savings-drill", text: "By rule and team ›" }));
    });

    findings.then((f) => {
      const by = aggregate(f, "by_severity") || {};
      const entries = SEVERITIES.map((sev) => [sev, sev, Number(by[sev] || 0)]);
      cFind.set(...bigNumber({ raw: f.total, text: nf.format(f.total) }, "findings-total", "open findings"),
        chips(entries.filter((e) => e[2]), "severity", "sev", (k) => `#findings?severity=${k}`),
        el("a", { class: "card-link-more", href: "#findings", text: "All findings ›" }));
    }).catch((err) => cFind.fail(err));

    versions.then((v) => {
      const { counts, partial } = statusCounts(v);
      const entries = SUPPORT.map(([key, text]) => [key, text, Number(counts[key] || 0)]);
      const atRisk = entries.slice(1).reduce((acc, e) => acc + e[2], 0);
      cVer.set(...bigNumber({ raw: atRisk, text: nf.format(atRisk) }, "versions-at-risk",
        `outside standard support or ending soon${partial ? " (first page)" : ""}`),
      chips(entries, "support", "sup", (k) => `#versions?status=${k}`),
      el("a", { class: "card-link-more", href: "#versions", text: "Versions and calendar ›" }));
      chartVersions(entries);
    }).catch((err) => { cVer.fail(err); clear($("chart-versions")).append(errorBox(err, "Versions")); });
  }

  // ---------- charts (inline SVG) ----------
  function chartEngines(engines) {
    const box = clear($("chart-engines"));
    if (!engines.length) { box.append(el("p", { class: "muted", text: "No DB instances." })); return; }
    const rows = engines.slice(0, 10);
    const max = Math.max(...rows.map((r) => r[1]));
    const rowH = 26;
    const width = 460;
    const labelW = 130;
    const chart = svg("svg", { viewBox: `0 0 ${width} ${rows.length * rowH + 4}`, class: "bar-chart",
      "aria-label": "DB instances by engine (select an engine for its databases)" });
    rows.forEach(([name, count], i) => {
      const y = i * rowH + 2;
      const w = Math.max(2, ((width - labelW - 50) * count) / max);
      chart.append(svg("a", { href: `#resources?engine=${encodeURIComponent(name)}`, class: "drill" },
      svg("text", { x: labelW - 8, y: y + 16, "text-anchor": "end", class: "axis-label" }, plainValue(name, 20)),
      svg("rect", { x: labelW, y: y + 3, width: w, height: rowH - 8, rx: 3, fill: colorFor(i) },
        svg("title", {}, `${plainValue(name)}: ${count}`)),
      svg("text", { x: labelW + w + 6, y: y + 16, class: "value-label", "data-testid": `chart-engine-${name}` },
        nf.format(count))));
    });
    box.append(chart);
  }

  function chartVersions(entries) {
    const box = clear($("chart-versions"));
    const total = entries.reduce((acc, e) => acc + e[2], 0);
    if (!total) { box.append(el("p", { class: "muted", text: "No version data." })); return; }
    const colors = { standard: "#16a34a", ending_soon: "#f59e0b", extended_support: "#ea580c",
      end_of_support: "#dc2626" };
    const r = 60;
    const c = 2 * Math.PI * r;
    const chart = svg("svg", { viewBox: "0 0 160 160", class: "donut",
      "aria-label": "Versions by support status (select a status for its rows)" });
    let offset = 0;
    for (const [key, text, count] of entries) {
      if (!count) continue;
      const len = (count / total) * c;
      chart.append(svg("a", { href: `#versions?status=${key}`, "aria-label": `${text}: ${count}` },
        svg("circle", { cx: 80, cy: 80, r, fill: "none", stroke: colors[key], "stroke-width": 26,
          "stroke-dasharray": `${len} ${c - len}`, "stroke-dashoffset": -offset, transform: "rotate(-90 80 80)" },
        svg("title", {}, `${text}: ${count}`))));
      offset += len;
    }
    chart.append(svg("text", { x: 80, y: 78, "text-anchor": "middle", class: "donut-total" }, nf.format(total)),
      svg("text", { x: 80, y: 96, "text-anchor": "middle", class: "axis-label" }, "resources"));
    const legend = el("ul", { class: "legend" }, entries.map(([key, text, count]) => {
      const sw = el("i", { class: "swatch" });
      sw.style.background = colors[key];
      return el("li", {}, sw, el("a", { href: `#versions?status=${key}`, class: "drill", text }),
        el("b", { text: `${nf.format(count)} · ${((count / total) * 100).toFixed(0)}%` }));
    }));
    box.append(el("div", { class: "donut-wrap" }, chart, legend));
  }

  function groupName(group) {
    const values = Object.values(group || {}).map((v) => {
      const s = String(v);
      const i = s.indexOf("$");
      return i >= 0 ? s.slice(i + 1) || "(untagged)" : s;
    });
    return values.join(" / ") || "All";
  }

  function chartCosts(costs) {
    const box = clear($("chart-costs"));
    const periods = costs.periods || [];
    let series = (costs.items || []).map((it) => ({ name: groupName(it.group), amounts: it.amounts || [],
      total: Number(it.total) || (it.amounts || []).reduce((a, b) => a + (Number(b) || 0), 0) }));
    if (!periods.length || !series.length) { box.append(el("p", { class: "muted", text: "No cost data." })); return; }
    series.sort((a, b) => b.total - a.total);
    if (series.length > 8) {
      const rest = series.slice(7);
      series = series.slice(0, 7).concat([{ name: "Other", total: 0,
        amounts: periods.map((_, i) => rest.reduce((acc, s) => acc + (Number(s.amounts[i]) || 0), 0)) }]);
    }
    const totals = periods.map((_, i) => series.reduce((acc, s) => acc + (Number(s.amounts[i]) || 0), 0));
    const max = niceCeiling(Math.max(...totals));
    const W = 1100; const H = 270; const left = 64; const bottom = 28; const top = 10;
    const plotH = H - bottom - top;
    const step = (W - left - 10) / periods.length;
    const barW = Math.min(56, step * 0.62);
    const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "column-chart", role: "img",
      "aria-label": "Monthly cost by team" });
    for (let g = 0; g <= 4; g += 1) {
      const v = (max * g) / 4;
      const y = top + plotH - (plotH * g) / 4;
      chart.append(svg("line", { x1: left, x2: W - 6, y1: y, y2: y, class: "grid" }),
        svg("text", { x: left - 8, y: y + 4, "text-anchor": "end", class: "axis-label" }, usdShort.format(v)));
    }
    periods.forEach((period, i) => {
      const x = left + i * step + (step - barW) / 2;
      let y = top + plotH;
      series.forEach((s, k) => {
        const amount = Number(s.amounts[i]) || 0;
        const h = (plotH * amount) / max;
        y -= h;
        chart.append(svg("rect", { x, y, width: barW, height: Math.max(h, 0), fill: colorFor(k) },
          svg("title", {}, `${plainValue(s.name)} · ${monthLabel(period)}: ${usd.format(amount)}`)));
      });
      chart.append(svg("text", { x: x + barW / 2, y: H - 8, "text-anchor": "middle", class: "axis-label" },
        monthLabel(period)));
    });
    const legend = el("ul", { class: "legend legend-row" }, series.map((s, k) => {
      const sw = el("i", { class: "swatch" });
      sw.style.background = colorFor(k);
      const team = s.name === "(untagged)" ? "untagged" : s.name;
      return el("li", {}, sw, s.name === "Other" || s.name === "All" ? el("span", {}, valueNode(s.name, 40))
        : el("a", { href: `#resources?team=${encodeURIComponent(team)}`, class: "drill",
          title: `DB instances of ${plainValue(s.name)}` }, valueNode(s.name, 40)));
    }));
    box.append(chart, legend);
  }

  // ---------- resources ----------
  const RESOURCES = {
    databases: { title: "DB instances", tool: "list_db_instances", key: "identifier", detail: true,
      columns: ["identifier", "engine", "engine_version", "instance_class", "status", "environment", "team",
        "region", "account", "storage_encrypted", "publicly_accessible", "multi_az", "allocated_gb"] },
    clusters: { title: "Clusters", tool: "list_db_clusters", key: "identifier",
      columns: ["identifier", "engine", "engine_version", "engine_mode", "status", "environment", "team", "region",
        "members", "storage_encrypted", "deletion_protection"] },
    ec2: { title: "EC2 instances", tool: "list_ec2_instances", key: "identifier",
      columns: ["identifier", "name", "instance_type", "state", "environment", "team", "region", "public_ip",
        "imds_v2_required", "database_host"] },
    buckets: { title: "S3 buckets", tool: "list_s3_buckets", key: "name",
      columns: ["name", "region", "account", "purpose", "encrypted", "public_access_block", "public", "versioning"] },
  };
  const SUMMARY_OPTIONS = { engine: "by_engine", environment: "by_environment", team: "by_team",
    region: "by_region", status: "by_status" };
  const FILTER_ORDER = ["q", "engine", "environment", "team", "region", "account", "status", "state", "application"];
  const HEAD_LABELS = { storage_encrypted: "Encrypted", publicly_accessible: "Public", multi_az: "Multi-AZ",
    allocated_gb: "Storage (GB)", engine_version: "Version", instance_class: "Class", imds_v2_required: "IMDSv2",
    database_host: "DB host", public_access_block: "Public access block", deletion_protection: "Del. protection",
    public_ip: "Public IP", instance_type: "Type", engine_mode: "Mode", iops: "IOPS", iam_auth: "IAM auth",
    arn: "ARN", backup_retention_days: "Backup retention (days)" };

  async function initResources(query) {
    const tabs = $("subtabs");
    for (const [name, spec] of Object.entries(RESOURCES)) {
      if (state.schema && !(spec.tool in state.schema)) continue; // a server without that tool
      tabs.append(el("button", { type: "button", role: "tab", class: "subtab", "data-resource": name,
        "data-testid": `subtab-${name}`, "aria-selected": String(name === state.resource),
        onclick: () => navigate("resources", { resource: name }) }, spec.title));
    }
    $("prev-page").addEventListener("click", () => turnPage(-1));
    $("next-page").addEventListener("click", () => turnPage(1));
    $("filters").addEventListener("submit", (ev) => ev.preventDefault());
    await Promise.allSettled([schemaPromise(), summaryPromise()]);
    state.resource = null;
    routeResources(query || currentRoute().params);
  }

  // The Resources tab from the URL: `resource`, `sort` and the filters.
  function routeResources(query) {
    const name = RESOURCES[query.get("resource")] ? query.get("resource") : "databases";
    const filters = {};
    for (const [k, v] of query.entries()) if (k !== "resource" && k !== "sort" && v !== "") filters[k] = v;
    const changed = name !== state.resource;
    state.resource = name;
    state.filters = filters;
    state.sort = query.get("sort");
    state.cursors = [null];
    state.pageIndex = 0;
    for (const b of $("subtabs").children) b.setAttribute("aria-selected", String(b.dataset.resource === name));
    if (changed) { $("detail").hidden = true; buildFilters(); }
    for (const control of $("filters").querySelectorAll("[name]")) {
      if (control !== document.activeElement) control.value = filters[control.name] || "";
    }
    loadTable();
  }

  function resourceParams(changes) {
    const out = { resource: state.resource === "databases" ? null : state.resource, ...state.filters,
      sort: state.sort };
    return { ...out, ...changes };
  }

  function routeInfo() {
    const tool = (state.schema || {})[RESOURCES[state.resource].tool];
    return tool ? { available: true, parameters: tool.parameters } : { available: !state.schema, parameters: {} };
  }

  function buildFilters() {
    const form = clear($("filters"));
    const params = routeInfo().parameters || {};
    let timer = null;
    const onChange = (name, value) => navigate("resources", resourceParams({ [name]: value }));
    for (const name of FILTER_ORDER) {
      const param = params[name];
      if (!param) continue;
      if (name === "q") {
        form.append(el("label", { class: "filter filter-search" }, el("span", { text: "Search" }),
          el("input", { type: "search", name: "q", "data-testid": "filter-q", placeholder: "identifier, name, tag…",
            oninput: (ev) => { clearTimeout(timer); timer = setTimeout(() => onChange("q", ev.target.value), 250); }
          })));
        continue;
      }
      const fromSummary = state.summary && SUMMARY_OPTIONS[name] ? Object.keys(state.summary[SUMMARY_OPTIONS[name]]
        || {}) : [];
      const options = (param.enum && param.enum.length ? param.enum : fromSummary).filter((v) => v !== "any");
      const control = options.length
        ? el("select", { name, "data-testid": `filter-${name}`, onchange: (ev) => onChange(name, ev.target.value) },
          el("option", { value: "", text: "All" }), options.sort().map((v) => el("option", { value: v,
            text: plainValue(v) })))
        : el("input", { type: "text", name, "data-testid": `filter-${name}`, placeholder: "any",
          onchange: (ev) => onChange(name, ev.target.value) });
      form.append(el("label", { class: "filter" }, el("span", { text: label(name) }), control));
    }
  }

  function cell(value) {
    if (value === true) return el("span", { class: "flag flag-yes", text: "Yes" });
    if (value === false) return el("span", { class: "flag flag-no", text: "No" });
    if (value === null || value === undefined || value === "") return el("span", { class: "muted", text: "—" });
    if (Array.isArray(value)) return valueNode(value.length > 3 ? `${value.slice(0, 3).join(", ")} +${
      value.length - 3}` : value.join(", "));
    if (typeof value === "object") return valueNode(JSON.stringify(value));
    if (typeof value === "number") return document.createTextNode(nf.format(value));
    return valueNode(value);
  }

  // Filter values (strings from controls and the URL) as the JSON types the tool's schema asks for.
  function typedArgs(values, parameters) {
    const out = {};
    for (const [key, value] of Object.entries(values)) {
      if (value === null || value === undefined || value === "") continue;
      const kind = (parameters && parameters[key] && parameters[key].type) || "";
      const kinds = Array.isArray(kind) ? kind : [kind];
      if (typeof value !== "string") out[key] = value;
      else if (kinds.includes("boolean") && /^(true|false)$/.test(value)) out[key] = value === "true";
      else if ((kinds.includes("integer") || kinds.includes("number")) && value.trim() !== ""
        && !Number.isNaN(Number(value))) out[key] = Number(value);
      else out[key] = value;
    }
    return out;
  }

  async function loadTable() {
    const spec = RESOURCES[state.resource];
    const info = routeInfo();
    const table = $("table");
    const canSort = Boolean(info.parameters && info.parameters.sort);
    const request = { ...state.filters, limit: PAGE_SIZE, cursor: state.cursors[state.pageIndex],
      sort: canSort ? state.sort : null };
    const token = Symbol("load");
    state.tableToken = token;
    table.classList.add("loading");
    let page;
    try {
      page = await callTool(spec.tool, typedArgs(request, info.parameters));
    } catch (err) {
      if (state.tableToken !== token) return;
      table.classList.remove("loading");
      clear(table).append(el("tbody", {}, el("tr", {}, el("td", {}, errorBox(err, spec.title)))));
      $("pager-info").textContent = "";
      $("next-page").disabled = true;
      $("prev-page").disabled = state.pageIndex === 0;
      return;
    }
    if (state.tableToken !== token) return;
    table.classList.remove("loading");
    const items = page.items || [];
    const columns = spec.columns.filter((c) => items.length === 0 || c in items[0]);
    const head = el("tr", {}, columns.map((c) => {
      const active = state.sort && state.sort.replace(/^-/, "") === c;
      const arrow = active ? (state.sort.startsWith("-") ? " ▼" : " ▲") : "";
      return el("th", { scope: "col", class: canSort ? "sortable" : null, "data-col": c,
        "aria-sort": active ? (state.sort.startsWith("-") ? "descending" : "ascending") : null,
        tabindex: canSort ? 0 : null,
        onkeydown: canSort ? (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); ev.target.click(); } }
          : null,
        onclick: canSort ? () => navigate("resources", resourceParams({ sort: state.sort === c ? `-${c}` : c }))
          : null }, (HEAD_LABELS[c] || label(c)) + arrow);
    }));
    const body = el("tbody", {}, items.map((row) => el("tr", {
      class: spec.detail ? "clickable" : null, "data-id": row[spec.key], tabindex: spec.detail ? 0 : null,
      onclick: spec.detail ? () => openDetail(row) : null,
      onkeydown: spec.detail ? (ev) => { if (ev.key === "Enter") openDetail(row); } : null,
    }, columns.map((c) => el("td", { "data-col": c }, cell(row[c]))))));
    if (!items.length) body.append(el("tr", {}, el("td", { colspan: columns.length, class: "muted",
      text: "No matches." })));
    clear(table).append(el("thead", {}, head), body);
    const start = state.pageIndex * PAGE_SIZE;
    $("pager-info").textContent = items.length
      ? `${nf.format(start + 1)}–${nf.format(start + items.length)} of ${nf.format(page.total)}`
      : `0 of ${nf.format(page.total || 0)}`;
    $("pager-info").dataset.total = page.total;
    state.cursors[state.pageIndex + 1] = page.next_cursor;
    $("next-page").disabled = !page.next_cursor;
    $("prev-page").disabled = state.pageIndex === 0;
  }

  function turnPage(delta) {
    const next = state.pageIndex + delta;
    if (next < 0 || (delta > 0 && !state.cursors[next])) return;
    state.pageIndex = next;
    loadTable();
  }

  const DETAIL_FIELDS = ["arn", "account", "region", "engine", "engine_version", "instance_class", "status",
    "environment", "team", "application", "cluster", "multi_az", "storage_encrypted", "publicly_accessible",
    "internet_exposed", "storage_type", "allocated_gb", "iops", "backup_retention_days", "deletion_protection",
    "iam_auth", "performance_insights", "engine_lifecycle_support", "created_at"];

  const findingParams = () => ((state.schema || {}).get_findings || {}).parameters || {};

  async function openDetail(row) {
    const panel = $("detail");
    panel.hidden = false;
    for (const tr of $("table").querySelectorAll("tr.selected")) tr.classList.remove("selected");
    const tr = [...$("table").querySelectorAll("tr[data-id]")].find((r) => r.dataset.id === row.identifier);
    if (tr) tr.classList.add("selected");
    clear(panel).append(
      el("div", { class: "detail-head" }, el("h3", { text: row.identifier, "data-testid": "detail-title" }),
        el("button", { type: "button", class: "btn btn-ghost", "aria-label": "Close", text: "✕",
          onclick: () => { panel.hidden = true; } })),
      el("div", { class: "skeleton" }));
    const id = row.arn || row.identifier;
    const [detail, findings] = await Promise.allSettled([
      callTool("get_db_instance", { identifier: id }),
      callTool("get_findings", { resource: row.identifier, limit: 50,
        detail: "detail" in findingParams() ? true : null }),
    ]);
    if (panel.querySelector("h3").textContent !== row.identifier) return;
    panel.querySelector(".skeleton").remove();
    const inst = detail.status === "fulfilled" ? detail.value.instance || detail.value : row;
    if (detail.status === "rejected") panel.append(errorBox(detail.reason, "Details"));
    const dl = el("dl", { class: "kv" });
    for (const key of DETAIL_FIELDS) {
      if (!(key in inst)) continue;
      dl.append(el("dt", { text: HEAD_LABELS[key] || label(key) }), el("dd", {}, cell(inst[key])));
    }
    if (inst.tags && Object.keys(inst.tags).length) {
      dl.append(el("dt", { text: "Tags" }), el("dd", {}, el("div", { class: "tags" },
        Object.entries(inst.tags).map(([k, v]) => el("span", { class: "tag", "data-testid": "tag" },
          valueNode(k, 40), "=", valueNode(v))))));
    }
    panel.append(dl);
    const section = el("section", { class: "detail-findings", "data-testid": "detail-findings" });
    if (findings.status === "rejected") section.append(errorBox(findings.reason, "Findings"));
    else {
      const items = findings.value.items || [];
      const rules = findings.value.rules || {};
      section.append(el("h4", { text: `Findings (${findings.value.total ?? items.length})` }));
      if (!items.length) section.append(el("p", { class: "muted", text: "No findings for this database." }));
      for (const row of items) {
        const f = { ...(rules[row.rule] || {}), ...row };
        section.append(el("div", { class: "finding" },
          el("div", { class: "finding-head" }, el("span", { class: `chip sev-${f.severity}`, text: f.severity }),
            el("strong", { text: f.title })),
          el("div", { class: "finding-meta", text: `${f.rule} · ${f.category}${f.monthly_savings_usd ? ` · saves ${
            usd.format(f.monthly_savings_usd)}/mo` : ""}` }),
          f.remediation ? el("div", { class: "finding-fix", text: f.remediation }) : null));
      }
    }
    panel.append(section);
  }

  // ---------- views: Findings, Savings, Versions, Snapshots, Reserved instances, Changes ----------
  // Each view is mount(root, ctx) -> { update(params) }: it reads only through callTool, its filters are
  // ctx.params (the URL), and ctx.navigate(params) changes them (a new history entry: the back button works).
  const UNTAGGED = "untagged";
  const CATEGORIES = ["security", "version", "cost", "performance"];
  const SUPPORT_KEYS = SUPPORT.map(([k]) => k);
  const EXPORT_PAGE = 500;

  // The URL's filters as the tool's typed arguments (names the tool does not take are dropped).
  function knownArgs(tool, values) {
    const known = toolParams(tool);
    const out = typedArgs(values, known);
    if (state.schema) for (const k of Object.keys(out)) if (!known[k]) delete out[k];
    return out;
  }

  const paramsObject = (params) => Object.fromEntries([...params.entries()].filter(([, v]) => v !== ""));
  const toolParams = (tool) => ((state.schema || {})[tool] || {}).parameters || {};

  function csvCell(value) {
    if (value === null || value === undefined) return "";
    let text = typeof value === "object" ? JSON.stringify(value) : String(value);
    if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`; // no formulas in a sheet
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }

  function toCsv(columns, rows) {
    const lines = [columns.map(csvCell).join(",")];
    for (const row of rows) lines.push(columns.map((c) => csvCell(row[c])).join(","));
    return `${lines.join("\r\n")}\r\n`;
  }

  // Every row matching `args`, page after page through the tool's cursor (not only the rows on screen).
  async function fetchAll(tool, args, onProgress) {
    const max = Number((toolParams(tool).limit || {}).maximum) || EXPORT_PAGE;
    const rows = [];
    let cursor = null;
    let answer = null;
    let rules = null;
    let size = Math.min(max, EXPORT_PAGE);
    for (let guard = 0; guard < 10_000; guard += 1) {
      answer = await callTool(tool, { ...args, limit: size, cursor });
      const items = answer.items || [];
      // the server's answer cap cut this page short without a cursor: ask again for as many rows as fitted
      if (!answer.next_cursor && answer.truncated && items.length && items.length < size
        && rows.length + items.length < (answer.total || 0)) {
        size = items.length;
        continue;
      }
      rows.push(...items);
      if (answer.rules) rules = { ...rules, ...answer.rules };
      if (onProgress) onProgress(rows.length, answer.total);
      cursor = answer.next_cursor;
      if (!cursor) break;
    }
    return { rows, answer: rules ? { ...answer, rules } : answer };
  }

  function download(name, text) {
    const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
    const a = el("a", { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  // A link that narrows a view: `#view?filters` (drill-down from a card, a chart or a row).
  function drill(view, params, children, attrs) {
    const qs = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== null && v !== undefined
      && v !== "")).toString();
    return el("a", { href: `#${view}${qs ? `?${qs}` : ""}`, class: "drill", ...(attrs || {}) }, children);
  }

  function bars(title, entries, linkOf, format, testid) { // [[key, value, sub?]] as a horizontal bar list
    const max = Math.max(1, ...entries.map((e) => e[1]));
    return el("figure", { class: "chart-card bars", "data-testid": testid },
      el("figcaption", { text: title }),
      el("ul", { class: "bar-list" }, entries.map(([key, value, sub]) => {
        const fill = el("i", { class: "bar-fill" });
        fill.style.width = `${Math.max(1, (value / max) * 100)}%`;
        return el("li", {}, drill(...linkOf(key), [el("span", { class: "bar-key" }, valueNode(key, 40)),
          el("span", { class: "bar-track" }, fill),
          el("b", { class: "bar-value", "data-value": value, text: format(value) }),
          sub ? el("span", { class: "bar-sub", text: sub }) : null], { "data-key": key }));
      })));
  }

  const teamOptions = async () => {
    const s = state.summary || await summaryPromise().catch(() => null);
    const of = (key) => [...new Set([...Object.keys((s && s[key]) || {}), UNTAGGED])].sort();
    return { team: of("by_team"), environment: of("by_environment"), engine: Object.keys((s && s.by_engine) || {})
      .sort(), region: ((s && s.regions) || []).slice().sort(), account: ((s && s.accounts) || []).map((a) => a.id) };
  };

  // The generic table view: summary (from the same answer), filters, table, pager, detail, CSV export.
  function tableView(spec) {
    return function mount(root, ctx) {
      const filterForm = el("form", { class: "filters", autocomplete: "off", "aria-label": `${spec.title} filters` });
      const summary = el("div", { class: "view-summary", "data-testid": `${spec.name}-summary` });
      const table = el("table", { class: "data-table", "data-testid": `${spec.name}-table` });
      const caption = el("caption", { class: "sr-only", text: spec.title });
      const info = el("span", { class: "pager-info", "data-testid": `${spec.name}-pager`, "aria-live": "polite" });
      const prev = el("button", { type: "button", class: "btn", text: "‹ Previous" });
      const next = el("button", { type: "button", class: "btn", text: "Next ›" });
      const exportBtn = el("button", { type: "button", class: "btn", "data-testid": `${spec.name}-export`,
        text: "Export CSV" });
      const exportNote = el("span", { class: "muted export-note", "aria-live": "polite" });
      const detail = el("aside", { class: "detail", "data-testid": `${spec.name}-detail`, hidden: true,
        "aria-label": "Details", tabindex: "-1" });
      const extra = el("div", { class: `view-extra${spec.extraBelow ? " below" : ""}` });
      root.append(...[el("div", { class: "view-head" }, el("h2", { text: spec.title }),
        spec.blurb ? el("p", { class: "muted", text: spec.blurb }) : null),
      summary, spec.extraBelow ? null : extra, filterForm,
      el("div", { class: "resources-layout" },
        el("div", { class: "resources-main" },
          el("div", { class: "table-wrap" }, table),
          el("div", { class: "pager" }, info, el("span", { class: "pager-buttons" }, exportNote, exportBtn, prev,
            next))),
        detail), spec.extraBelow ? extra : null].filter(Boolean));
      let params = new URLSearchParams();
      let cursors = [null];
      let pageIndex = 0;
      let token = null;
      let options = {};

      const args = () => knownArgs(spec.tool, spec.args(paramsObject(params)));
      const set = (changes) => {
        const out = paramsObject(params);
        for (const [k, v] of Object.entries(changes)) { if (v === "" || v === null) delete out[k]; else out[k] = v; }
        ctx.navigate(out);
      };

      function buildFilters() {
        clear(filterForm);
        const known = toolParams(spec.tool);
        for (const f of spec.filters) {
          if (!f.local && state.schema && !known[f.name]) continue; // a server without that argument
          const value = params.get(f.name) || "";
          const id = `${spec.name}-f-${f.name}`;
          const choices = f.options || options[f.name] || (known[f.name] && known[f.name].enum) || null;
          let control;
          if (choices) {
            control = el("select", { id, name: f.name, "data-testid": `${spec.name}-filter-${f.name}`,
              onchange: (ev) => set({ [f.name]: ev.target.value }) },
            el("option", { value: "", text: f.any || "All" }),
            choices.map((c) => {
              const [v, text] = Array.isArray(c) ? c : [c, c];
              return el("option", { value: v, text: plainValue(text), selected: v === value });
            }));
            if (value && !choices.some((c) => (Array.isArray(c) ? c[0] : c) === value)) {
              control.append(el("option", { value, text: plainValue(value), selected: true }));
            }
          } else {
            control = el("input", { id, name: f.name, type: f.type || "text", value,
              placeholder: f.placeholder || "any", "data-testid": `${spec.name}-filter-${f.name}`,
              onchange: (ev) => set({ [f.name]: ev.target.value.trim() }) });
          }
          filterForm.append(el("div", { class: "filter" }, el("label", { for: id, text: f.label || label(f.name) }),
            control));
        }
        const active = spec.filters.some((f) => params.get(f.name));
        if (active) {
          filterForm.append(el("div", { class: "filter filter-clear" }, el("button", { type: "button", class: "btn",
            "data-testid": `${spec.name}-clear`, text: "Clear filters",
            onclick: () => set(Object.fromEntries(spec.filters.map((f) => [f.name, ""]))) })));
        }
      }

      function render(answer) {
        const rows = spec.rows ? spec.rows(answer, params) : answer.items || [];
        const columns = spec.columns(params, rows);
        clear(table).append(caption,
          el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col", "data-col": c.key,
            text: c.label || HEAD_LABELS[c.key] || label(c.key) })))),
          el("tbody", {}, rows.length ? rows.map((row) => {
            const tr = el("tr", { "data-id": spec.key ? row[spec.key] : null },
              columns.map((c, i) => el(i === 0 ? "th" : "td", { "data-col": c.key, scope: i === 0 ? "row" : null },
                c.render ? c.render(row, answer) : cell(row[c.key]))));
            const opener = spec.detail && tr.querySelector("th");
            if (opener) {
              const btn = el("button", { type: "button", class: "row-open", "data-testid": `${spec.name}-open`,
                "aria-label": `Details of ${plainValue(row[spec.key] || "row")}`,
                onclick: () => openDetail(row, answer, tr) }, [...opener.childNodes]);
              clear(opener).append(btn);
            }
            return tr;
          }) : el("tr", {}, el("td", { colspan: columns.length, class: "muted", text: "No matches." }))));
        const total = spec.total ? spec.total(answer, rows) : answer.total;
        const start = pageIndex * PAGE_SIZE;
        info.textContent = rows.length && !spec.rows
          ? `${nf.format(start + 1)}–${nf.format(start + rows.length)} of ${nf.format(total)}`
          : `${nf.format(rows.length)} of ${nf.format(total || rows.length)}`;
        info.dataset.total = total;
        cursors[pageIndex + 1] = answer.next_cursor;
        next.disabled = !answer.next_cursor || Boolean(spec.rows);
        prev.disabled = pageIndex === 0;
      }

      function openDetail(row, answer, tr) {
        for (const r of table.querySelectorAll("tr.selected")) r.classList.remove("selected");
        tr.classList.add("selected");
        detail.hidden = false;
        clear(detail).append(el("div", { class: "detail-head" },
          el("h3", { "data-testid": `${spec.name}-detail-title` }, valueNode(row[spec.key] || "", 80)),
          el("button", { type: "button", class: "btn btn-ghost", "aria-label": "Close details", text: "✕",
            onclick: () => { detail.hidden = true; const b = tr.querySelector("button"); if (b) b.focus(); } })),
        spec.detail(row, answer));
        detail.focus();
      }

      async function load() {
        const mine = Symbol("load");
        token = mine;
        table.classList.add("loading");
        let answer;
        try {
          answer = spec.rows && spec.loadAll ? await spec.loadAll(args())
            : await callTool(spec.tool, { ...args(), limit: PAGE_SIZE, cursor: cursors[pageIndex] });
        } catch (err) {
          if (token !== mine) return;
          table.classList.remove("loading");
          clear(table).append(el("tbody", {}, el("tr", {}, el("td", {}, errorBox(err, spec.title)))));
          clear(summary);
          info.textContent = "";
          next.disabled = true;
          return;
        }
        if (token !== mine) return;
        table.classList.remove("loading");
        if (spec.options) {
          const more = spec.options(answer);
          const changed = Object.keys(more).some((k) => !options[k]);
          options = { ...more, ...options };
          if (changed) buildFilters();
        }
        clear(summary);
        if (spec.summary) summary.append(...[].concat(spec.summary(answer, paramsObject(params))).filter(Boolean));
        render(answer);
      }

      async function exportCsv() {
        exportBtn.disabled = true;
        exportNote.textContent = "Exporting…";
        try {
          const { rows } = spec.exportAll ? await spec.exportAll(args()) : await fetchAll(spec.tool, args(),
            (n, total) => { exportNote.textContent = `Exporting… ${nf.format(n)} of ${nf.format(total || n)}`; });
          const flat = rows.map((r) => (spec.flatten ? spec.flatten(r) : r));
          const columns = [...new Set(flat.flatMap((r) => Object.keys(r)))];
          download(`awsinv-${spec.name}.csv`, toCsv(columns, flat));
          exportNote.textContent = `Exported ${plural(rows.length, "row")}`;
          exportNote.dataset.rows = rows.length;
        } catch (err) {
          exportNote.textContent = `Export failed: ${err.message}`;
        } finally {
          exportBtn.disabled = false;
        }
      }

      prev.addEventListener("click", () => { if (pageIndex > 0) { pageIndex -= 1; load(); } });
      next.addEventListener("click", () => { if (cursors[pageIndex + 1]) { pageIndex += 1; load(); } });
      exportBtn.addEventListener("click", exportCsv);
      filterForm.addEventListener("submit", (ev) => ev.preventDefault());

      async function update(next) {
        params = next;
        cursors = [null];
        pageIndex = 0;
        detail.hidden = true;
        if (spec.staticOptions && !options.loaded) options = { ...(await spec.staticOptions()), loaded: true };
        buildFilters();
        clear(extra);
        if (spec.extra) spec.extra(extra, paramsObject(params));
        await load();
      }
      return { update };
    };
  }

  function kv(entries) {
    const dl = el("dl", { class: "kv" });
    for (const [key, value] of entries) {
      if (value === undefined) continue;
      dl.append(el("dt", { text: HEAD_LABELS[key] || label(key) }), el("dd", {}, cell(value)));
    }
    return dl;
  }

  const sevChip = (sev) => el("span", { class: `chip sev-${sev}`, text: sev || "—" });
  const money = (v) => (v === null || v === undefined ? el("span", { class: "muted", text: "—" })
    : document.createTextNode(usd.format(v)));
  const tagValue = (v) => (v === null || v === undefined || v === "" ? el("span", { class: "muted", text: UNTAGGED })
    : valueNode(v, 30));
  const FINDING_FILTERS = [
    { name: "severity", options: SEVERITIES },
    { name: "category", options: CATEGORIES },
    { name: "rule", placeholder: "e.g. rds.snapshot_public" },
    { name: "team" }, { name: "environment" }, { name: "region" },
    { name: "resource", placeholder: "identifier" },
    { name: "group", local: true, label: "Group by", any: "No grouping (one row per finding)",
      options: [["resource", "Resource"], ["rule", "Rule"]] },
  ];

  const findingsView = tableView({
    name: "findings", title: "Findings", tool: "get_findings", key: "resource_id", filters: FINDING_FILTERS,
    blurb: "Every rule that fired, by severity; open a finding for its evidence and remediation.",
    staticOptions: teamOptions,
    args: (p) => ({ ...p, view: p.group === "resource" ? "resources" : null, detail: p.group ? null : true }),
    columns: (p) => (p.get("group") === "resource"
      ? [{ key: "resource_id", label: "Resource",
        render: (r) => drill("findings", { resource: r.resource_id }, valueNode(r.resource_id, 50)) },
      { key: "resource_type", label: "Type" }, { key: "severity", label: "Worst", render: (r) => sevChip(r.severity) },
      { key: "rules", label: "Rules", render: (r) => cell(r.rules) }, { key: "team", render: (r) => tagValue(r.team) },
      { key: "environment", render: (r) => tagValue(r.environment) }, { key: "region" },
      { key: "monthly_savings_usd", label: "Saves / mo", render: (r) => money(r.monthly_savings_usd) }]
      : [{ key: "resource_id", label: "Resource" }, { key: "severity", render: (r) => sevChip(r.severity) },
        { key: "rule" },
        { key: "title", render: (r, a) => valueNode(r.title || ((a.rules || {})[r.rule] || {}).title || "", 70) },
        { key: "team", render: (r) => tagValue(r.team) },
        { key: "environment", render: (r) => tagValue(r.environment) }, { key: "region" },
        { key: "monthly_savings_usd", label: "Saves / mo", render: (r) => money(r.monthly_savings_usd) }]),
    summary: (a, p) => findingsSummary(a, p),
    detail: (row, a) => findingDetail(row, a),
    flatten: (r) => ({ ...r, evidence: r.evidence ? JSON.stringify(r.evidence) : "" }),
  });

  function findingsSummary(a, p) {
      const s = a.summary || {};
      const by = s.by_severity || {};
      const cats = s.by_category || {};
      return el("div", { class: "summary-row" },
        el("div", { class: "stat" }, el("b", { "data-testid": "findings-count", "data-value": a.total,
          text: nf.format(a.total) }), el("span", { text: `findings on ${plural(s.resources || 0, "resource")}` })),
        el("div", { class: "chips", role: "group", "aria-label": "By severity" }, SEVERITIES.filter((k) => by[k])
          .map((k) => drill("findings", { ...p, severity: k }, [el("b", { text: nf.format(by[k]) }), ` ${k}`],
            { class: `chip drill sev-${k}`, "data-testid": `findings-sev-${k}`, "data-value": by[k] }))),
        el("div", { class: "chips", role: "group", "aria-label": "By category" }, CATEGORIES.filter((k) => cats[k])
          .map((k) => drill("findings", { ...p, category: k }, [el("b", { text: nf.format(cats[k]) }), ` ${k}`],
            { class: "chip drill", "data-testid": `findings-cat-${k}` }))));
  }

  function findingDetail(row, a) {
      const rule = { ...((a.rules || {})[row.rule] || {}), ...row };
      return el("div", { class: "finding-detail" },
        el("div", { class: "finding-head" }, sevChip(row.severity), el("strong", { text: rule.title || row.rule })),
        el("div", { class: "finding-meta", text: `${row.rule} · ${row.category} · ${row.resource_type}` }),
        el("h4", { text: "Evidence" }),
        kv(Object.entries(row.evidence || {})),
        el("h4", { text: "Remediation" }),
        el("p", { class: "finding-fix", "data-testid": "finding-remediation", text: rule.remediation || "—" }),
        rule.prowler_check ? el("p", { class: "muted", text: `Prowler check: ${rule.prowler_check}` }) : null,
        kv([["account", row.account], ["region", row.region], ["team", row.team ?? UNTAGGED],
          ["environment", row.environment ?? UNTAGGED], ["application", row.application]]));
  }

  // Group by rule: counted over every matching finding, each rule a drill-down to its findings.
  const findingsByRule = tableView({
    name: "findings", title: "Findings", tool: "get_findings", key: "rule", filters: FINDING_FILTERS,
    blurb: "Every rule that fired, by severity; open a finding for its evidence and remediation.",
    staticOptions: teamOptions,
    args: (p) => p,
    loadAll: async (args) => {
      const { rows, answer } = await fetchAll("get_findings", args);
      return { ...answer, items: rows };
    },
    exportAll: async (args) => {
      const { rows } = await fetchAll("get_findings", args);
      return { rows: ruleRows(rows) };
    },
    rows: (a) => ruleRows(a.items, a.rules),
    total: (a, rows) => rows.length,
    columns: () => [{ key: "rule", render: (r) => drill("findings", { rule: r.rule }, valueNode(r.rule)) },
      { key: "title", render: (r) => valueNode(r.title || "", 70) },
      { key: "severity", render: (r) => sevChip(r.severity) }, { key: "category" },
      { key: "findings", label: "Findings" }, { key: "resources", label: "Resources" },
      { key: "monthly_savings_usd", label: "Saves / mo", render: (r) => money(r.monthly_savings_usd) }],
    summary: (a, p) => findingsSummary(a, p),
  });

  function ruleRows(items, rules) {
    const out = new Map();
    for (const f of items) {
      const r = out.get(f.rule) || { rule: f.rule, title: ((rules || {})[f.rule] || {}).title, severity: f.severity,
        category: f.category, findings: 0, resources: new Set(), monthly_savings_usd: null };
      r.findings += 1;
      r.resources.add(`${f.resource_type}/${f.account}/${f.region}/${f.resource_id}`);
      if (f.monthly_savings_usd) r.monthly_savings_usd = (r.monthly_savings_usd || 0) + f.monthly_savings_usd;
      if (SEVERITIES.indexOf(f.severity) < SEVERITIES.indexOf(r.severity)) r.severity = f.severity;
      out.set(f.rule, r);
    }
    return [...out.values()].map((r) => ({ ...r, resources: r.resources.size,
      monthly_savings_usd: r.monthly_savings_usd === null ? null : Math.round(r.monthly_savings_usd * 100) / 100 }))
      .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || b.findings - a.findings);
  }

  function boundOf(how) {
    const text = String(how || "");
    if (/upper bound/i.test(text)) return "upper bound";
    if (/lower bound/i.test(text)) return "lower bound";
    return text ? "estimate" : "—";
  }
  const howOf = (r) => r.how || (r.evidence && r.evidence.how) || "";

  const savingsView = tableView({
    name: "savings", title: "Savings", tool: "find_cost_savings", key: "resource_id",
    blurb: "Estimated USD per month, each with how it was computed and whether it is a lower or an upper bound.",
    filters: [{ name: "rule" }, { name: "team" }, { name: "environment" }, { name: "region" }, { name: "account" },
      { name: "min_savings_usd", label: "At least (USD/mo)", type: "number", placeholder: "0" }],
    staticOptions: teamOptions,
    options: (a) => ({ rule: Object.keys(a.by_rule || {}).sort() }),
    args: (p) => ({ ...p, detail: true }),
    columns: () => [{ key: "resource_id", label: "Resource" }, { key: "rule" },
      { key: "monthly_savings_usd", label: "Saves / mo", render: (r) => money(r.monthly_savings_usd) },
      { key: "action", render: (r) => valueNode(r.action || "", 50) },
      { key: "how", label: "How computed", render: (r) => valueNode(howOf(r), 90) },
      { key: "bound", label: "Bound", render: (r) => el("span", { class: "chip", text: boundOf(howOf(r)) }) },
      { key: "team", render: (r) => tagValue(r.team) }, { key: "environment", render: (r) => tagValue(r.environment) }],
    summary: (a, p) => [
      el("div", { class: "summary-row" }, el("div", { class: "stat" }, el("b", { "data-testid": "savings-total",
        "data-value": a.total_monthly_savings_usd, text: `${usd.format(a.total_monthly_savings_usd || 0)}/mo` }),
      el("span", { text: `from ${plural(a.total || 0, "opportunity", "opportunities")}${
        a.savings_pct_of_spend ? ` · ${a.savings_pct_of_spend}% of spend` : ""}` }))),
      el("div", { class: "charts" },
        bars("By rule", Object.entries(a.by_rule || {}).map(([k, v]) => [k, v.monthly_usd, plural(v.count, "row")]),
          (k) => ["savings", { ...p, rule: k }], (v) => usd.format(v), "savings-by-rule"),
        bars("By team", Object.entries(a.by_team || {}), (k) => ["savings", { ...p, team: k }], (v) => usd.format(v),
          "savings-by-team"))],
    detail: (row, a) => el("div", {},
      kv([["rule", row.rule], ["monthly_savings_usd", row.monthly_savings_usd], ["action", row.action],
        ["how", howOf(row)], ["bound", boundOf(howOf(row))], ["account", row.account], ["region", row.region]]),
      el("h4", { text: "Evidence" }), kv(Object.entries(row.evidence || {})),
      el("h4", { text: "Remediation" }),
      el("p", { class: "finding-fix", text: ((a.rules || {})[row.rule] || {}).remediation || "—" })),
    flatten: (r) => ({ ...r, how: howOf(r), bound: boundOf(howOf(r)),
      evidence: r.evidence ? JSON.stringify(r.evidence) : "" }),
  });

  // The Extended Support bill of the next 12 months at today's monthly charges: rows in Extended Support until
  // their major's end of Extended Support, rows ending soon from their end of standard support (the tool
  // carries their projected charge). Year-3 price steps are not included.
  const MONTH_MS = 1000 * 60 * 60 * 24 * 30.4375;
  function projectedBill(rows, asOf) {
    const start = new Date(`${asOf || new Date().toISOString().slice(0, 10)}T00:00:00Z`).getTime();
    const horizon = start + 12 * MONTH_MS;
    let total = 0;
    for (const r of rows) {
      const monthly = Number(r.extended_support_monthly_usd) || 0;
      if (!monthly || !["extended_support", "ending_soon"].includes(r.status)) continue;
      const from = r.status === "ending_soon" && r.end_of_standard_support
        ? Math.max(start, new Date(`${r.end_of_standard_support}T00:00:00Z`).getTime()) : start;
      const to = r.end_of_extended_support
        ? Math.min(horizon, new Date(`${r.end_of_extended_support}T00:00:00Z`).getTime()) : horizon;
      total += monthly * Math.max(0, (to - from) / MONTH_MS);
    }
    return total;
  }

  function projectedNode() {
    const node = el("b", { "data-testid": "versions-bill-projected", text: "…" });
    if (state.versionsAll) {
      state.versionsAll.then(({ rows, answer }) => {
        const projected = projectedBill(rows, answer.as_of);
        node.textContent = usd.format(projected);
        node.dataset.value = projected.toFixed(2);
      }).catch(() => { node.textContent = "—"; });
    }
    return node;
  }

  const versionsView = tableView({
    name: "versions", title: "Versions", tool: "check_version_compliance", key: "resource_id",
    blurb: "Engine support status per instance or cluster, the support calendar and the Extended Support bill.",
    filters: [{ name: "status", options: SUPPORT.map(([k, t]) => [k, t]) }, { name: "engine" }, { name: "team" },
      { name: "environment" }, { name: "region" },
      { name: "months_ahead", label: "Ending soon within (months)", type: "number", placeholder: "6" }],
    staticOptions: teamOptions,
    args: (p) => p,
    columns: () => [{ key: "resource_id", label: "Resource" }, { key: "engine" }, { key: "engine_version" },
      { key: "status", render: (r) => el("span", { class: `chip sup-${r.status}`, text: label(r.status || "") }) },
      { key: "end_of_standard_support", label: "Standard support ends" },
      { key: "end_of_extended_support", label: "Extended Support ends" },
      { key: "extended_support_monthly_usd", label: "Ext. Support / mo",
        render: (r) => money(r.extended_support_monthly_usd) },
      { key: "upgrade_target", label: "Upgrade to" }, { key: "team", render: (r) => tagValue(r.team) },
      { key: "environment", render: (r) => tagValue(r.environment) }],
    summary: (a, p) => {
      const engines = Object.entries(a.by_engine || {});
      const matrix = el("table", { class: "data-table matrix", "data-testid": "versions-matrix" },
        el("caption", { text: "Support status by engine (select a count to see its rows)" }),
        el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Engine" }),
          SUPPORT.map(([, t]) => el("th", { scope: "col", text: t })))),
        el("tbody", {}, engines.map(([engine, counts]) => el("tr", {}, el("th", { scope: "row" }, valueNode(engine)),
          SUPPORT_KEYS.map((k) => el("td", {}, counts[k] ? drill("versions", { ...p, engine, status: k },
            nf.format(counts[k]), { "data-testid": `versions-cell-${engine}-${k}`, class: `drill chip sup-${k}` })
            : el("span", { class: "muted", text: "·" })))))));
      return [el("div", { class: "summary-row" },
        el("div", { class: "stat" }, el("b", { "data-testid": "versions-bill-now",
          "data-value": a.extended_support_monthly_usd, text: `${usd.format(a.extended_support_monthly_usd || 0)}/mo` }),
        el("span", { text: "Extended Support billed now" })),
        el("div", { class: "stat" }, projectedNode(), el("span", { text: "next 12 months at today's rates" })),
        el("div", { class: "chips" }, SUPPORT.map(([k, t]) => drill("versions", { ...p, status: k },
          [el("b", { text: nf.format((a.by_status || {})[k] || 0) }), ` ${t}`],
          { class: `chip drill sup-${k}`, "data-testid": `versions-status-${k}` })))),
      el("div", { class: "table-wrap matrix-wrap" }, matrix)];
    },
    // the calendar and the projection need every matching row: one more paged read, shown below the table
    extraBelow: true,
    extra: (box, p) => {
      const calendar = el("section", { class: "chart-card calendar", "data-testid": "versions-calendar" },
        el("h3", { text: "Support calendar" }), el("div", { class: "skeleton" }));
      box.append(calendar);
      state.versionsAll = fetchAll("check_version_compliance", knownArgs("check_version_compliance", p));
      state.versionsAll.then(({ rows }) => {
        const majors = new Map();
        for (const r of rows) {
          const key = `${r.engine} ${r.major}`;
          const m = majors.get(key) || { engine: r.engine, major: r.major, std: r.end_of_standard_support,
            ext: r.end_of_extended_support, status: r.status, count: 0 };
          m.count += 1;
          majors.set(key, m);
        }
        const list = [...majors.values()].sort((x, y) => String(x.std || "9999").localeCompare(String(y.std || "9999")));
        clear(calendar).append(el("h3", { text: "Support calendar" }), el("table", { class: "data-table" },
          el("caption", { class: "sr-only", text: "Support calendar by engine and major version" }),
          el("thead", {}, el("tr", {}, ["Engine major", "Resources", "Status", "Standard support ends",
            "Extended Support ends"].map((h) => el("th", { scope: "col", text: h })))),
          el("tbody", {}, list.map((m) => el("tr", {},
            el("th", { scope: "row" }, drill("versions", { ...p, engine: m.engine }, `${m.engine} ${m.major}`)),
            el("td", { text: nf.format(m.count) }),
            el("td", {}, el("span", { class: `chip sup-${m.status}`, text: label(m.status || "") })),
            el("td", { text: m.std || "—" }), el("td", { text: m.ext || "—" }))))));
      }).catch((err) => clear(calendar).append(errorBox(err, "Support calendar")));
    },
    detail: (row) => kv(Object.entries(row)),
  });

  const SNAPSHOT_CARDS = [
    ["public", "Public", { public: "true" }, "restorable by any AWS account"],
    ["shared", "Shared", { shared: "true" }, "restorable by other accounts"],
    ["old", "Older than 90 days", { older_than_days: "90" }, "created more than 90 days ago"],
    ["unencrypted", "Unencrypted", { encrypted: "false" }, "storage not encrypted"],
  ];
  const YES_NO = [["true", "Yes"], ["false", "No"]];

  const snapshotsView = tableView({
    name: "snapshots", title: "Snapshots", tool: "list_db_snapshots", key: "identifier",
    blurb: "Instance and cluster snapshots: public, shared, old and unencrypted ones first.",
    filters: [{ name: "public", options: YES_NO }, { name: "shared", options: YES_NO },
      { name: "encrypted", options: YES_NO }, { name: "older_than_days", label: "Older than (days)", type: "number" },
      { name: "snapshot_type", label: "Type", options: ["manual", "automated", "awsbackup"] },
      { name: "kind", options: ["instance", "cluster"] }, { name: "engine" }, { name: "team" },
      { name: "environment" }, { name: "q", label: "Search", placeholder: "identifier, source" }],
    staticOptions: teamOptions,
    args: (p) => p,
    columns: () => [{ key: "identifier" }, { key: "source_id", label: "Source" }, { key: "engine" },
      { key: "snapshot_type", label: "Type" }, { key: "public" }, { key: "shared_with", label: "Shared with" },
      { key: "encrypted" }, { key: "age_days", label: "Age (days)" }, { key: "allocated_gb" }, { key: "account" },
      { key: "region" }],
    extra: (box, p) => {
      const cards = el("div", { class: "cards", "data-testid": "snapshot-cards" });
      box.append(cards);
      for (const [key, title, filter, sub] of SNAPSHOT_CARDS) {
        const known = toolParams("list_db_snapshots");
        if (state.schema && !Object.keys(filter).every((k) => known[k])) continue;
        const value = el("div", { class: "big-number", "data-testid": `snapshots-card-${key}`, text: "…" });
        cards.append(drill("snapshots", filter, el("article", { class: "card card-link" },
          el("h3", { class: "card-title", text: title }), value, el("div", { class: "card-sub", text: sub }))));
        callTool("list_db_snapshots", { ...typedArgs(filter, known), limit: 1 }).then((a) => {
          value.textContent = nf.format(a.total);
          value.dataset.value = a.total;
        }).catch((err) => { value.textContent = "—"; value.title = err.message; });
      }
    },
    detail: (row) => kv(Object.entries(row)),
  });

  // Reserved instances: the columns of whatever the tool answers (list_reserved_instances, when the server has it).
  const reservedView = tableView({
    name: "reserved", title: "Reserved instances", tool: "list_reserved_instances", key: null,
    blurb: "RDS reservations: what is reserved, until when, and how much of it is used.",
    filters: [{ name: "team" }, { name: "environment" }, { name: "region" }, { name: "account" }],
    staticOptions: teamOptions,
    args: (p) => p,
    columns: (p, rows) => Object.keys(rows[0] || {}).filter((k) => rows.every((r) => r[k] === null
      || typeof r[k] !== "object" || Array.isArray(r[k]))).map((key) => ({ key })),
  });

  // Changes: the stored collections as a timeline (each one narrows the table to what it changed) and the
  // changes between two of them, of resources or of findings (opened, resolved).
  const CHANGE_KINDS = ["added", "removed", "modified", "opened", "resolved"];
  const changesView = tableView({
    name: "changes", title: "Changes", tool: "get_changes", key: "resource_id",
    blurb: "What changed between two collections of the inventory: resources added, removed and modified, "
      + "findings opened and resolved.",
    filters: [{ name: "since", placeholder: "7d, 2026-11-01 or a snapshot id" },
      { name: "until", placeholder: "latest" },
      { name: "view", label: "Changes of", any: "Resources", options: [["findings", "Findings"]] },
      { name: "change", options: CHANGE_KINDS }, { name: "resource_type", label: "Resource type" },
      { name: "team" }, { name: "environment" }, { name: "engine" }, { name: "region" }],
    staticOptions: teamOptions,
    options: (a) => ({ resource_type: Object.keys(a.summary || {}).sort() }),
    args: (p) => p,
    columns: (p) => (p.get("view") === "findings"
      ? [{ key: "resource_id", label: "Resource" },
        { key: "change", render: (r) => el("span", { class: `chip chg-${r.change}`, text: r.change }) },
        { key: "severity", render: (r) => sevChip(r.severity) }, { key: "rule" },
        { key: "resource_type", label: "Type" }, { key: "team", render: (r) => tagValue(r.team) },
        { key: "environment", render: (r) => tagValue(r.environment) }, { key: "region" }]
      : [{ key: "resource_id", label: "Resource" },
        { key: "change", render: (r) => el("span", { class: `chip chg-${r.change}`, text: r.change }) },
        { key: "resource_type", label: "Type" }, { key: "team", render: (r) => tagValue(r.team) },
        { key: "environment", render: (r) => tagValue(r.environment) }, { key: "region" },
        { key: "fields", label: "Changed fields", render: (r) => valueNode(Object.entries(r.fields || {})
          .map(([f, [a, b]]) => `${f}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`).join("; "), 100) }]),
    summary: (a, p) => {
      const when = (ref) => String((ref || {}).collected_at || "").slice(0, 16).replace("T", " ");
      const kinds = Object.entries(a.summary || {});
      const found = a.findings_summary || {};
      return el("div", { class: "summary-row" },
        el("div", { class: "stat" }, el("b", { "data-testid": "changes-total", "data-value": a.total,
          text: nf.format(a.total) }), el("span", { text: `changes from ${when(a.from_snapshot)} to ${
          when(a.to_snapshot)}` })),
        el("div", { class: "chips", role: "group", "aria-label": "Resource changes" }, kinds.flatMap(([kind, c]) =>
          ["added", "removed", "modified"].filter((x) => c[x]).map((x) => drill("changes", { ...p, view: null,
            resource_type: kind, change: x }, `${label(kind)}: ${c[x]} ${x}`,
          { class: `chip drill chg-${x}`, "data-testid": `changes-${kind}-${x}` })))),
        el("div", { class: "chips", role: "group", "aria-label": "Finding changes" }, ["opened", "resolved"]
          .filter((x) => found[x]).map((x) => {
            const n = Object.values(found[x]).reduce((acc, v) => acc + v, 0);
            return drill("changes", { ...p, view: "findings", resource_type: null, change: x },
              `${nf.format(n)} findings ${x}`, { class: `chip drill chg-${x}`, "data-testid": `changes-findings-${x}` });
          })));
    },
    extra: (box) => {
      const caption = "Collections over time: records per collection (select one to see what it changed)";
      const timeline = el("figure", { class: "chart-card timeline", "data-testid": "changes-timeline" },
        el("figcaption", { text: caption }), el("div", { class: "skeleton" }));
      box.append(timeline);
      fetchAll("list_snapshots", {}).then(({ rows }) => {
        const snaps = rows.slice().reverse(); // oldest first
        const max = Math.max(1, ...snaps.map((s) => s.records || 0));
        const min = Math.min(...snaps.map((s) => s.records || 0));
        const list = el("ol", { class: "timeline-list" });
        snaps.forEach((s, i) => {
          const before = snaps[i - 1];
          const day = String(s.collected_at).slice(5, 10);
          const bar = el("i", { class: "timeline-bar" });
          bar.style.height = `${8 + (40 * ((s.records || 0) - min)) / Math.max(1, max - min)}px`;
          const body = [bar, el("span", { text: day })];
          list.append(el("li", {}, before ? drill("changes", { since: before.snapshot_id, until: s.snapshot_id },
            body, { title: `${s.collected_at}: ${nf.format(s.records)} records`, "data-testid": "timeline-point",
              "aria-label": `Changes of ${String(s.collected_at).slice(0, 10)} (${nf.format(s.records)} records)` })
            : el("span", { class: "timeline-first", title: `${s.collected_at}: first stored collection` }, body)));
        });
        clear(timeline).append(el("figcaption", { text: caption }),
          snaps.length ? list : el("p", { class: "muted", text: "No collection stored yet." }));
      }).catch((err) => clear(timeline).append(errorBox(err, "History")));
    },
    flatten: (r) => ({ ...r, fields: r.fields ? JSON.stringify(r.fields) : "" }),
  });

  // name -> [the tool the tab needs, mount]
  const VIEWS = {
    findings: ["get_findings", (root, ctx) => {
      // grouping by rule is a different table over the same tool: switch mounts when it changes
      let mode = null;
      let current = null;
      return { update(params) {
        const want = params.get("group") === "rule" ? "rule" : "plain";
        if (want !== mode) {
          clear(root);
          mode = want;
          current = (want === "rule" ? findingsByRule : findingsView)(root, ctx);
        }
        return current.update(params);
      } };
    }],
    savings: ["find_cost_savings", savingsView],
    versions: ["check_version_compliance", versionsView],
    snapshots: ["list_db_snapshots", snapshotsView],
    reserved: ["list_reserved_instances", reservedView],
    changes: ["get_changes", changesView],
  };

  // ---------- safe Markdown ----------
  function safeHref(url) {
    try {
      const u = new URL(url, window.location.origin);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (err) { return null; }
  }

  function inline(text) {
    const out = [];
    const re = /(`[^`]+`)|(\*\*[^*]+\*\*|__[^_]+__)|(\*[^*\s][^*]*\*|_[^_\s][^_]*_)|(\[[^\]]+\]\([^)\s]+\))/g;
    let last = 0;
    let m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) out.push(document.createTextNode(text.slice(last, m.index)));
      const tok = m[0];
      if (m[1]) out.push(el("code", { text: tok.slice(1, -1) }));
      else if (m[2]) out.push(el("strong", {}, inline(tok.slice(2, -2))));
      else if (m[3]) out.push(el("em", {}, inline(tok.slice(1, -1))));
      else {
        const close = tok.indexOf("](");
        const href = safeHref(tok.slice(close + 2, -1));
        const textPart = tok.slice(1, close);
        out.push(href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }, inline(textPart))
          : document.createTextNode(textPart));
      }
      last = m.index + tok.length;
    }
    if (last < text.length) out.push(document.createTextNode(text.slice(last)));
    return out;
  }

  const splitRow = (line) => line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());

  function markdown(source) {
    const root = el("div", { class: "md" });
    const lines = String(source || "").replace(/\r\n?/g, "\n").split("\n");
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      if (/^\s*$/.test(line)) { i += 1; continue; }
      const fence = line.match(/^\s*```/);
      if (fence) {
        const code = [];
        i += 1;
        while (i < lines.length && !/^\s*```/.test(lines[i])) { code.push(lines[i]); i += 1; }
        i += 1;
        root.append(el("pre", {}, el("code", { text: code.join("\n") })));
        continue;
      }
      const heading = line.match(/^(#{1,6})\s+(.*)$/);
      if (heading) {
        root.append(el(`h${Math.min(heading[1].length + 2, 6)}`, {}, inline(heading[2])));
        i += 1;
        continue;
      }
      if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) { root.append(el("hr")); i += 1; continue; }
      if (/^\s*\|.*\|\s*$/.test(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{2,}/.test(lines[i + 1])) {
        const header = splitRow(line);
        i += 2;
        const rows = [];
        while (i < lines.length && /^\s*\|.*\|\s*$/.test(lines[i])) { rows.push(splitRow(lines[i])); i += 1; }
        root.append(el("div", { class: "md-table" }, el("table", {},
          el("thead", {}, el("tr", {}, header.map((h) => el("th", {}, inline(h))))),
          el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, inline(c)))))))));
        continue;
      }
      if (/^\s*>/.test(line)) {
        const quote = [];
        while (i < lines.length && /^\s*>/.test(lines[i])) { quote.push(lines[i].replace(/^\s*>\s?/, "")); i += 1; }
        root.append(el("blockquote", {}, inline(quote.join(" "))));
        continue;
      }
      const bullet = /^\s*[-*+]\s+/;
      const numbered = /^\s*\d+[.)]\s+/;
      if (bullet.test(line) || numbered.test(line)) {
        const ordered = numbered.test(line);
        const pattern = ordered ? numbered : bullet;
        const list = el(ordered ? "ol" : "ul");
        while (i < lines.length && pattern.test(lines[i])) {
          let item = lines[i].replace(pattern, "");
          i += 1;
          while (i < lines.length && /^\s{2,}\S/.test(lines[i]) && !pattern.test(lines[i])) {
            item += ` ${lines[i].trim()}`;
            i += 1;
          }
          list.append(el("li", {}, inline(item)));
        }
        root.append(list);
        continue;
      }
      const para = [line.trim()];
      i += 1;
      while (i < lines.length && lines[i].trim() && !/^(#{1,6}\s|\s*```|\s*[-*+]\s|\s*\d+[.)]\s|\s*>|\s*\|)/
        .test(lines[i])) { para.push(lines[i].trim()); i += 1; }
      root.append(el("p", {}, inline(para.join(" "))));
    }
    return root;
  }

  // ---------- chat ----------
  async function initChat() {
    const input = $("chat-input");
    $("chat-form").addEventListener("submit", (ev) => { ev.preventDefault(); send(); });
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); send(); }
    });
    $("chat-reset").addEventListener("click", () => {
      state.history = [];
      for (const node of [...$("messages").children]) if (node.id !== "empty-chat") node.remove();
      $("empty-chat").hidden = false;
    });
    const cards = $("prompt-cards");
    cards.append(el("div", { class: "skeleton" }));
    api("/api/v1/prompts").then((res) => {
      clear(cards);
      const items = res.items || [];
      if (!items.length) cards.append(el("p", { class: "muted", text: "The server offers no prompts." }));
      // A card shows the question; choosing it puts the question in the box, and sending it runs the prompt
      // (its full text is sent, and shown on demand, never pasted into the box).
      for (const p of items) {
        const question = p.question || p.title;
        cards.append(el("div", { class: "demo-item" },
          el("button", { type: "button", class: "demo-card", "data-testid": `demo-${p.name}`,
            onclick: () => { state.prompt = { question, text: p.text, name: p.name }; input.value = question;
              input.focus(); } },
          el("strong", { text: question }), el("span", { text: p.title })),
          el("details", { class: "prompt-text", "data-testid": `prompt-text-${p.name}` },
            el("summary", { text: "Show the prompt" }), el("pre", {}, el("code", { text: p.text })))));
      }
    }).catch((err) => clear(cards).append(errorBox(err, "Demo queries")));
    api("/api/v1/chat/status").then((s) => { if (!s.ready) showNotice(s.error, s.fix); }).catch(() => {});
  }

  function showNotice(message, fix) {
    const notice = clear($("chat-notice"));
    notice.hidden = false;
    notice.append(el("strong", { text: message }));
    if (fix) notice.append(el("div", { class: "fix", text: fix }));
  }

  function addMessage(role, ...children) {
    $("empty-chat").hidden = true;
    const node = el("div", { class: `msg msg-${role}`, "data-role": role },
      el("div", { class: "msg-role", text: role === "user" ? "You" : "Assistant" }), ...children);
    $("messages").append(node);
    node.scrollIntoView({ block: "end" });
    return node;
  }

  const toolMs = (call) => (call.duration_ms === undefined ? "running…"
    : `${nf.format(Math.round(call.duration_ms || 0))} ms`);

  // One tool call, collapsed: name, duration (or "running…"), error chip; arguments (redacted by the server)
  // and any error text inside.
  function toolCallView(call) {
    const node = el("details", { class: "tool-call", "data-testid": "tool-call" },
      el("summary", {}, el("span", { class: "tool-name", text: call.name }), el("span", { class: "tool-ms" })));
    let args = "";
    try { args = JSON.stringify(call.arguments || {}, null, 2); } catch (err) { args = String(call.arguments); }
    node.append(el("pre", {}, el("code", { text: args })));
    updateToolCall(node, call);
    return node;
  }

  function updateToolCall(node, call) {
    const running = call.duration_ms === undefined;
    node.classList.toggle("is-running", running);
    node.classList.toggle("is-error", Boolean(call.is_error));
    node.querySelector(".tool-ms").textContent = toolMs(call);
    if (call.is_error && !node.querySelector(".chip")) {
      node.querySelector("summary").append(el("span", { class: "chip sev-high", text: "error" }));
    }
    if (call.error && !node.querySelector(".tool-error")) {
      node.append(el("div", { class: "tool-error", text: call.error }));
    }
  }

  // The streamed part of an assistant message: tool calls as they start and end, the model's text as it
  // arrives (rendered as Markdown, at most once per frame), and a status line.
  function liveView(pending) {
    const status = pending.querySelector(".typing");
    const calls = el("div", { class: "tool-calls", hidden: true });
    const live = el("div", { class: "answer answer-live", "data-testid": "answer-stream" });
    status.before(calls, live);
    const nodes = new Map();
    let text = "";
    let turnStart = 0;
    let scheduled = false;
    let running = 0;
    const render = () => {
      scheduled = false;
      clear(live).append(markdown(text));
      const box = $("messages");
      if (box.scrollHeight - box.scrollTop - box.clientHeight < 160) box.scrollTop = box.scrollHeight;
    };
    const schedule = () => { if (!scheduled) { scheduled = true; requestAnimationFrame(render); } };
    return (event) => {
      if (event.type === "turn") {
        if (text && !text.endsWith("\n\n")) text += "\n\n";
        turnStart = text.length;
        status.textContent = running ? status.textContent : "Thinking…";
      } else if (event.type === "text") {
        text += event.text || "";
        status.textContent = "Writing…";
        schedule();
      } else if (event.type === "retry") {  // the turn's text is sent again
        text = text.slice(0, turnStart);
        status.textContent = `The model API is busy (HTTP ${event.status}); retrying in ${
          Number(event.wait_s).toFixed(1)} s…`;
        schedule();
      } else if (event.type === "tool_start") {
        calls.hidden = false;
        const node = toolCallView(event);
        nodes.set(event.id, node);
        calls.append(node);
        running += 1;
        status.textContent = `Calling ${plural(running, "tool")}…`;
      } else if (event.type === "tool_end") {
        const node = nodes.get(event.id);
        if (node) updateToolCall(node, event);
        running = Math.max(0, running - 1);
        status.textContent = running ? `Calling ${plural(running, "tool")}…` : "Thinking…";
      }
    };
  }

  class StreamUnavailable extends Error {
    constructor(message, permanent) { super(message); this.permanent = Boolean(permanent); }
  }

  function parseEvent(block) {
    const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart());
    if (!data.length) return null;
    try { return JSON.parse(data.join("\n")); } catch (err) { return null; }
  }

  // POST /api/v1/chat/stream read with fetch + ReadableStream: each event goes to `onEvent`; resolves to
  // the `done` event ({answer, tool_calls}). Throws ApiError when the server refused the question (no key,
  // API refused) and StreamUnavailable when streaming itself failed (the caller falls back to a plain POST).
  async function streamTurn(payload, onEvent) {
    let response;
    try {
      response = await fetch("/api/v1/chat/stream", { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream" }, body: JSON.stringify(payload) });
    } catch (err) {
      throw new StreamUnavailable("the stream could not be opened");
    }
    if (!response.ok) {
      let body = null;
      try { body = await response.json(); } catch (err) { body = null; }
      if (body && body.error && ![404, 405, 501].includes(response.status)) {
        throw new ApiError(response.status, body.error, body.fix);
      }
      throw new StreamUnavailable(`HTTP ${response.status}`, [404, 405, 501].includes(response.status));
    }
    if (!(response.headers.get("content-type") || "").startsWith("text/event-stream") || !response.body) {
      throw new StreamUnavailable("the answer was not an event stream", true);
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      let chunk;
      try { chunk = await reader.read(); } catch (err) { break; }
      if (chunk.done) break;
      buffer += chunk.value.replace(/\r\n?/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const event = parseEvent(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
        if (!event) continue;
        if (event.type === "done") return event;
        if (event.type === "error") throw new ApiError(502, event.error, event.fix);
        onEvent(event);
      }
    }
    throw new StreamUnavailable("the stream ended before the answer");
  }

  function postTurn(payload) {
    return api("/infrastructure-ai", null, { method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(payload) });
  }

  // The final answer; tool calls already streamed stay (with their error texts), others are listed now.
  function showAnswer(pending, res) {
    for (const node of pending.querySelectorAll(".typing, .answer-live")) node.remove();
    const streamed = pending.querySelector(".tool-calls");
    if (streamed && !streamed.children.length) streamed.remove();
    const calls = res.tool_calls || [];
    if (!pending.querySelector(".tool-calls") && calls.length) {
      pending.append(el("div", { class: "tool-calls" }, calls.map(toolCallView)));
    }
    pending.append(el("div", { class: "answer", "data-testid": "answer" }, markdown(res.answer)));
  }

  async function send() {
    const input = $("chat-input");
    const query = input.value.trim();
    if (!query || state.busy) return;
    state.busy = true;
    $("chat-send").disabled = true;
    input.value = "";
    const prompt = state.prompt && state.prompt.question === query ? state.prompt : null; // a demo question
    state.prompt = null;
    addMessage("user", el("div", { class: "msg-text", text: query }), prompt ? el("details", { class: "prompt-text",
      "data-testid": "sent-prompt" }, el("summary", { text: "The prompt sent" }),
    el("pre", {}, el("code", { text: prompt.text }))) : null);
    const working = () => el("div", { class: "typing", text: "Thinking…" });
    let pending = addMessage("assistant", working());
    const sent = prompt ? prompt.text : query;
    const payload = { query: sent, history: state.history.slice(-40) }; // the server reads the last 40 turns
    try {
      let res = null;
      if (!state.noStream) {
        try {
          res = await streamTurn(payload, liveView(pending));
        } catch (err) {
          if (!(err instanceof StreamUnavailable)) throw err;
          if (err.permanent) state.noStream = true;
          console.warn(`streaming failed (${err.message}); asking without streaming`);
          pending.remove();
          pending = addMessage("assistant", working());
        }
      }
      if (!res) res = await postTurn(payload);
      showAnswer(pending, res);
      state.history.push({ role: "user", content: sent }, { role: "assistant", content: res.answer || "" });
      $("chat-notice").hidden = true;
    } catch (err) {
      pending.remove();
      input.value = query;
      if (prompt) state.prompt = prompt; // a retry of the demo question runs its prompt again
      showNotice(err.message, err.fix);
    } finally {
      state.busy = false;
      $("chat-send").disabled = false;
    }
  }

  // ---------- start ----------
  async function start() {
    const alone = new URLSearchParams(window.location.search).get("view") || window.awsinvData.view;
    if (alone && TABS.includes(alone)) {
      state.standalone = alone;
      document.body.classList.add("standalone");
    }
    for (const tab of TABS) {
      $(`tab-${tab}`).addEventListener("click", () => navigate(tab, {}));
      $(`tab-${tab}`).addEventListener("keydown", tabKeys);
    }
    window.addEventListener("hashchange", () => { const r = currentRoute(); showTab(r.tab, r.params); });
    await schemaPromise().catch(() => null); // which tools this server has: absent ones are never called
    if (!state.schema || "get_inventory_summary" in state.schema) summaryPromise().then(showSource).catch(() => {});
    const r = currentRoute();
    showTab(r.tab || state.standalone || "overview", r.params);
  }

  window.awsinvMarkdown = markdown; // exposed for the browser test of the renderer
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
