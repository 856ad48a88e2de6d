/* The home page's query forms: run SPARQL or Cypher and show the answer as a table.
   Results are shown with textContent only. */
(function () {
  "use strict";
  const home = JSON.parse(document.getElementById("home-data").textContent);

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function headers(extra) {
    const key = document.getElementById("api-key");
    return Object.assign(key && key.value ? {"X-API-Key": key.value} : {}, extra);
  }

  function table(columns, rows) {
    const t = el("table");
    const head = el("tr");
    columns.forEach(function (c) { head.appendChild(el("th", c)); });
    t.appendChild(head);
    rows.forEach(function (row) {
      const tr = el("tr");
      row.forEach(function (cell) {
        tr.appendChild(el("td", cell === null || cell === undefined ? "" :
                                typeof cell === "object" ? JSON.stringify(cell) : cell));
      });
      t.appendChild(tr);
    });
    return t;
  }

  function showError(target, response, text) {
    target.replaceChildren(el("p", "HTTP " + response.status + ": " + text, "error"));
  }

  document.querySelectorAll(".examples button").forEach(function (button) {
    button.addEventListener("click", function () {
      const lang = button.dataset.target === "sparql-query" ? "sparql" : "cypher";
      const example = home.examples[lang][Number(button.dataset.example)];
      document.getElementById(button.dataset.target).value = example.query;
      if (lang === "cypher") document.getElementById("cypher-params").value = example.params_json;
    });
  });

  document.getElementById("run-sparql").addEventListener("click", async function () {
    const target = document.getElementById("sparql-result");
    target.replaceChildren(el("p", "running…", "muted"));
    const response = await fetch("/sparql", {method: "POST", body: document.getElementById("sparql-query").value,
      headers: headers({"Content-Type": "application/sparql-query",
                        "Accept": "application/sparql-results+json, text/turtle;q=0.9"})});
    const type = response.headers.get("content-type") || "";
    if (!response.ok) return showError(target, response, await response.text());
    if (type.indexOf("json") < 0) return target.replaceChildren(el("pre", await response.text(), "out"));
    const data = await response.json();
    if (data.boolean !== undefined) return target.replaceChildren(el("p", "answer: " + data.boolean));
    const vars = data.head.vars;
    const rows = data.results.bindings.map(function (b) { return vars.map(function (v) { return b[v] ? b[v].value : ""; }); });
    target.replaceChildren(table(vars, rows), el("p", rows.length + " row(s)", "muted"));
  });

  document.getElementById("run-cypher").addEventListener("click", async function () {
    const target = document.getElementById("cypher-result");
    let params;
    try {
      params = JSON.parse(document.getElementById("cypher-params").value || "{}");
    } catch (e) {
      return target.replaceChildren(el("p", "The parameters are not valid JSON: " + e.message, "error"));
    }
    target.replaceChildren(el("p", "running…", "muted"));
    const response = await fetch("/cypher", {method: "POST", headers: headers({"Content-Type": "application/json"}),
      body: JSON.stringify({query: document.getElementById("cypher-query").value, params: params})});
    const data = await response.json();
    if (!response.ok) return showError(target, response, typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail));
    target.replaceChildren(table(data.columns, data.rows), el("p", data.rows.length + " row(s)", "muted"));
  });
})();
