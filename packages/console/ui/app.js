// The console page: hash routes (#/topics, #/topics/NAME, #/groups, #/groups/ID,
// #/brokers) rendered from the console's JSON API. Everything that comes from the cluster
// is put in the page as text (textContent), never as HTML.

const page = document.getElementById("page");
let cluster = null;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "on") for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else if (v !== undefined && v !== null && v !== false)
      e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat())
    if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

function table(testid, headers, rows, numeric = []) {
  return el(
    "table",
    { "data-testid": testid },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        headers.map((h) => el("th", {}, h)),
      ),
    ),
    el(
      "tbody",
      {},
      rows.map((r) =>
        el(
          "tr",
          {},
          r.map((c, i) => el("td", numeric.includes(i) ? { class: "num" } : {}, c ?? "-")),
        ),
      ),
    ),
  );
}

async function api(path, options) {
  const res = await fetch(`/api/${path}`, options);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

const post = (path, body) =>
  api(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

function show(...children) {
  page.replaceChildren(...children);
}

function failed(e) {
  show(el("p", { class: "error", "data-testid": "error" }, e.message));
}

// Bytes arrive as base64; the browser shows them as text, JSON or hex.
function bytes(b64) {
  if (b64 === null) return null;
  const bin = atob(b64);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}
function render(b64, format) {
  const b = bytes(b64);
  if (b === null) return el("span", { class: "muted" }, "null");
  if (format === "hex")
    return el("pre", {}, [...b].map((x) => x.toString(16).padStart(2, "0")).join(" "));
  const text = new TextDecoder().decode(b);
  if (format === "json") {
    try {
      return el("pre", {}, JSON.stringify(JSON.parse(text), null, 2));
    } catch {
      return el("pre", {}, text);
    }
  }
  return el("pre", {}, text);
}

const link = (href, text) => el("a", { href }, text);
const enc = encodeURIComponent;

// A form that writes (only when the console allows writes): `send` gets the form's data
// and returns the line to show in its output, or throws with the API's message.
function writeForm({ title, testid, button, output }, send, ...fields) {
  if (!cluster?.writable) return [];
  const submit = async (ev) => {
    ev.preventDefault();
    const out = ev.target.querySelector("output");
    try {
      out.textContent = await send(new FormData(ev.target));
    } catch (e) {
      out.textContent = e.message;
    }
  };
  return [
    el("h2", {}, title),
    el(
      "form",
      { "data-testid": testid, on: { submit } },
      ...fields,
      el("button", { type: "submit" }, button),
      el("output", { "data-testid": output }),
    ),
  ];
}

async function topicsPage() {
  const topics = await api("topics");
  show(
    el("h1", {}, "Topics"),
    table(
      "topics",
      ["Name", "Partitions", "Replicas"],
      topics.map((t) => [link(`#/topics/${enc(t.name)}`, t.name), t.partitions, t.replicas]),
      [1, 2],
    ),
  );
}

async function topicPage(name) {
  const t = await api(`topics/${enc(name)}`);
  const results = el("div", { "data-testid": "messages" });
  const browseForm = el(
    "form",
    {
      "data-testid": "browse",
      on: {
        submit: async (ev) => {
          ev.preventDefault();
          const f = new FormData(ev.target);
          const q = new URLSearchParams({ partition: f.get("partition"), limit: f.get("limit") });
          if (f.get("from") === "timestamp" && f.get("timestamp"))
            q.set("timestamp", String(Date.parse(f.get("timestamp"))));
          else if (f.get("offset")) q.set("offset", f.get("offset"));
          try {
            const records = await api(`topics/${enc(name)}/messages?${q}`);
            const format = f.get("format");
            results.replaceChildren(
              table(
                "records",
                ["Partition", "Offset", "Timestamp", "Key", "Value", "Headers"],
                records.map((r) => [
                  r.partition,
                  r.offset,
                  new Date(r.timestamp).toISOString(),
                  render(r.key, format),
                  render(r.value, format),
                  r.headers
                    .map(
                      (h) =>
                        `${h.key}=${h.value === null ? "null" : new TextDecoder().decode(bytes(h.value))}`,
                    )
                    .join(", "),
                ]),
                [0, 1],
              ),
            );
          } catch (e) {
            results.replaceChildren(el("p", { class: "error" }, e.message));
          }
        },
      },
    },
    el(
      "label",
      {},
      "Partition",
      el(
        "select",
        { name: "partition" },
        t.partitions.map((p) => el("option", { value: p.partition }, p.partition)),
      ),
    ),
    el(
      "label",
      {},
      "From",
      el(
        "select",
        { name: "from" },
        el("option", { value: "offset" }, "offset"),
        el("option", { value: "timestamp" }, "timestamp"),
      ),
    ),
    el(
      "label",
      {},
      "Offset",
      el("input", { name: "offset", type: "number", min: 0, placeholder: "log start" }),
    ),
    el(
      "label",
      {},
      "Timestamp",
      el("input", { name: "timestamp", type: "datetime-local", step: 1 }),
    ),
    el(
      "label",
      {},
      "Limit",
      el("input", { name: "limit", type: "number", min: 1, max: 500, value: 50 }),
    ),
    el(
      "label",
      {},
      "Show as",
      el(
        "select",
        { name: "format" },
        ["text", "json", "hex"].map((x) => el("option", { value: x }, x)),
      ),
    ),
    el("button", { type: "submit" }, "Load"),
  );
  const produce = writeForm(
    { title: "Produce a record", testid: "produce", button: "Produce", output: "produced" },
    async (f) => {
      const partition = f.get("partition") === "" ? undefined : Number(f.get("partition"));
      const [w] = await post(`topics/${enc(name)}/messages`, {
        key: f.get("key") || null,
        value: f.get("value"),
        partition,
      });
      return `written to partition ${w.partition} at offset ${w.firstOffset}`;
    },
    el("label", {}, "Key", el("input", { name: "key" })),
    el("label", {}, "Value", el("input", { name: "value" })),
    el("label", {}, "Partition", el("input", { name: "partition", type: "number", min: 0 })),
  );
  show(
    el("h1", {}, `Topic ${t.name}`),
    el("p", { class: "muted" }, `id ${t.id}${t.internal ? " · internal" : ""}`),
    el("h2", {}, "Partitions"),
    table(
      "partitions",
      ["Partition", "Leader", "Log start", "High watermark", "Records", "Size (bytes)"],
      t.partitions.map((p) => [
        p.partition,
        p.leader,
        p.logStartOffset,
        p.highWatermark,
        p.highWatermark - p.logStartOffset,
        p.sizeBytes,
      ]),
      [0, 1, 2, 3, 4, 5],
    ),
    el("h2", {}, "Messages"),
    browseForm,
    results,
    ...produce,
    el("h2", {}, "Configs"),
    table(
      "configs",
      ["Name", "Value", "Source"],
      t.configs.map((c) => [c.name, c.sensitive ? "(sensitive)" : c.value, c.source]),
    ),
  );
}

async function groupsPage() {
  const groups = await api("groups");
  show(
    el("h1", {}, "Consumer groups"),
    table(
      "groups",
      ["Group", "Type", "State"],
      groups.map((g) => [link(`#/groups/${enc(g.group)}`, g.group), g.type, g.state]),
    ),
  );
}

function lagChart(samples) {
  const w = 600;
  const h = 160;
  if (samples.length === 0)
    return el("p", { class: "muted", "data-testid": "lag-chart" }, "no lag samples yet");
  const t0 = samples[0].at;
  const t1 = Math.max(samples[samples.length - 1].at, t0 + 1);
  const max = Math.max(1, ...samples.map((s) => s.lag));
  const points = samples
    .map(
      (s) =>
        `${(((s.at - t0) / (t1 - t0)) * (w - 20) + 10).toFixed(1)},${(h - 10 - (s.lag / max) * (h - 20)).toFixed(1)}`,
    )
    .join(" ");
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "chart");
  svg.setAttribute("data-testid", "lag-chart");
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  svg.setAttribute("width", String(w));
  svg.setAttribute("height", String(h));
  const line = document.createElementNS(ns, "polyline");
  line.setAttribute("points", points);
  const title = document.createElementNS(ns, "title");
  title.textContent = `total lag over time, max ${max}`;
  svg.append(title, line);
  return svg;
}

async function groupPage(id) {
  const g = await api(`groups/${enc(id)}`);
  const reset = writeForm(
    { title: "Reset offsets", testid: "seek", button: "Reset", output: "seeked" },
    async (f) => {
      const rs = await post(`groups/${enc(id)}/seek`, {
        to: f.get("to"),
        dryRun: f.get("dryRun") === "on",
      });
      return rs
        .map((r) => `${r.topic}-${r.partition}: ${r.current} -> ${r.target} ${r.status}`)
        .join("; ");
    },
    el(
      "label",
      {},
      "To",
      el("input", { name: "to", value: "start", placeholder: "start, end, an offset or @ms" }),
    ),
    el("label", {}, "Dry run", el("input", { name: "dryRun", type: "checkbox", checked: true })),
  );
  show(
    el("h1", {}, `Group ${g.group}`),
    el(
      "p",
      { "data-testid": "group-summary" },
      `${g.type} · ${g.state} · ${g.members.length} members · total lag ${g.totalLag}`,
    ),
    el("h2", {}, "Lag per partition"),
    table(
      "lag",
      ["Topic", "Partition", "Committed", "End offset", "Lag", "Member"],
      g.partitions.map((p) => [
        p.topic,
        p.partition,
        p.committed < 0 ? null : p.committed,
        p.end,
        p.lag,
        p.memberId,
      ]),
      [1, 2, 3, 4],
    ),
    el("h2", {}, "Total lag over time"),
    lagChart(g.lagHistory),
    el("h2", {}, "Members"),
    table(
      "members",
      ["Member", "Client", "Host", "Assignment"],
      g.members.map((m) => [
        m.memberId,
        m.clientId,
        m.host,
        m.assignment.map((a) => `${a.topic}: ${a.partitions.join(",")}`).join("; "),
      ]),
    ),
    ...reset,
  );
}

async function brokersPage() {
  const c = await api("cluster");
  show(
    el("h1", {}, "Brokers"),
    el("p", {}, `cluster ${c.clusterId ?? "-"} · controller ${c.controllerId}`),
    table(
      "brokers",
      ["Id", "Host", "Port", "Rack"],
      c.brokers.map((b) => [b.controller ? `${b.id} (controller)` : b.id, b.host, b.port, b.rack]),
      [2],
    ),
    el("h2", {}, "Features"),
    table(
      "features",
      ["Name", "Supported", "Finalized"],
      c.features.map((f) => [f.name, `${f.supportedMin}-${f.supportedMax}`, f.finalized]),
    ),
    el("h2", {}, "Settings"),
    table(
      "settings",
      ["Name", "Value", "Source"],
      c.settings.map((s) => [s.name, s.sensitive ? "(sensitive)" : s.value, s.source]),
    ),
  );
}

async function route() {
  const [, section = "topics", id] = location.hash.replace(/^#/, "").split("/");
  for (const a of document.querySelectorAll("[data-nav]"))
    a.classList.toggle("active", a.dataset.nav === section);
  try {
    if (cluster === null) {
      cluster = await api("cluster");
      document.getElementById("cluster").textContent =
        `cluster ${cluster.clusterId ?? "-"}${cluster.writable ? " · writes allowed" : " · read-only"}`;
    }
    if (section === "topics" && id) await topicPage(decodeURIComponent(id));
    else if (section === "groups" && id) await groupPage(decodeURIComponent(id));
    else if (section === "groups") await groupsPage();
    else if (section === "brokers") await brokersPage();
    else await topicsPage();
  } catch (e) {
    failed(e);
  }
}

window.addEventListener("hashchange", route);
route();
