/* The network view: draws the server's JSON with vis-network, filters, search and node details.
   Text from the data never goes through innerHTML: it is drawn on the canvas or set with textContent. */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("graph-data").textContent);
  const status = document.getElementById("status");
  const details = document.getElementById("details");

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function link(href, text) {
    const a = el("a", text);
    a.href = href;  // always a same-origin path built by the server ("/organisations/...")
    return a;
  }

  function tooltip(n) {
    const box = el("div");
    box.appendChild(el("strong", n.name));
    box.appendChild(el("div", n.type_label, "muted"));
    if (n.aliases.length) box.appendChild(el("div", "also: " + n.aliases.join(", ")));
    box.appendChild(el("div", (n.value - 1) + " link(s); click for details", "muted"));
    return box;
  }

  const nodes = new vis.DataSet(data.nodes.map(function (n) { return Object.assign({}, n, {title: tooltip(n)}); }));
  const edges = new vis.DataSet(data.edges.map(function (e, i) {
    return Object.assign({id: "e" + i, title: e.label}, e);
  }));
  const hiddenTypes = new Set();
  let theme = data.theme || "";

  function passes(n) {
    return !!n && !hiddenTypes.has(n.type) && (!theme || n.themes.indexOf(theme) >= 0);
  }
  if (theme) refresh();
  const network = new vis.Network(document.getElementById("network"), {nodes: nodes, edges: edges}, data.options);

  function stable() {
    network.setOptions({physics: false});
    status.textContent = "";
    document.body.dataset.stable = "true";
  }
  if (data.nodes.length === 0) stable();
  network.once("stabilizationIterationsDone", stable);
  network.on("stabilizationProgress", function (p) {
    status.textContent = "laying out the network… " + Math.round(100 * p.iterations / p.total) + "%";
  });

  /* Hiding sets vis's `hidden` flag instead of removing nodes, so a node shown again comes back where it
     was (with the physics off after the layout) instead of being re-added at the centre. */
  function refresh() {
    nodes.update(nodes.get().map(function (n) { return {id: n.id, hidden: !passes(n)}; }));
    document.getElementById("counts").textContent =
      shown().length + " of " + data.total_nodes + " entities shown";
  }
  function shown() { return nodes.get({filter: function (n) { return !n.hidden; }}); }
  document.querySelectorAll("#types input[data-type]").forEach(function (box) {
    box.addEventListener("change", function () {
      if (box.checked) hiddenTypes.delete(box.dataset.type); else hiddenTypes.add(box.dataset.type);
      refresh();
    });
  });
  document.getElementById("theme").addEventListener("change", function (event) {
    if (data.limited || data.theme) {  // not every entity is drawn: ask the server for this theme's best-connected
      const params = new URLSearchParams(window.location.search);
      if (event.target.value) params.set("theme", event.target.value); else params.delete("theme");
      window.location.search = params.toString();
      return;
    }
    theme = event.target.value;
    refresh();
  });

  document.getElementById("search").addEventListener("input", function (event) {
    const q = event.target.value.trim().toLowerCase();
    const out = document.getElementById("search-result");
    if (!q) { network.unselectAll(); out.textContent = ""; return; }
    const found = nodes.get({filter: function (n) {
      return !n.hidden && n.name.toLowerCase().indexOf(q) >= 0 || n.aliases.some(function (a) { return a.toLowerCase().indexOf(q) >= 0; });
    }}).map(function (n) { return n.id; });
    network.selectNodes(found);
    out.textContent = found.length + " match(es)";
    if (found.length) {
      network.focus(found[0], {scale: 1.2, animation: {duration: 400}});
      show(found[0]);
    }
  });

  function section(title, items, render) {
    if (!items || !items.length) return;
    details.appendChild(el("h3", title.replace(/_/g, " ")));
    const list = el("ul");
    items.forEach(function (item) { list.appendChild(render(item)); });
    details.appendChild(list);
  }

  function entityItem(item) {
    const li = el("li");
    const path = {Organisation: "organisations", Person: "people", Programme: "programmes",
                  Agreement: "agreements", Theme: "themes"}[item.kind];
    li.appendChild(path ? link("/" + path + "/" + item.id.split("/").map(encodeURIComponent).join("/"), item.name)
                        : el("span", item.name));
    if (item.role) li.appendChild(el("span", " (" + item.role + ")", "muted"));
    return li;
  }

  function sourceItem(source) {
    const li = el("li", source.title || source.key || source.graph);
    if (source.path) li.appendChild(el("div", source.path, "muted"));
    li.appendChild(el("div", source.kind + (source.date ? ", " + source.date : ""), "muted"));
    return li;
  }

  function show(id) {
    const n = nodes.get(id);
    if (!n) return;
    details.replaceChildren(el("h2", n.name), el("div", n.type_label + " · " + n.entity_id, "muted"));
    if (n.aliases.length) details.appendChild(el("p", "Also known as: " + n.aliases.join(", ")));
    const links = el("p");
    links.appendChild(link(n.detail_url, "details as JSON"));
    if (n.ego_url) { links.appendChild(document.createTextNode(" · ")); links.appendChild(link(n.ego_url, "its network")); }
    details.appendChild(links);
    const loading = el("p", "loading sources…", "muted");
    details.appendChild(loading);
    fetch(n.detail_url, {headers: {Accept: "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (detail) {
        if (nodes.get(id) && details.firstChild && details.firstChild.textContent !== n.name) return;
        loading.remove();
        Object.keys(detail).forEach(function (key) {
          const value = detail[key];
          if (key === "sources" || !Array.isArray(value) || !value.length) return;
          if (value[0].name !== undefined) section(key, value, entityItem);
          else if (value[0].organisation) section(key, value, function (m) {
            return entityItem(Object.assign({}, m.organisation, {role: m.role}));
          });
        });
        section("sources", detail.sources, sourceItem);
        details.dataset.loaded = id;
      })
      .catch(function (error) { loading.textContent = "could not load the details (" + error.message + ")"; });
  }
  network.on("click", function (params) { if (params.nodes.length) show(params.nodes[0]); });

  window.collabgraph = {network: network, nodes: nodes, edges: edges};
})();
