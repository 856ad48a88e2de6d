/* The organisation network (/network): draws the server's JSON with vis-network at the server's positions
   (no physics, so it is interactive at once and a hidden then re-shown node comes back where it was), opens
   communities on click, shows an organisation's partners, and finds any organisation on the server.
   Text from the data never goes through innerHTML: it is drawn on the canvas or set with textContent. */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("network-data").textContent);
  const details = document.getElementById("details");
  const status = document.getElementById("status");
  const counts = document.getElementById("counts");
  const depth = data.query.depth || 2;

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }
  function link(href, text) {
    const a = el("a", text);
    a.href = href;  // same-origin paths built from ids
    return a;
  }
  function path(id) { return id.split("/").map(encodeURIComponent).join("/"); }
  function pageUrl(entityId) { return "/" + path(entityId); }
  function egoUrl(entityId) { return "/network?ego=" + encodeURIComponent(entityId) + "&depth=" + depth; }

  function nodeTooltip(n) {
    const box = el("div");
    box.appendChild(el("strong", n.name));
    if (n.kind === "cluster") {
      box.appendChild(el("div", n.count + " organisations; click to open", "muted"));
    } else {
      box.appendChild(el("div", n.type_label + (n.region ? " · " + n.region : ""), "muted"));
      box.appendChild(el("div", n.degree + " partner(s) here; click for the list", "muted"));
    }
    return box;
  }
  function edgeTooltip(e) {
    const box = el("div");
    if (e.pairs !== undefined) {
      box.appendChild(el("div", e.pairs + " partnership(s) between these communities"));
      return box;
    }
    box.appendChild(el("strong", e.link_count + " link(s)"));
    const list = el("ul");
    e.links.forEach(function (l) { list.appendChild(el("li", l.name + (l.date ? " (" + l.date + ")" : ""))); });
    if (e.link_count > e.links.length) list.appendChild(el("li", "… and " + (e.link_count - e.links.length) + " more"));
    box.appendChild(list);
    return box;
  }
  /* Link names along the edges only when asked for ("show link names"): they cover the drawing, and the
     tooltip of an edge lists them anyway. */
  const linkNames = document.getElementById("link-names");
  function edgeId(a, b) { return a < b ? a + " " + b : b + " " + a; }
  function edgeLabel(e) {
    return linkNames.checked && e.links && e.links.length ? e.links.map(function (l) { return l.label; }).join("; ") : undefined;
  }
  function edgeItem(e) { return Object.assign({id: edgeId(e.from, e.to)}, e, {label: edgeLabel(e)}); }

  /* The server sizes every node and its label (canvas units) and places it so no label covers another:
     draw them as given (`size` is vis's radius; a community's member count moves to `count`). */
  function nodeItem(n) {
    const item = Object.assign({}, n, {count: n.size, size: n.radius, font: {size: n.font_size}});
    delete item.value;
    if (n.focus) Object.assign(item, {borderWidth: 4, color: {border: "#000000"}});
    return item;
  }
  const nodes = new vis.DataSet(data.nodes.map(nodeItem));  // tooltips are made on the first hover: thousands load faster
  const edges = new vis.DataSet(data.edges.map(edgeItem));
  const options = {
    groups: data.groups,
    physics: false,
    layout: {improvedLayout: false},
    // Labels smaller than 8 px on screen are not drawn (zoom in for them) rather than drawn unreadable.
    nodes: {font: {size: 12, face: "sans-serif"}, scaling: {label: {drawThreshold: 8}}},
    edges: {smooth: false, color: {color: "#7d8ba0", highlight: "#1f3a5f"}, scaling: {min: 1.5, max: 12},
            font: {size: 9, align: "middle", color: "#555555", strokeWidth: 3}},
    interaction: {hover: true, tooltipDelay: 150, hideEdgesOnDrag: data.edges.length > 1500}
  };
  const network = new vis.Network(document.getElementById("network"), {nodes: nodes, edges: edges}, options);
  // The first fit() frames the nodes before their labels are measured: fit again once they are, so the
  // labels at the edges show whole.
  network.once("afterDrawing", function () {
    network.fit({animation: false});
    document.body.dataset.stable = "true";
  });
  network.on("hoverNode", function (params) {
    const n = nodes.get(params.node);
    if (n && !n.title) nodes.update({id: n.id, title: nodeTooltip(n)});
  });
  network.on("hoverEdge", function (params) {
    const e = edges.get(params.edge);
    if (e && !e.title) edges.update({id: e.id, title: edgeTooltip(e)});
  });

  function updateCounts() {
    const shown = nodes.get({filter: function (n) { return !n.hidden; }}).length;
    counts.textContent = shown + " nodes, " + edges.length + " edges drawn; " + data.total_nodes +
      " organisations and " + data.total_edges + " partnerships match.";
  }

  /* Show or hide a type: the nodes keep their positions (vis keeps a hidden node where it was). */
  const hiddenTypes = new Set();
  function applyHidden(items) {
    nodes.update(items.map(function (n) { return {id: n.id, hidden: hiddenTypes.has(n.type)}; }));
  }
  document.querySelectorAll("#types input[data-type]").forEach(function (box) {
    box.addEventListener("change", function () {
      if (box.checked) hiddenTypes.delete(box.dataset.type); else hiddenTypes.add(box.dataset.type);
      applyHidden(nodes.get({filter: function (n) { return n.type === box.dataset.type; }}));
      updateCounts();
    });
  });

  /* Opening a community: its members replace its node, around where it was; the partnerships leaving it go
     to the organisation when that is drawn, else to the community that holds it. */
  function expand(cluster) {
    const c = nodes.get(cluster);
    status.textContent = "opening " + c.label + "…";
    const sep = data.json_url.indexOf("?") >= 0 ? "&" : "?";
    fetch(data.json_url + sep + "cluster=" + c.cluster, {headers: {Accept: "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (opened) {
        edges.remove(network.getConnectedEdges(cluster));
        nodes.remove(cluster);
        nodes.add(opened.nodes.map(function (n) {
          return Object.assign(nodeItem(n), {x: n.x + c.x, y: n.y + c.y, hidden: hiddenTypes.has(n.type)});
        }));
        edges.update(opened.edges.map(edgeItem));
        const merged = {};
        opened.leaving.forEach(function (e) {
          if (nodes.get(e.to)) { edges.update(edgeItem(e)); return; }
          const target = "cluster:" + e.to_cluster;
          if (!nodes.get(target)) return;  // not drawn (left out of a capped community)
          const id = edgeId(e.from, target);
          merged[id] = merged[id] || {id: id, from: e.from, to: target, value: 0, pairs: 0};
          merged[id].value += 1;
          merged[id].pairs += 1;
        });
        edges.update(Object.keys(merged).map(function (k) { return edgeItem(merged[k]); }));
        network.fit({nodes: opened.nodes.map(function (n) { return n.id; }), animation: false});
        status.textContent = opened.notice || "";
        document.body.dataset.opened = (document.body.dataset.opened ? document.body.dataset.opened + " " : "") + c.cluster;
        updateCounts();
      })
      .catch(function (error) { status.textContent = "could not open the community (" + error.message + ")"; });
  }

  /* The details panel: type, region, links, and the partners (fetched: not every partner is drawn). */
  function show(id) {
    const n = nodes.get(id);
    if (!n) return;
    if (n.kind === "cluster") {
      details.replaceChildren(el("h2", n.name), el("p", n.count + " organisations. Opening it…", "muted"));
      expand(id);
      return;
    }
    details.replaceChildren(el("h2", n.name), el("div", n.type_label + (n.region ? " · " + n.region : ""), "muted"));
    const links = el("p");
    links.appendChild(link(pageUrl(n.entity_id), "its page"));
    links.appendChild(document.createTextNode(" · "));
    links.appendChild(link(egoUrl(n.entity_id), "its network"));
    details.appendChild(links);
    const loading = el("p", "loading partners…", "muted");
    details.appendChild(loading);
    fetch("/network/partners/" + path(n.entity_id) + ".json", {headers: {Accept: "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (found) {
        if (details.firstChild.textContent !== n.name) return;  // another node was clicked meanwhile
        loading.remove();
        details.appendChild(el("h3", "partners (" + found.total + ")"));
        const list = el("ul");
        list.id = "partners";
        found.partners.forEach(function (p) {
          const li = el("li");
          li.appendChild(link(pageUrl(p.entity_id), p.name));
          const centre = el("button", "centre", "centre");
          centre.type = "button";
          centre.title = "draw the network of " + p.name;
          centre.addEventListener("click", function () { window.location.href = egoUrl(p.entity_id); });
          li.appendChild(centre);
          li.appendChild(el("div", p.links.map(function (l) { return l.name; }).join("; "), "muted"));
          list.appendChild(li);
        });
        details.appendChild(list);
        if (found.total > found.partners.length) details.appendChild(el("p", "first " + found.partners.length + " shown", "muted"));
        details.dataset.loaded = n.id;
      })
      .catch(function (error) { loading.textContent = "could not load the partners (" + error.message + ")"; });
  }
  network.on("click", function (params) { if (params.nodes.length) show(params.nodes[0]); });

  /* Find any organisation on the server (not only those drawn) and draw its network. */
  const results = document.getElementById("ego-results");
  let timer = null;
  document.getElementById("ego-search").addEventListener("input", function (event) {
    clearTimeout(timer);
    const q = event.target.value.trim();
    if (!q) { results.replaceChildren(); return; }
    timer = setTimeout(function () {
      fetch("/organisations?limit=10&q=" + encodeURIComponent(q), {headers: {Accept: "application/json"}})
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (found) {
          results.replaceChildren(el("div", found.total + " match(es)", "muted"));
          found.items.forEach(function (o) {
            const b = el("button", o.name);
            b.type = "button";
            b.dataset.id = o.id;
            b.addEventListener("click", function () { window.location.href = egoUrl(o.id); });
            results.appendChild(b);
          });
        })
        .catch(function (error) { results.replaceChildren(el("div", "search failed (" + error.message + ")", "muted")); });
    }, 200);
  });

  linkNames.addEventListener("change", function () {
    edges.update(edges.get().map(function (e) { return {id: e.id, label: edgeLabel(e) || ""}; }));
  });

  if (data.ego) network.selectNodes([data.ego.id]);
  window.collabgraph = {network: network, nodes: nodes, edges: edges, data: data};
})();
