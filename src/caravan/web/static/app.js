/* Caravan map page: the atlas, a route planner, scenario comparison and its uncertainty,
 * and the security layer (zone risk as of a date, events on the map and along a route).
 * Plain JavaScript, no build step. Everything is loaded from this server: MapLibre GL JS,
 * the country outlines and the API. No tiles, no glyphs, no sprites, no fonts from elsewhere. */
"use strict";

(function () {
  // Mode colours come from the atlas (modes.yaml, served as /api/atlas "mode_colours").
  let MODE_COLORS = {};
  const NO_MODE_COLOR = "#555";
  const KIND_COLORS = {
    city: "#1d2327", station: "#8e44ad", port: "#2874a6", border: "#c0392b",
    junction: "#7f8c8d", terminal: "#16a085", pass: "#935116",
  };
  const ROUTE_COLORS = ["#e6007e", "#6c3483", "#117864", "#9a7d0a", "#1f618d"];
  const ORIGIN = window.location.origin;
  const $ = (id) => document.getElementById(id);
  const state = {
    info: null, links: null, nodes: null, projects: [], sources: {}, places: [],
    routes: [], selectedRoute: 0, scenarios: [],
    risk: null, events: null, routeEvents: null, riskOn: false, lastCompare: null, routeEventsSeq: 0,
  };
  // Zone risk 0..1: pale yellow to dark red (grey for none).
  const RISK_RAMP = [0, "#fff3b0", 0.25, "#fdb863", 0.5, "#e66101", 0.75, "#b2182b", 1, "#67001f"];
  const RISK_NONE = "#bdbdbd";
  const riskColor = ["case", ["<=", ["get", "risk"], 0], RISK_NONE, ["interpolate", ["linear"], ["get", "risk"], ...RISK_RAMP]];
  const SVG_NS = "http://www.w3.org/2000/svg";

  // ---------------------------------------------------------------- helpers
  function esc(value) {
    return String(value === null || value === undefined ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  function fmt(value, digits) {
    if (value === null || value === undefined || value === "") return "";
    if (typeof value !== "number") return Array.isArray(value) ? value.join(", ") : String(value);
    const d = digits === undefined ? (Math.abs(value) >= 100 ? 0 : 1) : digits;
    return value.toLocaleString("en", { maximumFractionDigits: d, minimumFractionDigits: 0 });
  }
  function signed(value, digits) {
    if (typeof value !== "number") return fmt(value, digits);
    const text = fmt(value, digits);
    return (value > 0 && /[1-9]/.test(text) ? "+" : "") + (/[1-9]/.test(text) ? text : "0");
  }
  function deltaClass(value, digits) {
    if (typeof value !== "number" || !/[1-9]/.test(fmt(value, digits))) return "";
    return value > 0 ? "gain" : "loss";
  }
  function headers(extra) {
    const h = Object.assign({ Accept: "application/json" }, extra || {});
    const token = $("token") ? $("token").value.trim() : "";
    if (token) h["X-Caravan-Token"] = token;
    return h;
  }
  async function api(path, options) {
    const opts = Object.assign({}, options || {});
    opts.headers = headers(opts.headers);
    const response = await fetch(ORIGIN + path, opts);
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = { raw: text }; }
    if (!response.ok) {
      const err = (body && body.error) || { message: response.status + " " + response.statusText };
      const error = new Error(err.message);
      error.detail = err;
      throw error;
    }
    return body;
  }
  function showMessage(id, text, isError) {
    const el = $(id);
    el.textContent = text || "";
    el.classList.toggle("error", !!isError);
  }
  function errorText(error) {
    const d = error.detail || {};
    let text = d.message || error.message;
    if (d.fix) text += " — " + d.fix;
    return text;
  }
  function table(columns, rows, opts) {
    // columns: [{key, label, num, digits, delta, render}]
    const o = opts || {};
    let html = '<table' + (o.id ? ' id="' + esc(o.id) + '"' : "") + "><thead><tr>";
    for (const c of columns) html += "<th" + (c.num ? ' class="num"' : "") + ">" + esc(c.label) + "</th>";
    html += "</tr></thead><tbody>";
    rows.forEach((row, i) => {
      const attrs = o.rowAttrs ? o.rowAttrs(row, i) : "";
      html += "<tr " + attrs + ">";
      for (const c of columns) {
        const v = row[c.key];
        let cell;
        if (c.render) cell = c.render(v, row);
        else if (c.delta) cell = '<span class="' + deltaClass(v) + '">' + esc(signed(v, c.digits)) + "</span>";
        else cell = esc(fmt(v, c.digits));
        html += "<td" + (c.num ? ' class="num"' : "") + ">" + cell + "</td>";
      }
      html += "</tr>";
    });
    return html + "</tbody></table>";
  }
  // The Content-Security-Policy allows no inline style attributes: markup carries its few
  // styles (swatch colours, ramps) in data-style, applied here through the CSSOM.
  function applyDataStyles(root) {
    if (root.nodeType !== 1) return;
    const els = root.matches("[data-style]") ? [root] : [];
    for (const el of [...els, ...root.querySelectorAll("[data-style]")]) {
      el.style.cssText = el.dataset.style;
      el.removeAttribute("data-style");
    }
  }
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) applyDataStyles(n);
  }).observe(document.documentElement, { childList: true, subtree: true });

  function bboxOf(features) {
    let w = 180, s = 90, e = -180, n = -90;
    for (const f of features) {
      const g = f.geometry;
      const coords = g.type === "Point" ? [g.coordinates]
        : g.type === "LineString" ? g.coordinates
        : g.type === "MultiLineString" ? g.coordinates.flat() : [];
      for (const [x, y] of coords) { w = Math.min(w, x); e = Math.max(e, x); s = Math.min(s, y); n = Math.max(n, y); }
    }
    return w <= e ? [[w, s], [e, n]] : null;
  }
  function fit(bounds) {
    if (bounds) map.fitBounds(bounds, { padding: 50, maxZoom: 7, duration: 0 });
  }
  const EMPTY = { type: "FeatureCollection", features: [] };

  // ---------------------------------------------------------------- the map
  const style = {
    version: 8,
    name: "caravan-offline",
    sources: {
      countries: { type: "geojson", data: ORIGIN + "/data/countries.geojson" },
    },
    layers: [
      { id: "background", type: "background", paint: { "background-color": "#d9e6ef" } },
      { id: "countries-fill", type: "fill", source: "countries",
        paint: { "fill-color": "#f4f1ea", "fill-outline-color": "#c9c2b3" } },
      { id: "countries-line", type: "line", source: "countries",
        paint: { "line-color": "#b9b2a3", "line-width": 0.7 } },
    ],
  };
  let map = null;

  // Atlas data, so only hex colours are taken (anything else draws in the no-mode grey).
  function modeColors(served) {
    const out = {};
    for (const [mode, color] of Object.entries(served || {})) {
      out[mode] = /^#[0-9a-fA-F]{3,8}$/.test(color) ? color : NO_MODE_COLOR;
    }
    return out;
  }
  function modeColorExpression() {
    const pairs = Object.entries(MODE_COLORS).flat();
    return pairs.length ? ["match", ["get", "mode"], ...pairs, NO_MODE_COLOR] : NO_MODE_COLOR;
  }
  const SOLID = ["operational", "under_construction"];
  const DASHED = ["planned", "proposed"];

  function buildStyle() {
    // Every source and layer goes into the style the map starts with: one layout pass.
    const addSource = (id, spec) => { style.sources[id] = spec; };
    const addLayer = (layer) => { style.layers.push(layer); };
    const modeColor = modeColorExpression();
    addSource("links", { type: "geojson", data: state.links });
    addSource("nodes", { type: "geojson", data: state.nodes });
    addSource("project", { type: "geojson", data: EMPTY });
    addSource("flows", { type: "geojson", data: EMPTY });
    addSource("compare", { type: "geojson", data: EMPTY });
    addSource("route", { type: "geojson", data: EMPTY });
    addSource("risk-links", { type: "geojson", data: EMPTY });
    addSource("risk-nodes", { type: "geojson", data: EMPTY });
    addSource("events", { type: "geojson", data: EMPTY });
    addLayer({ id: "project-halo", type: "line", source: "project",
      layout: { "line-cap": "round", "line-join": "round" },
      paint: { "line-color": "#f7dc6f", "line-width": 12, "line-opacity": 0.9 } });
    addLayer({ id: "links-solid", type: "line", source: "links",
      filter: ["in", ["get", "status"], ["literal", SOLID]],
      layout: { "line-cap": "round" },
      paint: { "line-color": modeColor, "line-width": ["interpolate", ["linear"], ["zoom"], 3, 1.6, 7, 3.5],
        "line-opacity": ["case", ["==", ["get", "status"], "under_construction"], 0.6, 0.95] } });
    addLayer({ id: "links-dashed", type: "line", source: "links",
      filter: ["in", ["get", "status"], ["literal", DASHED]],
      paint: { "line-color": modeColor, "line-width": ["interpolate", ["linear"], ["zoom"], 3, 1.6, 7, 3.5],
        "line-dasharray": [2, 2], "line-opacity": 0.9 } });
    addLayer({ id: "links-inactive", type: "line", source: "links",
      filter: ["in", ["get", "status"], ["literal", ["suspended", "closed"]]],
      paint: { "line-color": "#888", "line-width": 1.2, "line-dasharray": [1, 2] } });
    addLayer({ id: "risk-links", type: "line", source: "risk-links",
      layout: { visibility: "none", "line-cap": "round" },
      paint: { "line-color": riskColor,
        "line-width": ["interpolate", ["linear"], ["zoom"], 3, 2.5, 7, 5], "line-opacity": 0.9 } });
    addLayer({ id: "flows", type: "line", source: "flows",
      layout: { "line-cap": "round", "line-join": "round" },
      paint: { "line-color": modeColor, "line-width": 2, "line-opacity": 0.75 } });
    addLayer({ id: "compare", type: "line", source: "compare",
      layout: { "line-cap": "round", "line-join": "round" },
      paint: { "line-color": "#888", "line-width": 2, "line-opacity": 0.85 } });
    addLayer({ id: "route-casing", type: "line", source: "route",
      layout: { "line-cap": "round", "line-join": "round" },
      paint: { "line-color": "#fff", "line-width": ["case", ["==", ["get", "selected"], true], 9, 6] } });
    addLayer({ id: "route-line", type: "line", source: "route",
      layout: { "line-cap": "round", "line-join": "round" },
      paint: { "line-color": ["get", "color"],
        "line-width": ["case", ["==", ["get", "selected"], true], 5, 3],
        "line-opacity": ["case", ["==", ["get", "selected"], true], 1, 0.6] } });
    const kindColor = ["match", ["get", "kind"]];
    for (const [k, c] of Object.entries(KIND_COLORS)) kindColor.push(k, c);
    kindColor.push("#333");
    addLayer({ id: "nodes", type: "circle", source: "nodes",
      paint: {
        "circle-color": kindColor,
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 3, ["match", ["get", "kind"], "city", 3.5, 2.5], 8, 7],
        "circle-stroke-color": "#fff", "circle-stroke-width": 1 } });
    addLayer({ id: "risk-nodes", type: "circle", source: "risk-nodes",
      layout: { visibility: "none" },
      paint: { "circle-color": riskColor,
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 3, 3.5, 8, 8],
        "circle-stroke-color": "#333", "circle-stroke-width": 0.6 } });
    // Event circles: area grows with deaths (radius with their square root).
    addLayer({ id: "events", type: "circle", source: "events",
      layout: { visibility: "none" },
      paint: { "circle-color": "#4a1486", "circle-opacity": 0.35,
        "circle-radius": ["interpolate", ["linear"], ["sqrt", ["coalesce", ["get", "fatalities"], 0]], 0, 5, 30, 28],
        "circle-stroke-color": "#4a1486", "circle-stroke-width": 1.2 } });
  }

  function createMap() {
    buildStyle();
    const bounds = bboxOf(state.nodes.features);
    map = new maplibregl.Map({
      container: "map",
      style: style,
      bounds: bounds || undefined,
      fitBoundsOptions: { padding: 50, maxZoom: 7 },
      // The shipped outlines cover this box (see caravan/data/README.md); stay inside it.
      maxBounds: [[-25, -12], [150, 84]],
      center: [62, 38],
      zoom: 3,
      attributionControl: { compact: true, customAttribution: "Natural Earth (public domain)" },
      maxPitch: 0,
      dragRotate: false,
    });
    window.caravanMap = map;
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-right");
    const clickable = ["events", "risk-nodes", "nodes", "route-line", "compare", "flows", "risk-links",
      "links-solid", "links-dashed", "links-inactive"];
    map.on("click", (e) => {
      const layers = clickable.filter((id) => map.getLayer(id) && map.getLayoutProperty(id, "visibility") !== "none");
      const hits = map.queryRenderedFeatures(e.point, { layers: layers });
      if (!hits.length) return;
      const id = hits[0].layer.id;
      if (id === "events") { eventPopup(e.lngLat, hits.filter((h) => h.layer.id === "events")); return; }
      const hit = { lngLat: e.lngLat, features: [hits[0]] };
      if (id === "nodes" || id === "risk-nodes") nodePopup(hit); else linkPopup(hit);
    });
    for (const layer of clickable) {
      map.on("mouseenter", layer, () => { map.getCanvas().style.cursor = "pointer"; });
      map.on("mouseleave", layer, () => { map.getCanvas().style.cursor = ""; });
    }
    map.once("load", () => {
      showLayers();
      setupLabels();
      map.once("idle", markReady);
    });
  }

  // ---------------------------------------------------------------- place labels
  // The style has no glyphs (nothing may be fetched from elsewhere), so place names are HTML
  // labels over the canvas: cities from the first zoom, ports next, then the other places,
  // each drawn only where it overlaps no label already placed.
  const LABEL_MIN_ZOOM = { city: 0, port: 4.5, border: 5.5, station: 6, terminal: 6, pass: 6, junction: 7 };
  const LABEL_ORDER = ["city", "port", "border", "station", "terminal", "pass", "junction"];
  function setupLabels() {
    const layer = document.createElement("div");
    layer.id = "place-labels";
    layer.setAttribute("aria-hidden", "true");
    map.getContainer().appendChild(layer);
    const places = state.nodes.features.slice().sort((a, b) =>
      LABEL_ORDER.indexOf(a.properties.kind) - LABEL_ORDER.indexOf(b.properties.kind) ||
      a.properties.name.localeCompare(b.properties.name));
    let queued = false;
    const draw = () => {
      queued = false;
      const zoom = map.getZoom();
      const width = map.getContainer().clientWidth, height = map.getContainer().clientHeight;
      const placed = [];
      const fragment = document.createDocumentFragment();
      for (const f of places) {
        const kind = f.properties.kind;
        const min = LABEL_MIN_ZOOM[kind] === undefined ? 8 : LABEL_MIN_ZOOM[kind];
        if (zoom < min) continue;
        const p = map.project(f.geometry.coordinates);
        if (p.x < 0 || p.y < 0 || p.x > width || p.y > height) continue;
        const name = f.properties.name;
        const box = [p.x + 5, p.y - 8, p.x + 9 + name.length * 6.6, p.y + 8];
        if (placed.some((q) => box[0] < q[2] && q[0] < box[2] && box[1] < q[3] && q[1] < box[3])) continue;
        placed.push(box);
        const label = document.createElement("span");
        label.className = "place-label kind-" + kind;
        label.textContent = name;
        label.dataset.node = f.properties.node_id;
        label.style.transform = "translate(" + Math.round(box[0]) + "px," + Math.round(box[1]) + "px)";
        fragment.appendChild(label);
      }
      layer.replaceChildren(fragment);
      layer.dataset.zoom = zoom.toFixed(2);
    };
    map.on("move", () => {
      if (!queued) { queued = true; requestAnimationFrame(draw); }
    });
    map.on("resize", draw);
    draw();
  }

  function sourceList(ids) {
    return (ids || []).map((id) => {
      const s = state.sources[id];
      return s ? esc(s.title) + (s.publisher ? " (" + esc(s.publisher) + (s.date ? ", " + esc(s.date) : "") + ")" : "")
        : esc(id);
    }).join("<br>");
  }
  function popupHtml(title, pairs, sourceIds) {
    let html = "<h4>" + esc(title) + "</h4><dl>";
    for (const [k, v] of pairs) {
      if (v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length)) continue;
      html += "<dt>" + esc(k) + "</dt><dd>" + esc(fmt(v)) + "</dd>";
    }
    html += "<dt>sources</dt><dd>" + sourceList(sourceIds) + "</dd></dl>";
    return html;
  }
  function linkById(id) {
    return state.links.features.find((f) => f.properties.link_id === id);
  }
  function linkPopup(e) {
    const f = e.features[0];
    const link = linkById(f.properties.link_id);
    if (!link) return;
    const p = link.properties;
    const extra = [];
    if (f.properties.tonnes_per_year !== undefined) extra.push(["tonnes a year", f.properties.tonnes_per_year]);
    if (f.properties.delta_tonnes !== undefined) {
      extra.push(["tonnes A", f.properties.tonnes_a], ["tonnes B", f.properties.tonnes_b],
        ["change", signed(f.properties.delta_tonnes, 0)]);
    }
    if (state.riskOn && state.risk && state.risk.links[p.link_id] !== undefined) {
      extra.push(["risk " + state.risk.as_of, fmt(state.risk.links[p.link_id], 2) + " (mean of its ends)"]);
    }
    const html = popupHtml(p.link_id, [
      ...extra,
      ["mode", p.mode], ["gauge mm", p.gauge_mm], ["status", p.status],
      ["from → to", p.from_node_id + " → " + p.to_node_id],
      ["length km", p.length_km], ["length basis", p.length_basis], ["speed km/h", p.speed_kmh],
      ["tariff USD/tkm", p.tariff_usd_per_tkm], ["capacity Mt/yr", p.capacity_mtpa],
      ["opened", p.open_year], ["expected", p.expected_open_year],
      ["projects", p.project_ids], ["corridors", p.corridor_ids], ["notes", p.notes],
    ], p.source_ids);
    new maplibregl.Popup({ maxWidth: "340px" }).setLngLat(e.lngLat).setHTML(html).addTo(map);
  }
  function nodePopup(e) {
    const p = e.features[0].properties;
    const node = state.nodes.features.find((f) => f.properties.node_id === p.node_id);
    const q = node ? node.properties : p;
    const place = state.riskOn && state.risk ? state.risk.places[q.node_id] : null;
    const html = popupHtml(q.name, [
      ...(place ? [["risk " + state.risk.as_of, fmt(place.risk, 2) + (place.zone_id ? " (zone " + place.zone_id + ")" : " (no zone)")]] : []),
      ["id", q.node_id], ["kind", q.kind], ["country", q.country_iso3], ["region", q.admin1],
      ["aliases", q.aliases], ["lat, lon", fmt(q.lat, 3) + ", " + fmt(q.lon, 3)],
      ["coordinates", q.coord_basis], ["notes", q.notes],
    ], q.source_ids);
    new maplibregl.Popup({ maxWidth: "340px" }).setLngLat(e.lngLat).setHTML(html).addTo(map);
  }

  // ---------------------------------------------------------------- legend and projects
  function renderLegend() {
    let html = "";
    for (const [mode, color] of Object.entries(MODE_COLORS)) {
      html += '<div class="legend-row"><span class="swatch" data-style="border-color:' + color + '"></span>' + esc(mode) + "</div>";
    }
    html += '<div class="legend-row"><span class="swatch dashed" data-style="border-color:#555"></span>planned or proposed</div>';
    html += '<div class="legend-row"><span class="swatch" data-style="border-color:#555;opacity:.6"></span>under construction</div>';
    html += '<div class="legend-row">';
    for (const [kind, color] of Object.entries(KIND_COLORS)) {
      html += '<span class="dot" data-style="background:' + color + '"></span>' + kind + " ";
    }
    html += "</div>";
    $("legend").innerHTML = html;
  }
  function renderProjects() {
    const picker = $("project-picker");
    const open = $("route-open");
    const sorted = state.projects.slice().sort((a, b) => a.name.localeCompare(b.name));
    for (const p of sorted) {
      const label = p.name + " (" + p.status.replace("_", " ") + ")";
      picker.add(new Option(label, p.project_id));
      if (p.status !== "operational") {
        // A tick box per project: several can be chosen with plain clicks (no ctrl-click).
        const row = document.createElement("label");
        row.className = "check-row";
        const box = document.createElement("input");
        box.type = "checkbox";
        box.name = "open";
        box.value = p.project_id;
        box.addEventListener("change", countOpen);
        row.append(box, document.createTextNode(p.name));
        open.appendChild(row);
      }
    }
    picker.addEventListener("change", () => pickProject(picker.value));
  }
  function countOpen() {
    const n = $("route-open").querySelectorAll("input:checked").length;
    $("route-open-count").textContent = n ? "(" + n + " ticked)" : "(tick any number)";
  }
  function pickProject(projectId) {
    const card = $("project-card");
    const p = state.projects.find((x) => x.project_id === projectId);
    if (!p) {
      map.getSource("project").setData(EMPTY);
      card.hidden = true;
      return;
    }
    const ids = new Set(p.link_ids);
    const features = state.links.features.filter((f) => ids.has(f.properties.link_id));
    map.getSource("project").setData({ type: "FeatureCollection", features: features });
    map.getCanvas().dataset.highlightedLinks = String(features.length);
    if (p.bbox) fit([[p.bbox[0], p.bbox[1]], [p.bbox[2], p.bbox[3]]]);
    const range = (r) => (r ? fmt(r.value) + (r.low !== null && r.high !== null ? " (" + fmt(r.low) + "–" + fmt(r.high) + ")" : "") : "");
    let html = "<strong>" + esc(p.name) + "</strong><dl class=\"small\">";
    const rows = [
      ["kind", p.kind], ["status", p.status], ["sponsors", (p.sponsors || []).join(", ")],
      ["countries", (p.countries || []).join(", ")], ["announced", p.announced_year],
      ["opened", p.open_year], ["expected", p.expected_open_year],
      ["investment M USD", range(p.investment_musd)], ["capacity Mt/yr", range(p.capacity_mtpa)],
      ["length km", range(p.length_km)], ["links", p.link_ids.length], ["notes", p.notes],
    ];
    for (const [k, v] of rows) if (v !== null && v !== undefined && v !== "") html += "<dt>" + esc(k) + "</dt><dd>" + esc(v) + "</dd>";
    html += "</dl>";
    for (const d of p.disputes || []) {
      html += '<p class="small"><em>Disputed ' + esc(d.field) + ":</em> " + esc(d.claim) + " → " + esc(d.finding) + "</p>";
    }
    html += '<p class="small muted">Sources: ' + sourceList(p.source_ids) + "</p>";
    card.innerHTML = html;
    card.hidden = false;
  }

  // ---------------------------------------------------------------- route planner
  function placeName(nodeId) {
    const p = state.places.find((x) => x.node_id === nodeId);
    return p ? p.name : nodeId;
  }
  function projectName(projectId) {
    const p = state.projects.find((x) => x.project_id === projectId);
    return p ? p.name : projectId;
  }
  function scenarioTitle(name) {
    const s = state.scenarios.find((x) => x.name === name);
    return s && s.title ? s.title : name;
  }
  function placeValue(text) {
    const t = text.trim();
    const exact = state.places.filter((p) => p.name === t);
    if (exact.length === 1) return exact[0].node_id;
    const m = /\(([a-z0-9-]+)\)\s*$/.exec(t);
    return m ? m[1] : t;
  }
  function setupRouteForm() {
    const list = $("places-list");
    const names = {};
    for (const p of state.places) names[p.name] = (names[p.name] || 0) + 1;
    for (const p of state.places) {
      const value = names[p.name] > 1 ? p.name + " (" + p.node_id + ")" : p.name;
      const opt = document.createElement("option");
      opt.value = value;
      opt.label = p.country_iso3 + " · " + p.kind + (p.aliases.length ? " · " + p.aliases.join(", ") : "");
      list.appendChild(opt);
    }
    // Short names in the drop-down (they fit it), the whole name of the chosen one below it.
    const commodity = $("route-commodity");
    for (const c of state.info.commodities) {
      const option = new Option(c.name.replace(/\s*\(.*\)\s*$/, ""), c.commodity_id);
      option.title = c.name;
      commodity.add(option);
    }
    const showCommodity = () => {
      const c = state.info.commodities.find((x) => x.commodity_id === commodity.value);
      $("route-commodity-note").textContent = c && c.name !== commodity.selectedOptions[0].text ? c.name : "";
    };
    commodity.addEventListener("change", showCommodity);
    showCommodity();
    for (const o of state.info.objectives) $("route-by").add(new Option(o, o));
    for (let k = 1; k <= Math.min(5, state.info.max_k); k++) $("route-k").add(new Option(String(k), String(k)));
    $("route-k").value = "3";
    $("route-form").addEventListener("submit", (ev) => { ev.preventDefault(); planRoute(); });
    // A day sets the network's year too (as `caravan route --date` does).
    $("route-date").addEventListener("change", () => {
      const day = $("route-date").value;
      if (/^\d{4}-/.test(day)) $("route-year").value = day.slice(0, 4);
    });
  }
  function renderWarnings(warnings) {
    // The dated closures and suspensions in force near the routes, each with its sources.
    $("route-warnings").innerHTML = (warnings || []).map((w) => {
      const sources = (w.sources || []).map((s) => s.url
        ? '<a href="' + esc(s.url) + '" target="_blank" rel="noopener">' + esc(s.title || s.url) + "</a>"
        : esc(s.title || "")).join("; ");
      return '<li class="warning" data-event="' + esc(w.event_id) + '">' + esc(w.message) +
        (sources ? ' <span class="small muted">Sources: ' + sources + "</span>" : "") + "</li>";
    }).join("");
  }
  async function planRoute() {
    const params = new URLSearchParams();
    params.set("from", placeValue($("route-from").value));
    params.set("to", placeValue($("route-to").value));
    params.set("year", $("route-year").value || "2025");
    params.set("commodity", $("route-commodity").value);
    params.set("by", $("route-by").value);
    params.set("k", $("route-k").value);
    if ($("route-date").value) params.set("date", $("route-date").value);
    for (const box of $("route-open").querySelectorAll("input:checked")) params.append("open", box.value);
    $("route-plan").disabled = true;
    showMessage("route-message", "Planning…");
    renderWarnings([]);
    $("route-breakdown").innerHTML = "";
    try {
      const body = await api("/api/route?" + params.toString());
      state.routes = body.routes;
      state.selectedRoute = 0;
      const n = body.routes.length;
      const opened = body.query.open.length ? ", with " + body.query.open.map(projectName).join(", ") + " open" : "";
      showMessage("route-message", n + (n === 1 ? " route" : " routes") + " from " + placeName(body.query.from) + " to " +
        placeName(body.query.to) + ", " + body.query.year + opened + (body.date ? ", links as on " + body.date : ""));
      renderWarnings(body.warnings);
      drawRoutes();
      if (body.bbox) fit([[body.bbox[0], body.bbox[1]], [body.bbox[2], body.bbox[3]]]);
    } catch (error) {
      state.routes = [];
      map.getSource("route").setData(EMPTY);
      let text = errorText(error);
      const sug = (error.detail && error.detail.suggestions) || [];
      if (sug.length) text += " (did you mean: " + sug.join(", ") + "?)";
      showMessage("route-message", text, true);
    } finally {
      $("route-plan").disabled = false;
    }
  }
  function drawRoutes() {
    const features = [];
    state.routes.forEach((r, i) => {
      for (const f of r.geometry.features) {
        features.push({ type: "Feature", geometry: f.geometry,
          properties: Object.assign({}, f.properties, { color: ROUTE_COLORS[i % ROUTE_COLORS.length], selected: i === state.selectedRoute }) });
      }
    });
    // The selected route on top.
    features.sort((a, b) => Number(a.properties.selected) - Number(b.properties.selected));
    map.getSource("route").setData({ type: "FeatureCollection", features: features });
    renderBreakdown();
  }
  function renderBreakdown() {
    const routes = state.routes;
    if (!routes.length) { $("route-breakdown").innerHTML = ""; return; }
    let html = "<h3>Routes</h3>" + table([
      { key: "rank", label: "#", render: (v, r) => '<span class="dot" data-style="background:' + ROUTE_COLORS[(v - 1) % ROUTE_COLORS.length] + '"></span> ' + esc(v) },
      { key: "countries", label: "countries", render: (v) => esc(v.join(" → ")) },
      { key: "length_km", label: "km", num: true, digits: 0 },
      { key: "time_h", label: "hours", num: true },
      { key: "money_usd_per_t", label: "USD/t", num: true },
      { key: "cost_usd_per_t", label: "cost USD/t", num: true },
    ], routes, { id: "route-summary", rowAttrs: (r, i) => 'class="clickable' + (i === state.selectedRoute ? " selected" : "") + '" data-rank="' + r.rank + '"' });
    const r = routes[state.selectedRoute];
    html += "<h3>Route " + esc(r.rank) + ": " + esc(r.node_ids.map(placeName).join(" – ")) + "</h3>";
    html += '<p class="small">' + esc(fmt(r.length_km, 0)) + " km, " + esc(fmt(r.time_h)) + " h, money " + esc(fmt(r.money_usd_per_t)) +
      " USD/t + time " + esc(fmt(r.value_of_time_usd_per_t_h * r.time_h)) + " + risk " + esc(fmt(r.risk_usd_per_t)) +
      " = cost " + esc(fmt(r.cost_usd_per_t)) + " USD/t</p>";
    html += "<h3>By country</h3>" + table([
      { key: "iso3", label: "country" },
      { key: "length_km", label: "km", num: true, digits: 0 },
      { key: "time_h", label: "hours", num: true },
      { key: "money_usd_per_t", label: "USD/t", num: true },
      { key: "risk_usd_per_t", label: "risk USD/t", num: true },
    ], r.by_country, { id: "route-by-country", rowAttrs: (row) => 'data-country="' + esc(row.iso3) + '"' });
    html += "<h3>Borders</h3>" + (r.borders.length ? table([
      { key: "name", label: "crossing" },
      { key: "from_iso3", label: "from" }, { key: "to_iso3", label: "to" },
      { key: "dwell_h", label: "dwell h", num: true }, { key: "fee_usd_per_t", label: "fee USD/t", num: true },
    ], r.borders, { id: "route-borders" }) : '<p class="small muted">none</p>');
    html += "<h3>Transfers</h3>" + (r.transfers.length ? table([
      { key: "name", label: "at" }, { key: "kind", label: "kind" },
      { key: "from_mode", label: "from", render: (v, t) => esc(v + (t.from_gauge_mm ? " " + t.from_gauge_mm : "")) },
      { key: "to_mode", label: "to", render: (v, t) => esc(v + (t.to_gauge_mm ? " " + t.to_gauge_mm : "")) },
      { key: "dwell_h", label: "dwell h", num: true }, { key: "fee_usd_per_t", label: "fee USD/t", num: true },
    ], r.transfers, { id: "route-transfers" }) : '<p class="small muted">none</p>');
    const named = (ids) => ids.map((id) => { const p = state.projects.find((x) => x.project_id === id); return p ? p.name : id; });
    html += "<h3>Projects and corridors</h3><p class=\"small\" id=\"route-projects\">" +
      esc([...named(r.projects), ...named(r.corridors)].join("; ") || "none") + "</p>";
    if (r.surcharges.length) html += "<h3>Surcharges</h3>" + table([{ key: "restriction_id", label: "rule" }, { key: "usd_per_t", label: "USD/t", num: true }], r.surcharges);
    if (r.bypassed_countries.length) html += '<p class="small">Bypasses: ' + esc(r.bypassed_countries.join(", ")) + "</p>";
    html += '<div id="route-events"></div>';
    const el = $("route-breakdown");
    el.innerHTML = html;
    loadRouteEvents();
    for (const tr of el.querySelectorAll("#route-summary tr[data-rank]")) {
      tr.addEventListener("click", () => { state.selectedRoute = Number(tr.dataset.rank) - 1; drawRoutes(); });
    }
  }

  // ---------------------------------------------------------------- scenarios
  async function setupScenarios() {
    if (state.info.token_required) $("token-box").hidden = false;
    try {
      state.scenarios = await api("/api/scenarios");
    } catch (error) {
      showMessage("scenario-message", errorText(error), true);
      return;
    }
    // One row per scenario with its whole title (wrapped, never cut) and a choice for A and
    // for B: long titles do not fit a drop-down.
    const picker = $("scenario-picker");
    const base = Math.max(0, state.scenarios.findIndex((s) => s.name.startsWith("baseline")));
    const other = state.scenarios.length > 1 ? (base === 0 ? 1 : 0) : 0;
    let rows = "";
    state.scenarios.forEach((s, i) => {
      const title = (s.title || s.name) + (s.year ? " (" + s.year + ")" : "");
      rows += '<tr data-scenario="' + esc(s.name) + '">' +
        '<td><input type="radio" name="scenario-a" value="' + esc(s.name) + '" aria-label="A: ' + esc(title) + '"' + (i === base ? " checked" : "") + "></td>" +
        '<td><input type="radio" name="scenario-b" value="' + esc(s.name) + '" aria-label="B: ' + esc(title) + '"' + (i === other ? " checked" : "") + "></td>" +
        '<td class="scenario-title">' + esc(title) + "</td></tr>";
    });
    picker.innerHTML = '<table><thead><tr><th title="before">A</th><th title="after">B</th><th>scenario</th></tr></thead><tbody>' + rows + "</tbody></table>";
    if (!state.scenarios.length) showMessage("scenario-message", "This atlas ships no scenarios.");
    const describe = () => {
      const sa = state.scenarios.find((s) => s.name === picked("a"));
      const sb = state.scenarios.find((s) => s.name === picked("b"));
      $("scenario-description").innerHTML = [sa, sb].filter(Boolean)
        .map((s, i) => "<p><strong>" + "AB"[i] + ":</strong> " + esc(s.description) + "</p>").join("");
    };
    picker.addEventListener("change", describe);
    describe();
    $("scenario-flows").addEventListener("click", showFlows);
    $("scenario-compare").addEventListener("click", compare);
    $("scenario-uncertainty").addEventListener("click", showUncertainty);
    picker.addEventListener("change", () => { state.lastCompare = null; busy(false); });
  }
  function picked(side) {
    const box = document.querySelector("#scenario-picker input[name=scenario-" + side + "]:checked");
    return box ? box.value : "";
  }
  function busy(on) {
    $("scenario-flows").disabled = on;
    $("scenario-compare").disabled = on;
    $("scenario-uncertainty").disabled = on || !state.lastCompare;
  }
  function clearScenarioLayers() {
    map.getSource("flows").setData(EMPTY);
    map.getSource("compare").setData(EMPTY);
    state.scenarioShown = true;
    showLayers();
  }
  function dimLinks(dim) {
    map.setPaintProperty("links-solid", "line-opacity", dim ? 0.25
      : ["case", ["==", ["get", "status"], "under_construction"], 0.6, 0.95]);
    map.setPaintProperty("links-dashed", "line-opacity", dim ? 0.25 : 0.9);
  }
  async function showFlows() {
    const name = picked("a");
    if (!name) return;
    busy(true);
    $("uncertainty-result").innerHTML = "";
    showMessage("scenario-message", "Running " + scenarioTitle(name) + "…");
    try {
      const run = await api("/api/runs", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ scenario: name }) });
      const flows = await api("/api/runs/" + encodeURIComponent(name) + "/flows.geojson");
      clearScenarioLayers();
      const maxT = Math.max(1, ...flows.features.map((f) => f.properties.tonnes_per_year));
      map.setPaintProperty("flows", "line-width", ["interpolate", ["linear"], ["get", "tonnes_per_year"], 0, 1, maxT, 16]);
      map.getSource("flows").setData(flows);
      const s = run.summary;
      showMessage("scenario-message", scenarioTitle(name) + ": " + fmt(s.served_tonnes_per_year / 1e6) + " of " + fmt(s.demand_tonnes_per_year / 1e6) + " Mt a year served on " + flows.features.length + " links");
      let html = '<div class="ramp" data-style="background:linear-gradient(90deg,#ccc,#555)"></div><p class="small muted">Line width: tonnes a year (max ' + esc(fmt(maxT / 1e6)) + " Mt)</p>";
      html += "<h3>Transit by country — " + esc(scenarioTitle(name)) + "</h3>" + table([
        { key: "country_iso3", label: "country" },
        { key: "transit_tonnes", label: "transit Mt", num: true, render: (v) => esc(fmt(v / 1e6, 2)) },
        { key: "transit_tkm", label: "transit bn tkm", num: true, render: (v) => esc(fmt(v / 1e9, 2)) },
        { key: "transit_revenue_usd", label: "revenue M USD", num: true, render: (v) => esc(fmt(v / 1e6, 1)) },
      ], run.countries.filter((c) => c.transit_tonnes >= 1), { id: "run-countries" });
      if (s.unserved_flows && s.unserved_flows.length) {
        html += "<h3>Unserved flows</h3>" + table([{ key: "flow_id", label: "flow" }, { key: "reason", label: "why" }], s.unserved_flows);
      }
      $("scenario-result").innerHTML = html;
    } catch (error) {
      showMessage("scenario-message", errorText(error), true);
    } finally {
      busy(false);
    }
  }
  async function compare() {
    const a = picked("a"), b = picked("b");
    if (!a || !b) return;
    state.lastCompare = null;
    busy(true);
    $("uncertainty-result").innerHTML = "";
    showMessage("scenario-message", "Comparing " + scenarioTitle(a) + " → " + scenarioTitle(b) + " (runs each if needed)…");
    try {
      const cmp = await api("/api/compare", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ a: a, b: b }) });
      clearScenarioLayers();
      const fc = cmp.links_geojson;
      const m = Math.max(1, ...fc.features.map((f) => Math.abs(f.properties.delta_tonnes)));
      map.setPaintProperty("compare", "line-color", ["interpolate", ["linear"], ["get", "delta_tonnes"],
        -m, "#c0392b", -m / 50, "#f1948a", 0, "#bbbbbb", m / 50, "#85c1e9", m, "#2166ac"]);
      map.setPaintProperty("compare", "line-width", ["interpolate", ["linear"], ["abs", ["get", "delta_tonnes"]], 0, 1.5, m, 12]);
      map.getSource("compare").setData(fc);
      if (fc.features.length) fit(bboxOf(fc.features));
      showMessage("scenario-message", scenarioTitle(cmp.a) + " → " + scenarioTitle(cmp.b) + ": " + fc.features.length + " links changed");
      let html = '<div class="ramp" data-style="background:linear-gradient(90deg,#c0392b,#bbbbbb,#2166ac)"></div>' +
        '<p class="small muted">Red: tonnes lost on a link; blue: gained (largest change ' + esc(fmt(m / 1e6, 2)) + " Mt)</p>";
      const countries = cmp.countries.filter((c) => Math.max(c.transit_tonnes_a, c.transit_tonnes_b) >= 1);
      html += "<h3>Transit by country: " + esc(scenarioTitle(cmp.a)) + " → " + esc(scenarioTitle(cmp.b)) + "</h3>" + table([
        { key: "country_iso3", label: "country" },
        { key: "transit_tonnes_a", label: "A Mt", num: true, render: (v) => esc(fmt(v / 1e6, 2)) },
        { key: "transit_tonnes_b", label: "B Mt", num: true, render: (v) => esc(fmt(v / 1e6, 2)) },
        { key: "delta_transit_tonnes", label: "Δ Mt", num: true, render: (v) => '<span class="' + deltaClass(v / 1e6, 2) + '">' + esc(signed(v / 1e6, 2)) + "</span>" },
        { key: "delta_transit_revenue_usd", label: "Δ revenue M USD", num: true, render: (v) => '<span class="' + deltaClass(v / 1e6, 1) + '">' + esc(signed(v / 1e6, 1)) + "</span>" },
      ], countries, { id: "compare-countries", rowAttrs: (row) => 'data-country="' + esc(row.country_iso3) + '"' });
      const corridors = (cmp.corridors || []).filter((c) => c.delta_tonnes_per_year);
      if (corridors.length) {
        html += "<h3>Projects and corridors</h3>" + table([
          { key: "project_id", label: "project", render: (v) => esc(projectName(v)) },
          { key: "delta_tonnes_per_year", label: "Δ Mt", num: true, render: (v) => '<span class="' + deltaClass(v / 1e6, 2) + '">' + esc(signed(v / 1e6, 2)) + "</span>" },
        ], corridors, { id: "compare-corridors" });
      }
      const flows = (cmp.flows || []).filter((f) => f.now_bypasses || f.now_crosses);
      if (flows.length) {
        html += "<h3>Flows that change countries</h3>" + table([
          { key: "flow_id", label: "flow" }, { key: "now_bypasses", label: "bypasses" },
          { key: "now_crosses", label: "now crosses" },
          { key: "delta_cost_usd_per_t", label: "Δ cost USD/t", num: true, render: (v) => '<span class="' + deltaClass(-v) + '">' + esc(signed(v)) + "</span>" },
        ], flows, { id: "compare-flows" });
      }
      $("scenario-result").innerHTML = html;
      state.lastCompare = { a: cmp.a, b: cmp.b };
    } catch (error) {
      showMessage("scenario-message", errorText(error), true);
    } finally {
      busy(false);
    }
  }

  // ---------------------------------------------------------------- security: risk layer and events
  function asOf() {
    const v = $("risk-as-of").value;
    return /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : String(state.info.as_of).slice(0, 10);
  }
  function setupRisk() {
    const input = $("risk-as-of");
    input.value = String(state.info.as_of).slice(0, 10);
    $("risk-toggle").addEventListener("change", () => toggleRisk($("risk-toggle").checked));
    input.addEventListener("change", () => {
      if (state.riskOn) loadRisk();
      if (state.routes.length) loadRouteEvents();
    });
  }
  function setRiskVisible(on) {
    state.riskOn = on;
    showLayers();
  }
  async function toggleRisk(on) {
    state.riskOn = on;
    if (!on) {
      setRiskVisible(false);
      $("risk-legend").hidden = true;
      $("risk-zones").innerHTML = "";
      showMessage("risk-message", "");
      return;
    }
    await loadRisk();
  }
  async function loadRisk() {
    const day = asOf();
    showMessage("risk-message", "Loading the risk as of " + day + "…");
    try {
      const q = "?as_of=" + encodeURIComponent(day);
      const [risk, events] = await Promise.all([api("/api/security/risk" + q), api("/api/security/events" + q)]);
      if (!state.riskOn) return;
      state.risk = risk;
      state.events = events;
      const links = state.links.features.map((f) => ({ type: "Feature", geometry: f.geometry,
        properties: { link_id: f.properties.link_id, mode: f.properties.mode, risk: risk.links[f.properties.link_id] || 0 } }));
      const nodes = state.nodes.features.map((f) => {
        const p = risk.places[f.properties.node_id] || { zone_id: null, risk: 0 };
        return { type: "Feature", geometry: f.geometry,
          properties: { node_id: f.properties.node_id, name: f.properties.name, zone_id: p.zone_id, risk: p.risk } };
      });
      map.getSource("risk-links").setData({ type: "FeatureCollection", features: links });
      map.getSource("risk-nodes").setData({ type: "FeatureCollection", features: nodes });
      map.getSource("events").setData(events);
      setRiskVisible(true);
      renderRiskLegend(risk, events);
      showMessage("risk-message", "Risk as of " + risk.as_of + ": " + risk.zones.length + " zones, " +
        events.features.length + " of " + events.n_events + " events on the map" +
        (events.unplaced.length ? " (" + events.unplaced.length + " with no place to draw them)" : ""));
    } catch (error) {
      showMessage("risk-message", errorText(error), true);
    }
  }
  function renderRiskLegend(risk, events) {
    const stops = [];
    for (let i = 0; i < RISK_RAMP.length; i += 2) stops.push(RISK_RAMP[i + 1] + " " + (RISK_RAMP[i] * 100) + "%");
    let html = '<div class="ramp" data-style="background:linear-gradient(90deg,' + stops.join(",") + ')"></div>' +
      '<div class="ramp-labels small muted"><span>0</span><span>0.5</span><span>1</span></div>' +
      '<p class="small muted" id="risk-rule">Zone risk as of ' + esc(risk.as_of) + ": " + esc(risk.place_rule) +
      '; grey: no risk. A link: the ' + esc(risk.link_rule) + ". Purple circles: events up to that day, area by deaths; " +
      esc(events.placement_rule) + ".</p>";
    $("risk-legend").innerHTML = html;
    $("risk-legend").hidden = false;
    const zones = risk.zones.filter((z) => z.in_atlas);
    $("risk-zones").innerHTML = "<h3>Zones</h3>" + table([
      { key: "name", label: "zone", render: (v, z) => '<span title="' + esc(z.explanation) + '">' + esc(v) + "</span>" },
      { key: "risk", label: "risk", num: true, digits: 2 },
      { key: "event_risk", label: "events", num: true, digits: 2 },
      { key: "override", label: "analyst", num: true, digits: 2 },
      { key: "n_events", label: "n", num: true, digits: 0 },
      { key: "fatalities", label: "deaths", num: true, digits: 0 },
    ], zones, { id: "risk-zones-table", rowAttrs: (z) => 'data-zone="' + esc(z.zone_id) + '"' }) +
      '<p class="small muted">risk = ' + esc(risk.model.blend) + " of the event-based part and the analysts' figure (hover a zone for why).</p>";
  }
  function eventById(id) {
    const all = [...((state.events && state.events.features) || []), ...((state.routeEvents && state.routeEvents.features) || [])];
    return all.find((f) => f.properties.event_id === id) || null;
  }
  function eventHtml(p) {
    const titles = (p.sources || []).map((s) => esc(s.title) + (s.publisher ? " (" + esc(s.publisher) + (s.date ? ", " + esc(s.date) : "") + ")" : "")).join("<br>");
    let html = "<h4>" + esc(p.event_date) + " · " + esc(p.event_type) + "</h4><dl>";
    const rows = [["type", p.sub_event_type], ["actors", p.actors], ["fatalities", p.fatalities === null ? "not given" : p.fatalities],
      ["events counted", p.event_count > 1 ? p.event_count : null], ["where", [p.location, p.admin1, p.country].filter(Boolean).join(", ")],
      ["zone", p.zone_id], ["placed at", p.placement], ["along route", p.along], ["notes", p.notes]];
    for (const [k, v] of rows) if (v !== null && v !== undefined && v !== "") html += "<dt>" + esc(k) + "</dt><dd>" + esc(v) + "</dd>";
    return html + "<dt>sources</dt><dd>" + titles + "</dd></dl>";
  }
  function eventPopup(lngLat, hits) {
    const seen = new Set();
    const parts = [];
    for (const h of hits) {
      const id = h.properties.event_id;
      if (seen.has(id)) continue;
      seen.add(id);
      const f = eventById(id);
      if (f) parts.push(eventHtml(f.properties));
    }
    if (!parts.length) return;
    const html = (parts.length > 1 ? '<p class="small muted">' + parts.length + " events here</p>" : "") + parts.join("<hr>");
    new maplibregl.Popup({ maxWidth: "360px", className: "event-popup" }).setLngLat(lngLat).setHTML('<div class="event-list">' + html + "</div>").addTo(map);
  }
  async function loadRouteEvents() {
    const el = $("route-events");
    const r = state.routes[state.selectedRoute];
    if (!el || !r) return;
    const seq = ++state.routeEventsSeq;
    el.innerHTML = '<p class="small muted">Looking for events along this route…</p>';
    const params = new URLSearchParams();
    params.set("as_of", asOf());
    params.set("along", r.node_ids.join(","));
    try {
      const fc = await api("/api/security/events?" + params.toString());
      if (seq !== state.routeEventsSeq) return;
      state.routeEvents = fc;
      let html = "<h3>Events along this route</h3><p class=\"small muted\" id=\"route-events-rule\">As of " + esc(fc.as_of) + ": " + esc(fc.along.rule) + ".</p>";
      if (!fc.features.length) {
        html += '<p class="small" id="route-no-events">No events along this route up to ' + esc(fc.as_of) + ".</p>";
      } else {
        html += table([
          { key: "event_date", label: "date" },
          { key: "event_type", label: "type", render: (v, p) => esc(v) + '<br><span class="muted">' + esc(p.sub_event_type) + "</span>" },
          { key: "actors", label: "actors" },
          { key: "fatalities", label: "deaths", num: true, digits: 0 },
          { key: "along", label: "why" },
        ], fc.features.map((f) => f.properties), { id: "route-events-table", rowAttrs: (p) => 'class="clickable" data-event="' + esc(p.event_id) + '"' });
      }
      el.innerHTML = html;
      for (const tr of el.querySelectorAll("tr[data-event]")) {
        tr.addEventListener("click", () => {
          const f = fc.features.find((x) => x.properties.event_id === tr.dataset.event);
          if (!f) return;
          map.easeTo({ center: f.geometry.coordinates, duration: 0 });
          eventPopup({ lng: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] }, [f]);
        });
      }
    } catch (error) {
      if (seq !== state.routeEventsSeq) return;
      el.innerHTML = '<p class="small error">Events along this route: ' + esc(errorText(error)) + "</p>";
    }
  }

  // ---------------------------------------------------------------- uncertainty: an ensemble of A → B
  function tonnesUnit(maxAbs) {
    if (maxAbs >= 1e5) return { div: 1e6, label: "Mt", digits: 2 };
    if (maxAbs >= 100) return { div: 1e3, label: "kt", digits: 1 };
    return { div: 1, label: "t", digits: 0 };
  }
  function svgEl(name, attrs, text) {
    const el = document.createElementNS(SVG_NS, name);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    if (text !== undefined) el.textContent = text;
    return el;
  }
  function niceTicks(lo, hi, n) {
    const span = hi - lo || 1;
    const step0 = Math.pow(10, Math.floor(Math.log10(span / n)));
    const step = [1, 2, 5, 10].map((m) => m * step0).find((s) => span / s <= n) || step0 * 10;
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Math.abs(v) < 1e-12 ? 0 : v);
    return out;
  }
  function uncertaintyChart(rows, metric, unit) {
    // One row per country: bar = 5th..95th percentile of the draws, dot = mean; zero line.
    const W = 380, rowH = 20, top = 8, bottom = 28, left = 46, right = 12;
    const H = top + rows.length * rowH + bottom;
    let lo = 0, hi = 0;
    for (const r of rows) { lo = Math.min(lo, r[metric + "_p5"], r[metric + "_mean"]); hi = Math.max(hi, r[metric + "_p95"], r[metric + "_mean"]); }
    if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
    const pad = (hi - lo) * 0.04;
    lo -= pad; hi += pad;
    const x = (v) => left + ((v - lo) / (hi - lo)) * (W - left - right);
    const svg = svgEl("svg", { id: "uncertainty-chart", viewBox: "0 0 " + W + " " + H, width: "100%", role: "img",
      "aria-label": "Change in transit by country: mean and 5–95% band of the draws" });
    const axisY = top + rows.length * rowH;
    for (const t of niceTicks(lo / unit.div, hi / unit.div, 5)) {
      const tx = x(t * unit.div);
      svg.appendChild(svgEl("line", { x1: tx, x2: tx, y1: top, y2: axisY, class: t === 0 ? "zero" : "grid" }));
      svg.appendChild(svgEl("text", { x: tx, y: axisY + 12, class: "tick", "text-anchor": "middle" }, fmt(t)));
    }
    svg.appendChild(svgEl("text", { x: (left + W - right) / 2, y: axisY + 25, class: "axis-label", "text-anchor": "middle" },
      (metric.startsWith("delta") ? "change in transit, " : "transit, ") + unit.label + " a year"));
    rows.forEach((r, i) => {
      const y = top + i * rowH + rowH / 2;
      const mean = r[metric + "_mean"], p5 = r[metric + "_p5"], p95 = r[metric + "_p95"];
      const cls = metric.startsWith("delta") ? (mean > 1 ? "gain" : mean < -1 ? "loss" : "flat") : "level";
      const g = svgEl("g", { class: "band-row " + cls, "data-country": r.country_iso3 });
      g.appendChild(svgEl("title", {}, r.country_iso3 + ": mean " + signed(mean / unit.div, unit.digits) + " " + unit.label +
        ", 5–95% " + fmt(p5 / unit.div, unit.digits) + " to " + fmt(p95 / unit.div, unit.digits) +
        (r.p_gain !== undefined ? "; P(gain) " + fmt(r.p_gain, 2) + ", P(loss) " + fmt(r.p_loss, 2) : "")));
      g.appendChild(svgEl("text", { x: left - 6, y: y + 4, class: "label", "text-anchor": "end" }, r.country_iso3));
      g.appendChild(svgEl("line", { x1: x(p5), x2: x(p95), y1: y, y2: y, class: "band" }));
      g.appendChild(svgEl("circle", { cx: x(mean), cy: y, r: 4, class: "mean" }));
      svg.appendChild(g);
    });
    return svg;
  }
  async function showUncertainty() {
    const cmp = state.lastCompare;
    if (!cmp) return;
    const draws = Math.max(1, Math.min(500, Number($("ensemble-draws").value) || 200));
    busy(true);
    $("uncertainty-result").innerHTML = "";
    showMessage("scenario-message", "Drawing " + draws + " times: " + cmp.b + " against " + cmp.a + "…");
    try {
      const ens = await api("/api/ensembles", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ scenario: cmp.b, vs: cmp.a, draws: draws, seed: 1 }) });
      const metric = ens.metric;
      const rows = ens.countries.filter((c) => c[metric + "_mean"] !== undefined && c[metric + "_mean"] !== null &&
        Math.max(Math.abs(c[metric + "_p5"]), Math.abs(c[metric + "_p95"]), Math.abs(c[metric + "_mean"])) >= 1)
        .sort((p, q) => q[metric + "_mean"] - p[metric + "_mean"]);
      const maxAbs = Math.max(0, ...rows.map((r) => Math.max(Math.abs(r[metric + "_p5"]), Math.abs(r[metric + "_p95"]))));
      const unit = tonnesUnit(maxAbs);
      const el = $("uncertainty-result");
      let html = "<h3>Uncertainty: " + esc(ens.reference || "") + " → " + esc(ens.scenario) + "</h3>" +
        '<p class="small muted" id="uncertainty-meta">' + esc(ens.succeeded) + " of " + esc(ens.draws) + " draws (seed " + esc(ens.seed) + "), " +
        esc(ens.inputs) + " uncertain inputs" + (ens.uncertain_projects && ens.uncertain_projects.length ? " incl. completion of " + esc(ens.uncertain_projects.join(", ")) : "") +
        ". Dot: mean; bar: 5–95% of the draws. Countries whose transit changes by 1 t a year or more in some draw, sorted by the mean.</p>";
      if (ens.failed) html += '<p class="small error">' + esc(ens.failed) + " draws failed: " + esc((ens.failures[0] || {}).reason || "") + "</p>";
      el.innerHTML = html;
      if (!rows.length) {
        el.insertAdjacentHTML("beforeend", '<p class="small" id="uncertainty-none">No country\'s transit changes in any draw.</p>');
      } else {
        const box = document.createElement("div");
        box.className = "chart";
        box.appendChild(uncertaintyChart(rows, metric, unit));
        el.appendChild(box);
        const pcol = (key, label) => ({ key: key, label: label, num: true, render: (v) => esc(v === undefined || v === null ? "" : fmt(v * 100, 0) + "%") });
        el.insertAdjacentHTML("beforeend", table([
          { key: "country_iso3", label: "country" },
          { key: metric + "_mean", label: "mean " + unit.label, num: true, render: (v) => '<span class="' + deltaClass(v / unit.div, unit.digits) + '">' + esc(signed(v / unit.div, unit.digits)) + "</span>" },
          { key: metric + "_p5", label: "5%", num: true, render: (v) => esc(signed(v / unit.div, unit.digits)) },
          { key: metric + "_p95", label: "95%", num: true, render: (v) => esc(signed(v / unit.div, unit.digits)) },
          ...(metric.startsWith("delta") ? [pcol("p_gain", "P(gain)"), pcol("p_loss", "P(loss)")] : []),
          { key: "drivers", label: "main driver", render: (v) => '<span class="small" title="' + esc(v) + '">' + esc(String(v || "").split("; ")[0]) + "</span>" },
        ], rows, { id: "uncertainty-table", rowAttrs: (r) => 'data-country="' + esc(r.country_iso3) + '"' }));
      }
      showMessage("scenario-message", cmp.a + " → " + cmp.b + ": " + ens.succeeded + " draws in " + fmt(ens.draw_seconds, 1) + " s (" + rows.length + " countries change)");
    } catch (error) {
      showMessage("scenario-message", errorText(error), true);
    } finally {
      busy(false);
    }
  }

  // ---------------------------------------------------------------- tabs and start
  // One visible layer set per view: the atlas (with its project highlight), the route, the
  // scenario flows or comparison, or the risk layer (the atlas tab with Risk ticked). What
  // belongs to another tab leaves the map until that tab is chosen again.
  const VIEW_LAYERS = {
    atlas: ["project-halo"],
    route: ["route-casing", "route-line"],
    scenarios: ["flows", "compare"],
    risk: ["risk-links", "risk-nodes", "events"],
  };
  const BASE_LAYERS = ["links-solid", "links-dashed", "nodes"];
  function currentTab() {
    const b = document.querySelector(".tabs button[aria-selected=true]");
    return b ? b.dataset.tab : "atlas";
  }
  function currentView() {
    const tab = currentTab();
    return tab === "atlas" && state.riskOn ? "risk" : tab;
  }
  function showLayers() {
    if (!map || !map.getLayer("route-line")) return;
    const view = currentView();
    for (const [v, ids] of Object.entries(VIEW_LAYERS)) {
      for (const id of ids) map.setLayoutProperty(id, "visibility", v === view ? "visible" : "none");
    }
    for (const id of BASE_LAYERS) map.setLayoutProperty(id, "visibility", view === "risk" ? "none" : "visible");
    // The atlas's links fade behind flows and changes, so that these stand out.
    dimLinks(view === "scenarios" && !!state.scenarioShown);
    document.documentElement.dataset.view = view;
  }
  function setupTabs() {
    for (const button of document.querySelectorAll(".tabs button")) {
      button.addEventListener("click", () => {
        for (const b of document.querySelectorAll(".tabs button")) b.setAttribute("aria-selected", String(b === button));
        for (const s of document.querySelectorAll(".tab")) s.hidden = s.id !== "tab-" + button.dataset.tab;
        showLayers();
      });
    }
  }
  function markReady() {
    window.caravanMapReady = true;
    document.documentElement.dataset.mapReady = "true";
    if (window.performance && performance.mark) performance.mark("caravan-map-ready");
  }

  async function start() {
    setupTabs();
    renderLegend();
    try {
      const [info, nodes, links, projects, sources, places] = await Promise.all([
        api("/api/atlas"), api("/api/atlas/nodes.geojson"), api("/api/atlas/links.geojson"),
        api("/api/atlas/projects"), api("/api/atlas/sources"), api("/api/places"),
      ]);
      Object.assign(state, { info, nodes, links, projects, places });
      MODE_COLORS = modeColors(info.mode_colours);
      renderLegend();
      for (const s of sources) state.sources[s.source_id] = s;
      $("atlas-name").textContent = info.name + " " + info.version + " (as of " + info.as_of + "): " +
        nodes.features.length + " places, " + links.features.length + " links";
    } catch (error) {
      $("atlas-name").textContent = "Could not load the atlas: " + errorText(error);
      $("atlas-name").classList.add("error");
      return;
    }
    renderProjects();
    setupRouteForm();
    setupScenarios();
    setupRisk();
    createMap();
  }
  start();
})();
