// eckg web page: screening form, decision and "why", measure timeline, party and item views.
// Plain JavaScript, no build step; every text is inserted as text (never as HTML).
"use strict";

const OUTCOME_LABEL = { prohibited: "Prohibited", undetermined: "Undetermined", enhanced_review: "Enhanced review",
  license_required: "Licence required", clear: "Clear" };
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElementNS(tag === "svg" || attrs.svg ? "http://www.w3.org/2000/svg" : "http://www.w3.org/1999/xhtml", tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "svg" || value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
const svg = (tag, attrs = {}, ...children) => el(tag, { ...attrs, svg: true }, ...children);
const status = (s) => el("span", { class: `status ${s || ""}`, text: s || "confirmed" });
const idOf = (iri) => iri ? iri.replace(/\/+$/, "").split("/").pop() : "";

async function api(path, options = {}) {
  const response = await fetch(path, { headers: { accept: "application/json", ...(options.headers || {}) }, ...options });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = body.detail || response.statusText;
    const fields = (body.errors || []).map((e) => `${e.field || e.line || ""}: ${e.message}`).join("; ");
    throw new Error(fields ? `${detail} (${fields})` : detail);
  }
  return body;
}

// ------------------------------------------------------------------ screening form

function setUpForm() {
  $("date").value = new Date().toISOString().slice(0, 10);
  api("/end-uses").then((uses) => {
    for (const use of uses) $("end_use").append(el("option", { value: use.id, text: use.broader ? `${use.label} (${use.broader})` : use.label }));
  }).catch(() => {});
  typeAhead($("end_user"), $("party-options"), (q) => api(`/parties?q=${encodeURIComponent(q)}&limit=8`),
    (p) => [p.label, `${p.country || ""} ${p.lists.length ? "· listed" : ""}${p.military_end_user ? " · military end user" : ""}`]);
  typeAhead($("consignee"), $("party-options"), (q) => api(`/parties?q=${encodeURIComponent(q)}&limit=8`), (p) => [p.label, p.country || ""]);
  typeAhead($("item"), $("item-options"), (q) => api(`/items?q=${encodeURIComponent(q)}&limit=8`),
    (i) => [i.code || i.label, i.code ? i.label : ""]);
  $("screen-form").addEventListener("submit", onScreen);
}

function typeAhead(input, list, search, describe) {
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) return;
    timer = setTimeout(async () => {
      try {
        const found = await search(q);
        list.replaceChildren(...found.map((f) => { const [value, label] = describe(f); return el("option", { value, label }); }));
      } catch (_) { /* type-ahead is a convenience: the form still works without it */ }
    }, 200);
  });
}

async function onScreen(event) {
  event.preventDefault();
  const form = new FormData($("screen-form"));
  const body = {};
  for (const [key, value] of form.entries()) if (String(value).trim()) body[key] = String(value).trim();
  const result = $("result");
  result.replaceChildren(el("p", { text: "Screening…" }));
  $("screen-button").disabled = true;
  try {
    const decision = await api("/screen", { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
    result.replaceChildren(renderDecision(decision));
    result.querySelector("h2").focus();
  } catch (error) {
    result.replaceChildren(el("p", { class: "error", role: "alert", text: `Cannot screen: ${error.message}` }));
  } finally {
    $("screen-button").disabled = false;
  }
}

function renderDecision(d) {
  const color = `var(--${d.decision})`;
  const box = el("article", { class: "decision", "aria-labelledby": "decision-title" },
    el("h2", { id: "decision-title", tabindex: "-1" },
      el("span", { class: "badge", id: "decision-badge", style: `background:${color}`, "data-decision": d.decision, text: OUTCOME_LABEL[d.decision] })),
    el("p", { class: "meta" }, `as of ${d.as_of} · certainty `, status(d.certainty), ` · graph ${d.graph_hash.slice(0, 12)} · `,
      el("a", { href: `/decisions/${d.id}/explanation`, text: "explanation (JSON)" }), " · ",
      el("a", { href: `/decisions/${d.id}`, text: "decision record" })),
    renderResolved(d.resolved));
  if (!d.reasons.length) box.append(el("p", { text: "No modelled measure applies to this export on that day." }));
  d.reasons.forEach((r, i) => box.append(renderReason(r, i + 1)));
  for (const note of d.notes) {
    box.append(el("p", { class: "meta" }, "Note: ", el("a", { href: `#/measure/${idOf(note.measure)}`, text: note.identifier }),
      " concerns this item but is not in force that day."));
  }
  for (const caveat of d.caveats) box.append(el("p", { class: "caveat", text: `Caveat: ${caveat}` }));
  return box;
}

function renderResolved(r) {
  const rows = [["Item", r.item], ["End user", r.end_user], ["Consignee", r.consignee]].filter(([, v]) => v).map(([name, v]) =>
    el("tr", {}, el("th", { scope: "row", text: name }), el("td", { text: v.input }),
      el("td", {}, v.iri ? el("a", { href: name === "Item" ? `#/item/${encodeURIComponent(idOf(v.iri))}` : `#/party/${idOf(v.iri)}`, text: v.label }) : "—"),
      el("td", { text: v.iri ? `${v.match} ${Math.round(v.score)}` : `${v.strength}${v.candidates.length ? "; closest: " + v.candidates.slice(0, 3).map((c) => `${c.label} (${Math.round(c.score)})`).join(", ") : ""}` })));
  rows.push(el("tr", {}, el("th", { scope: "row", text: "Route" }), el("td", { text: `${r.exporter_country} → ${r.destination}` }),
    el("td", { text: `origin ${r.origin}` }), el("td")));
  return el("table", {}, el("caption", { class: "meta", text: "What the input resolved to" }),
    el("thead", {}, el("tr", {}, ["", "Given", "Resolved to", "Match"].map((h) => el("th", { scope: "col", text: h })))), el("tbody", {}, rows));
}

function renderReason(r, n) {
  const m = r.measure;
  const articles = [...r.articles].sort((a, b) => (a.basis > b.basis ? -1 : 1));
  return el("section", { class: "reason", style: `border-left-color:var(--${r.outcome})` },
    el("h3", {}, `${n}. ${OUTCOME_LABEL[r.outcome]} `, status(r.status)),
    el("p", { text: r.message }),
    m ? el("p", {}, "Measure: ", el("a", { href: `#/measure/${idOf(m.iri)}`, class: "measure-link", text: m.identifier }),
      ` (${m.kind}), in force ${m.in_force_period ? m.in_force_period.start + " – " + (m.in_force_period.end || "…") : ""}`) : null,
    r.listing ? el("p", {}, "Listing: ", r.listing.party ? el("a", { href: `#/party/${idOf(r.listing.party)}`, text: r.listing.party_label }) : "—",
      ` on the ${r.listing.list}${r.listing.position ? ", entry " + r.listing.position : ""} `, status(r.listing.status)) : null,
    r.classification && r.classification.via_part_of ? el("p", { text: `Military end user as part of ${r.classification.via_part_of}.` }) : null,
    articles.length ? el("div", {}, el("strong", { text: "Articles" }),
      el("ul", {}, articles.map((a) => el("li", {}, `${a.label} — ${a.basis} `, status(a.status))))) : null,
    r.sources.length ? el("div", {}, el("strong", { text: "Sources" }),
      el("ul", {}, r.sources.map((s) => el("li", {}, el("a", { href: s.url, class: "source-link", rel: "noopener noreferrer", target: "_blank", text: s.publisher }),
        ` ${s.date || ""} (${s.kind}) `, status(s.status))))) : null,
    r.uncertain.length ? el("p", { class: "caveat", text: "Uncertain: " + r.uncertain.map((u) => `${u.fact} is ${u.status}`).join("; ") }) : null);
}

// ------------------------------------------------------------------ timeline picture

async function showTimeline(destination) {
  $("timeline-destination").value = destination;
  $("timeline").replaceChildren(el("p", { text: "Loading…" }));
  try {
    const data = await api(`/timeline?destination=${encodeURIComponent(destination)}`);
    $("timeline").replaceChildren(drawTimeline(data.measures));
    $("timeline").setAttribute("aria-label", `Timeline of ${data.measures.length} measures for ${destination}`);
    $("timeline-table").replaceChildren(measureTable(data.measures));
  } catch (error) {
    $("timeline").replaceChildren(el("p", { class: "error", text: error.message }));
  }
}

function drawTimeline(measures) {
  const start = new Date("2024-11-01"), end = new Date("2027-03-01");
  const left = 330, width = 640, row = 22, top = 28, height = top + measures.length * row + 10;
  const x = (d) => left + ((new Date(d) - start) / (end - start)) * width;
  const clampX = (d) => Math.max(left, Math.min(left + width, x(d)));
  const picture = svg("svg", { width: left + width + 20, height, viewBox: `0 0 ${left + width + 20} ${height}` },
    svg("defs", {}, svg("pattern", { id: "hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
      svg("rect", { width: 3, height: 6, fill: "#f59e0b" }))));
  for (let year = 2025; year <= 2027; year++) {
    const gx = x(`${year}-01-01`);
    picture.append(svg("line", { x1: gx, x2: gx, y1: 18, y2: height, stroke: "#d6dde6" }), svg("text", { x: gx + 3, y: 14, text: String(year) }));
  }
  const today = new Date().toISOString().slice(0, 10);
  measures.forEach((m, i) => {
    const y = top + i * row;
    const link = svg("a", { href: `#/measure/${m.id}` }, svg("text", { x: 4, y: y + 14, text: m.identifier.length > 52 ? m.identifier.slice(0, 51) + "…" : m.identifier }));
    picture.append(link);
    for (const p of m.periods) {
      const x1 = clampX(p.start), x2 = clampX(p.end || "2027-03-01");
      picture.append(svg("rect", { class: "period", x: x1, y: y + 4, width: Math.max(2, x2 - x1), height: 12, rx: 2,
        fill: p.status === "confirmed" ? "#2563eb" : "url(#hatch)", stroke: p.status === "confirmed" ? "none" : "#b45309" },
        svg("title", { text: `${m.identifier}: in force ${p.start} – ${p.end || "open"} (${p.status})` })));
    }
    for (const e of m.events.filter((e) => e.event === "issued")) {
      picture.append(svg("circle", { cx: clampX(e.date), cy: y + 10, r: 3, fill: "#111827" }, svg("title", { text: `issued ${e.date}` })));
    }
  });
  const tx = x(today);
  picture.append(svg("line", { x1: tx, x2: tx, y1: 18, y2: height, stroke: "#dc2626", "stroke-dasharray": "3 3" }),
    svg("text", { x: tx + 3, y: height - 2, text: "today", fill: "#dc2626" }));
  return picture;
}

function measureTable(measures) {
  return el("table", {}, el("caption", { class: "meta", text: "The same measures as a table" }),
    el("thead", {}, el("tr", {}, ["Measure", "Kind", "Effective", "In force", "Status"].map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, measures.map((m) => el("tr", {},
      el("td", {}, el("a", { href: `#/measure/${m.id}`, text: m.identifier })), el("td", { text: m.kind }),
      el("td", { text: m.effective_from || "" }),
      el("td", { text: m.periods.map((p) => `${p.start} – ${p.end || "…"}${p.status !== "confirmed" ? " (" + p.status + ")" : ""}`).join("; ") || "never" }),
      el("td", {}, status(m.status))))));
}

// ------------------------------------------------------------------ measure, party and item views

async function showMeasure(id) {
  const view = $("view-measure");
  view.replaceChildren(el("p", { text: "Loading…" }));
  try {
    const m = await api(`/measures/${encodeURIComponent(id)}`);
    view.replaceChildren(
      el("h1", { text: m.identifier }), el("p", {}, m.label || "", " ", status(m.status)),
      el("p", { text: `${m.kind} · issued ${m.issued || "?"} · effective ${m.effective_from || "?"}${m.effective_until ? " · until " + m.effective_until : ""}` }),
      m.note ? el("p", { class: "meta", text: m.note }) : null,
      el("h2", { text: "Timeline" }), el("ul", {}, m.timeline.map((e) => el("li", {}, `${e.date}: ${e.event}${e.by ? " (" + e.by + ")" : ""} `, status(e.status)))),
      el("h2", { text: "In force" }), el("ul", {}, m.periods.map((p) => el("li", {}, `${p.start} – ${p.end || "…"} `, status(p.status)))),
      el("h2", { text: "Articles" }), el("ul", {}, m.articles.map((a) => el("li", {}, `${a.label} — ${a.basis} `, status(a.status)))),
      m.listings.length ? el("h2", { text: `Listings (${m.listings.length})` }) : null,
      m.listings.length ? el("ul", {}, m.listings.map((l) => el("li", {}, l.party_id ? el("a", { href: `#/party/${l.party_id}`, text: l.label }) : l.label,
        l.position ? ` (entry ${l.position}) ` : " ", status(l.status)))) : null,
      el("h2", { text: "Sources" }), el("ul", {}, m.sources.map((s) => el("li", {}, el("a", { href: s.url, rel: "noopener noreferrer", target: "_blank", text: s.publisher }), ` ${s.date || ""} `, status(s.status)))));
    view.querySelector("h1").setAttribute("tabindex", "-1");
    view.querySelector("h1").focus();
  } catch (error) { view.replaceChildren(el("p", { class: "error", text: error.message })); }
}

async function showParty(id) {
  const view = $("view-party");
  view.replaceChildren(el("p", { text: "Loading…" }));
  try {
    const p = await api(`/parties/${encodeURIComponent(id)}`);
    view.replaceChildren(
      el("h1", { tabindex: "-1", text: p.label }),
      el("p", { text: `${p.kind || "party"} · ${p.country || ""}${p.military_end_user ? " · military end user" : ""}` }),
      el("h2", { text: "Names" }), el("ul", {}, p.names.map((n) => el("li", { lang: n.language || null, text: `${n.name}${n.language ? " (" + n.language + ")" : ""}` }))),
      el("h2", { text: "List status over time" }), listPicture(p.listings),
      p.listings.length ? el("ul", {}, p.listings.map((l) => el("li", {}, `since ${l.since}: ${l.list} — `,
        el("a", { href: `#/measure/${l.measure_id}`, text: l.identifier }), l.via_part_of ? ` (as part of ${l.via_part_of}) ` : " ", status(l.status)))) : el("p", { text: "On no list in the graph." }),
      p.relations.length ? el("h2", { text: "Relations" }) : null,
      el("ul", {}, p.relations.map((r) => el("li", {}, `${r.relation} `, el("a", { href: `#/party/${r.id}`, text: r.label })))),
      p.related_listings.length ? el("h2", { text: "Related parties on lists" }) : null,
      p.related_listings.length ? el("p", { text: "A listing names only the party listed; screening this party names these as a caveat." }) : null,
      el("ul", {}, p.related_listings.map((r) => el("li", {}, `${r.relation} `, el("a", { href: `#/party/${r.id}`, text: r.label }),
        ` — since ${r.since}: ${r.list} — `, el("a", { href: `#/measure/${r.measure_id}`, text: r.identifier }), " ", status(r.status)))),
      el("h2", { text: "Sources" }), el("ul", {}, p.sources.map((s) => el("li", {}, el("a", { href: s.url, rel: "noopener noreferrer", target: "_blank", text: s.publisher }), " ", status(s.status)))));
    view.querySelector("h1").focus();
  } catch (error) { view.replaceChildren(el("p", { class: "error", text: error.message })); }
}

function listPicture(listings) {
  const start = new Date("2024-11-01"), end = new Date("2027-03-01"), left = 130, width = 560;
  const x = (d) => left + ((new Date(d) - start) / (end - start)) * width;
  const lists = [...new Set(listings.map((l) => l.list))];
  const picture = svg("svg", { width: left + width + 10, height: 24 + 22 * Math.max(1, lists.length), role: "img",
    "aria-label": lists.length ? `On ${lists.join(" and ")}` : "On no list" });
  lists.forEach((name, i) => {
    const since = listings.filter((l) => l.list === name).map((l) => l.since).sort()[0];
    picture.append(svg("text", { x: 2, y: 36 + i * 22, text: name }),
      svg("rect", { x: x(since), y: 26 + i * 22, width: Math.max(3, left + width - x(since)), height: 12, fill: name.startsWith("export") ? "#b91c1c" : "#c2410c" },
        svg("title", { text: `${name} since ${since}` })));
  });
  return picture;
}

async function showItem(id) {
  const view = $("view-item");
  view.replaceChildren(el("p", { text: "Loading…" }));
  try {
    const it = await api(`/items/${encodeURIComponent(id)}`);
    view.replaceChildren(el("h1", { tabindex: "-1", text: `${it.code || ""} ${it.label || ""}` }),
      el("p", { text: `${it.kind} · ${it.category || ""}${it.hs_codes.length ? " · HS " + it.hs_codes.join(", ") : ""}` }),
      el("h2", { text: `Measures (as of ${it.as_of})` }),
      el("ul", {}, it.measures.map((m) => el("li", {}, el("a", { href: `#/measure/${m.id}`, text: m.identifier }), m.in_force ? " — in force" : " — not in force"))),
      el("h2", { text: "Names" }), el("ul", {}, it.names.map((n) => el("li", { lang: n.language || null, text: n.name }))));
    view.querySelector("h1").focus();
  } catch (error) { view.replaceChildren(el("p", { class: "error", text: error.message })); }
}

// ------------------------------------------------------------------ routing

function route() {
  const [, page = "screen", arg = ""] = (location.hash || "#/screen").split("/");
  for (const view of document.querySelectorAll(".view")) view.hidden = true;
  const show = { screen: "view-screen", measures: "view-measures", measure: "view-measure", party: "view-party", item: "view-item" }[page] || "view-screen";
  $(show).hidden = false;
  if (page === "measures") showTimeline(decodeURIComponent(arg || "JP").toUpperCase());
  if (page === "measure") showMeasure(decodeURIComponent(arg));
  if (page === "party") showParty(decodeURIComponent(arg));
  if (page === "item") showItem(decodeURIComponent(arg));
}

$("timeline-form").addEventListener("submit", (e) => { e.preventDefault(); location.hash = `#/measures/${$("timeline-destination").value.trim().toUpperCase()}`; });
window.addEventListener("hashchange", route);
setUpForm();
route();
