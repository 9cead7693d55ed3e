/* Offline API docs: render /openapi.json as a list of operations with a small "try it" form. */
"use strict";

(function () {
  const esc = (v) => String(v === null || v === undefined ? "" : v)
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

  function resolve(spec, schema) {
    let s = schema || {};
    for (let i = 0; i < 10 && s.$ref; i++) {
      const parts = s.$ref.replace(/^#\//, "").split("/");
      s = parts.reduce((o, k) => (o ? o[k] : undefined), spec) || {};
    }
    return s;
  }
  function typeOf(spec, schema) {
    const s = resolve(spec, schema);
    if (s.anyOf) return s.anyOf.map((x) => typeOf(spec, x)).join(" | ");
    if (s.enum) return s.enum.map((x) => JSON.stringify(x)).join(" | ");
    if (s.type === "array") return typeOf(spec, s.items) + "[]";
    let t = s.type || s.title || "object";
    const bounds = [];
    if (s.minimum !== undefined) bounds.push("≥ " + s.minimum);
    if (s.exclusiveMinimum !== undefined) bounds.push("> " + s.exclusiveMinimum);
    if (s.maximum !== undefined) bounds.push("≤ " + s.maximum);
    if (s.maxLength !== undefined) bounds.push("≤ " + s.maxLength + " chars");
    if (s.pattern) bounds.push("pattern " + s.pattern);
    if (bounds.length) t += " (" + bounds.join(", ") + ")";
    return t;
  }
  function bodyExample(spec, schema) {
    const s = resolve(spec, schema);
    const out = {};
    for (const [k, v] of Object.entries(s.properties || {})) {
      const p = resolve(spec, v);
      out[k] = p.examples ? p.examples[0] : p.default !== undefined ? p.default : "";
    }
    return JSON.stringify(out, null, 2);
  }

  function render(spec) {
    document.title = spec.info.title + " API " + spec.info.version;
    document.getElementById("summary").innerHTML = "<strong>" + esc(spec.info.title) + " " +
      esc(spec.info.version) + "</strong> — " + esc(spec.info.summary || "") + "<br>" +
      esc(spec.info.description || "");
    const main = document.getElementById("paths");
    const toc = document.getElementById("toc");
    let n = 0;
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(item)) {
        n += 1;
        const id = "op-" + n;
        toc.insertAdjacentHTML("beforeend", '<a href="#' + id + '">' + esc(method.toUpperCase() + " " + path) + "</a>");
        let html = '<section class="op" id="' + id + '"><h3><span class="method ' + esc(method) + '">' +
          esc(method.toUpperCase()) + "</span>" + esc(path) + "</h3>";
        html += "<p>" + esc(op.summary || "") + "</p>";
        if (op.description) html += "<pre>" + esc(op.description) + "</pre>";
        const params = op.parameters || [];
        if (params.length) {
          html += "<table><thead><tr><th>parameter</th><th>in</th><th>type</th><th>default</th><th>description</th></tr></thead><tbody>";
          for (const p of params) {
            const sch = resolve(spec, p.schema);
            html += "<tr><td><code>" + esc(p.name) + "</code>" + (p.required ? " *" : "") + "</td><td>" + esc(p.in) +
              "</td><td>" + esc(typeOf(spec, p.schema)) + "</td><td>" + esc(sch.default === undefined ? "" : JSON.stringify(sch.default)) +
              "</td><td>" + esc(p.description || sch.description || "") + "</td></tr>";
          }
          html += "</tbody></table>";
        }
        const body = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
        if (body) html += "<p>Body (JSON): <code>" + esc(typeOf(spec, body.schema)) + "</code></p>";
        html += "<table><thead><tr><th>status</th><th>meaning</th></tr></thead><tbody>";
        for (const [code, r] of Object.entries(op.responses || {})) {
          html += "<tr><td>" + esc(code) + "</td><td>" + esc(r.description || "") + "</td></tr>";
        }
        html += "</tbody></table>";
        html += '<form class="try" data-method="' + esc(method) + '" data-path="' + esc(path) + '">';
        for (const p of params) {
          const many = resolve(spec, p.schema).type === "array";
          html += '<label>' + esc(p.name) + ' <input name="' + esc(p.name) + '" data-in="' + esc(p.in) + '"' +
            (many ? ' data-array="true" placeholder="a, b, …"' : "") + "></label>";
        }
        if (body) html += '<br><textarea name="__body" rows="3" cols="50">' + esc(bodyExample(spec, body.schema)) + "</textarea>";
        html += ' <button type="submit">Try it</button><pre hidden></pre></form></section>';
        main.insertAdjacentHTML("beforeend", html);
      }
    }
    for (const form of document.querySelectorAll("form.try")) form.addEventListener("submit", tryIt);
  }

  async function tryIt(ev) {
    ev.preventDefault();
    const form = ev.target;
    let path = form.dataset.path;
    const query = new URLSearchParams();
    for (const input of form.querySelectorAll("input")) {
      if (!input.value) continue;
      if (input.dataset.in === "path") path = path.replace("{" + input.name + "}", encodeURIComponent(input.value));
      else if (input.dataset.in === "query" && input.dataset.array) for (const v of input.value.split(",")) query.append(input.name, v.trim());
      else if (input.dataset.in === "query") query.append(input.name, input.value.trim());
    }
    const opts = { method: form.dataset.method.toUpperCase(), headers: {} };
    const body = form.querySelector("textarea");
    if (body) { opts.body = body.value; opts.headers["Content-Type"] = "application/json"; }
    const out = form.querySelector("pre");
    out.hidden = false;
    out.textContent = "…";
    try {
      const qs = query.toString();
      const response = await fetch(window.location.origin + path + (qs ? "?" + qs : ""), opts);
      const text = await response.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
      out.textContent = response.status + " " + response.statusText + "\n" + shown.slice(0, 20000);
    } catch (error) {
      out.textContent = String(error);
    }
  }

  fetch(window.location.origin + "/openapi.json")
    .then((r) => r.json())
    .then(render)
    .catch((e) => { document.getElementById("summary").textContent = "Could not read /openapi.json: " + e; });
})();
