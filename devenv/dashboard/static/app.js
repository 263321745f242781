// devenv dashboard page: plain JavaScript over the JSON API (/api/...). Hash routes:
// #/resources  #/logs  #/traces  #/traces/<trace_id>  #/metrics
"use strict";

const view = document.getElementById("view");
const COLORS = ["#42a5f5", "#66bb6a", "#ffa726", "#ab47bc", "#26c6da", "#8d6e63", "#ec407a", "#9ccc65"];
let timer = null;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

async function api(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

function time(ns) {
  return new Date(ns / 1e6).toISOString().slice(11, 23);
}

function colorOf(service, services) {
  return COLORS[services.indexOf(service) % COLORS.length];
}

function table(headers, rows) {
  return el("table", {}, el("tr", {}, headers.map((h) => el("th", {}, h))), rows);
}

async function resources() {
  const list = await api("/api/resources");
  view.replaceChildren(
    el("h2", {}, "Resources"),
    table(
      ["Name", "Type", "Kind", "State", "Health", "URLs", "Telemetry"],
      list.map((r) =>
        el("tr", {},
          el("td", {}, r.name), el("td", {}, r.type), el("td", {}, r.kind || r.template || ""),
          el("td", { class: r.state }, r.state), el("td", { class: r.health || "" }, r.health || "-"),
          el("td", {}, (r.urls || []).map((u) => el("div", {}, u.startsWith("http") ? el("a", { href: u, target: "_blank" }, u) : u))),
          el("td", { class: "muted" }, r.last_telemetry ? `${Math.round(Date.now() / 1000 - r.last_telemetry)}s ago` : "-"),
        )),
    ),
  );
  timer = setTimeout(resources, 5000);
}

async function logs() {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const services = (await api("/api/resources")).filter((r) => r.type === "service").map((r) => r.name);
  const service = el("select", {}, el("option", { value: "" }, "all services"), services.map((s) => el("option", { value: s }, s)));
  const level = el("select", {}, ["", "debug", "info", "warn", "error"].map((l) => el("option", { value: l }, l || "any level")));
  const text = el("input", { placeholder: "text" });
  const trace = el("input", { placeholder: "trace id", size: 34 });
  service.value = params.get("service") || "";
  trace.value = params.get("trace_id") || "";
  const body = el("tbody");
  let after = 0;
  const reset = () => { after = 0; body.replaceChildren(); clearTimeout(timer); poll(); };
  for (const input of [service, level]) input.addEventListener("change", reset);
  for (const input of [text, trace]) input.addEventListener("input", reset);
  async function poll() {
    const query = new URLSearchParams({ after, service: service.value, level: level.value, q: text.value, trace_id: trace.value.trim() });
    const found = await api(`/api/logs?${query}`);
    for (const r of found) {
      after = Math.max(after, r.seq);
      body.prepend(el("tr", {},
        el("td", { class: "mono" }, time(r.time)), el("td", {}, r.service), el("td", { class: `lvl-${r.level}` }, r.level),
        el("td", { class: "mono" }, r.body),
        el("td", { class: "mono" }, r.trace_id ? el("a", { href: `#/traces/${r.trace_id}` }, r.trace_id.slice(0, 8)) : ""),
      ));
    }
    while (body.children.length > 1000) body.lastChild.remove();
    timer = setTimeout(poll, 1000);
  }
  view.replaceChildren(el("h2", {}, "Logs"), el("div", { class: "filters" }, service, level, text, trace),
    el("table", {}, el("thead", {}, el("tr", {}, ["Time", "Service", "Level", "Message", "Trace"].map((h) => el("th", {}, h)))), body));
  poll();
}

async function traces() {
  const list = await api("/api/traces");
  view.replaceChildren(
    el("h2", {}, "Traces"),
    table(
      ["Start", "Root", "Services", "Spans", "Duration", ""],
      list.map((t) =>
        el("tr", { class: "clickable", onclick: () => { location.hash = `#/traces/${t.trace_id}`; } },
          el("td", { class: "mono" }, time(t.start)), el("td", {}, t.root), el("td", {}, t.services.join(", ")),
          el("td", {}, t.spans), el("td", {}, `${t.duration_ms.toFixed(1)} ms`),
          el("td", { class: "error" }, t.error ? "error" : ""),
        )),
    ),
  );
  timer = setTimeout(traces, 3000);
}

function ordered(spans) {
  // depth-first by parent, children by start time; spans whose parent is missing are roots
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map();
  for (const s of spans) {
    const parent = s.parent_span_id && ids.has(s.parent_span_id) ? s.parent_span_id : "";
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(s);
  }
  const out = [];
  const visit = (parent, depth) => {
    for (const s of (children.get(parent) || []).sort((a, b) => a.start - b.start)) {
      out.push([s, depth]);
      visit(s.span_id, depth + 1);
    }
  };
  visit("", 0);
  return out;
}

async function waterfall(traceId) {
  const { spans } = await api(`/api/traces/${traceId}`);
  const services = [...new Set(spans.map((s) => s.service))];
  const t0 = Math.min(...spans.map((s) => s.start));
  const total = Math.max(1, Math.max(...spans.map((s) => s.end)) - t0);
  const details = el("div", { class: "details muted" }, "Click a span for its attributes.");
  const rows = ordered(spans).map(([s, depth]) => {
    const bar = el("div", {
      class: `span-bar${s.status === "error" ? " error" : ""}`,
      style: `left:${((s.start - t0) / total) * 100}%;width:${((s.end - s.start) / total) * 100}%;background:${colorOf(s.service, services)}`,
    });
    const row = el("div", { class: `span-row${s.status === "error" ? " error" : ""}`, "data-span": s.span_id, "data-service": s.service },
      el("div", { class: "span-label", style: `padding-left:${depth * 1.1}em`, title: s.name },
        el("span", { class: "svc", style: `color:${colorOf(s.service, services)}` }, s.service), " ", s.name),
      el("div", { class: "span-track" }, bar),
      el("div", { class: "span-dur" }, `${s.duration_ms.toFixed(2)} ms`));
    row.addEventListener("click", () => {
      for (const other of view.querySelectorAll(".span-row.selected")) other.classList.remove("selected");
      row.classList.add("selected");
      const attrs = { kind: s.kind, status: s.status, ...(s.status_message ? { status_message: s.status_message } : {}), ...s.attributes };
      details.className = "details";
      const parts = [
        el("strong", {}, `${s.service}: ${s.name}`), " ", el("span", { class: "mono muted" }, s.span_id),
        el("pre", { class: "mono" }, JSON.stringify(attrs, null, 2)),
      ];
      if (s.events.length) {
        parts.push(el("pre", { class: `mono${s.status === "error" ? " error" : ""}` }, JSON.stringify(s.events, null, 2)));
      }
      details.replaceChildren(...parts);
    });
    return row;
  });
  const errors = spans.filter((s) => s.status === "error").length;
  view.replaceChildren(
    el("h2", {}, "Trace ", el("span", { class: "mono" }, traceId)),
    el("p", { class: "muted" }, `${spans.length} spans from ${services.join(", ")}, ${(total / 1e6).toFixed(1)} ms`,
      errors ? el("span", { class: "error" }, `, ${errors} with errors`) : "", " · ",
      el("a", { href: `#/logs?trace_id=${traceId}` }, "logs of this trace")),
    el("div", { class: "waterfall" }, rows),
    details,
  );
}

async function metrics() {
  const list = await api("/api/metrics");
  view.replaceChildren(
    el("h2", {}, "Metrics (last minute, from server and consumer spans)"),
    table(
      ["Service", "Requests", "Rate /s", "p50 ms", "p95 ms", "p99 ms", "Error rate", "Reported"],
      list.map((m) =>
        el("tr", {},
          el("td", {}, m.service), el("td", {}, m.requests), el("td", {}, m.rate_per_s), el("td", {}, m.p50_ms),
          el("td", {}, m.p95_ms), el("td", {}, m.p99_ms),
          el("td", { class: m.error_rate > 0 ? "error" : "" }, `${(m.error_rate * 100).toFixed(1)}%`),
          el("td", { class: "mono muted" }, m.reported.map((r) => `${r.name}=${Math.round(r.value * 100) / 100}${r.unit ? " " + r.unit : ""}`).join("  ")),
        )),
    ),
  );
  timer = setTimeout(metrics, 5000);
}

async function route() {
  clearTimeout(timer);
  const path = location.hash.replace(/^#\/?/, "").split("?")[0] || "resources";
  const [name, arg] = path.split("/");
  for (const link of document.querySelectorAll("nav a")) link.classList.toggle("active", link.dataset.view === name);
  try {
    if (name === "traces" && arg) await waterfall(arg);
    else await ({ resources, logs, traces, metrics }[name] || resources)();
  } catch (error) {
    view.replaceChildren(el("p", { class: "error" }, String(error)));
  }
  document.body.dataset.ready = path;
  if (window.__devenvReady === undefined) window.__devenvReady = performance.now(); // first view drawn (benchmarks)
}

window.addEventListener("hashchange", route);
route();
