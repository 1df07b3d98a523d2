// The network view: Cytoscape.js (shipped in static/vendor) over /api/network/<node>. Click expands a node,
// hovering an edge shows its reasons, double-click opens the node's page; a search adds a node, edges filter by
// kind and time, a path is found between two nodes of the graph, the view exports as PNG or GraphML and saves
// to a case (selected nodes as items, the GraphML as an attachment). Labels are set as text, never HTML.
(function () {
  "use strict";
  var box = document.getElementById("graph");
  if (!box || typeof cytoscape === "undefined") return;
  var reasons = document.getElementById("edge-reasons");
  var status = document.getElementById("net-status");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var cy = cytoscape({
    container: box,
    maxZoom: 1.5,
    style: [
      { selector: "node", style: { "label": "data(label)", "font-size": 10, "background-color": "#7a8ca3",
                                   "text-valign": "bottom", "text-wrap": "ellipsis", "text-max-width": 120 } },
      { selector: "node[kind = 'trader']", style: { "background-color": "#b33", "shape": "round-rectangle",
                                                    "width": 34, "height": 34 } },
      { selector: "node[kind = 'account']", style: { "background-color": "#2a6fb0" } },
      { selector: "node[?backup]", style: { "border-width": 3, "border-color": "#e0a000" } },
      { selector: "node[kind = 'parcel']", style: { "background-color": "#6a4", "shape": "rectangle" } },
      { selector: "node[kind = 'identifier']", style: { "background-color": "#999", "shape": "diamond",
                                                        "width": 18, "height": 18 } },
      { selector: "node[identifier_kind = 'payment_account'], node[identifier_kind = 'bank_card']",
        style: { "background-color": "#c80", "shape": "hexagon", "width": 22, "height": 22 } },
      { selector: "edge", style: { "width": 2, "line-color": "#bbb", "curve-style": "bezier" } },
      { selector: "edge[kind = 'member']", style: { "line-color": "#b99" } },
      { selector: "edge[kind = 'payment']", style: { "line-color": "#c80", "width": "mapData(total, 0, 100000, 2, 8)",
                                                     "label": "data(money)", "font-size": 9, "color": "#8a5a00",
                                                     "text-rotation": "autorotate" } },
      { selector: "edge[kind = 'parcel']", style: { "line-color": "#6a4", "line-style": "dotted", "width": 3 } },
      { selector: "edge[kind = 'link']", style: { "line-color": "#36c", "line-style": "dashed" } },
      { selector: ".path", style: { "line-color": "#e0007a", "border-color": "#e0007a", "border-width": 4,
                                    "width": 5, "z-index": 10 } },
      { selector: ":selected", style: { "border-width": 3, "border-color": "#000" } }
    ]
  });
  var expanded = {};
  var root = box.getAttribute("data-root");
  var pages = { trader: "/traders/", account: "/accounts/" };

  function say(text) { status.textContent = text; }

  function money(e) {
    if (typeof e.total !== "number") return "";
    return e.total.toLocaleString("en", { maximumFractionDigits: 0 }) + " " + (e.currency || "");
  }

  function relayout() {
    // breadth first from the root: fast and stable as the graph grows (cose stalls on nodes added at one point)
    cy.layout({ name: "breadthfirst", roots: cy.getElementById(root), circle: true, spacingFactor: 1.1,
                animate: false }).run();
  }

  function refreshNames() {
    var list = document.getElementById("net-nodes");
    list.textContent = "";
    cy.nodes().forEach(function (n) {
      var option = document.createElement("option");
      option.value = n.id();
      option.label = n.data("label");
      list.appendChild(option);
    });
    box.setAttribute("data-nodes", String(cy.nodes().length));
  }

  function add(data) {
    data.nodes.forEach(function (n) {
      if (cy.getElementById(n.id).empty()) cy.add({ group: "nodes", data: n });
    });
    data.edges.forEach(function (e) {
      var id = "e:" + [e.source, e.target].sort().join("|") + ":" + e.kind;
      if (cy.getElementById(id).empty() && !cy.getElementById(e.source).empty() && !cy.getElementById(e.target).empty()) {
        cy.add({ group: "edges", data: { id: id, source: e.source, target: e.target, kind: e.kind,
                                         reasons: e.reasons.join("\n"), first: e.first || "", last: e.last || "",
                                         total: e.total, currency: e.currency || "", money: money(e) } });
      }
    });
    relayout();
    applyFilters();
    refreshNames();
  }

  function expand(id) {
    if (expanded[id]) return Promise.resolve(true);
    expanded[id] = true;
    return fetch("/api/network/" + encodeURIComponent(id), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) { add(data); return data; })
      .catch(function (code) { delete expanded[id]; say("could not expand " + id + " (" + code + ")"); return null; });
  }

  // -- filters: edge kinds and a time window (edges without dates, e.g. membership, are always in it) -------
  function checkedKinds() {
    var kinds = {};
    document.querySelectorAll("#net-kinds input").forEach(function (box) { kinds[box.value] = box.checked; });
    return kinds;
  }

  function applyFilters() {
    var kinds = checkedKinds();
    var from = document.getElementById("net-from").value, to = document.getElementById("net-to").value;
    cy.batch(function () {
      cy.edges().forEach(function (e) {
        var first = (e.data("first") || "").slice(0, 10), last = (e.data("last") || "").slice(0, 10);
        var inTime = !first || ((!from || last >= from) && (!to || first <= to));
        e.style("display", kinds[e.data("kind")] !== false && inTime ? "element" : "none");
      });
      cy.nodes().forEach(function (n) {  // a node left with no visible edge is hidden too (the root stays)
        var shown = n.id() === root || n.connectedEdges().some(function (e) { return e.style("display") !== "none"; })
          || n.connectedEdges().empty();
        n.style("display", shown ? "element" : "none");
      });
    });
    var visible = cy.elements().filter(function (el) { return el.style("display") !== "none"; });
    box.setAttribute("data-visible-edges", String(visible.edges().length));
    box.setAttribute("data-visible-nodes", String(visible.nodes().length));
  }

  document.querySelectorAll("#net-kinds input, #net-from, #net-to").forEach(function (input) {
    input.addEventListener("change", applyFilters);
  });

  // -- search to add a node -------------------------------------------------------------------------------
  document.getElementById("net-add").addEventListener("submit", function (event) {
    event.preventDefault();
    var q = document.getElementById("net-q").value.trim();
    if (!q) return;
    fetch("/api/network/" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        expanded[data.root] = true;
        add(data);
        cy.getElementById(data.root).select();
        say("added " + data.root);
      })
      .catch(function (code) { say(code === 404 ? "nothing called " + q + " in the network" : "search failed (" + code + ")"); });
  });

  // -- the shortest path between two nodes: in the graph shown, else asked of the server (which walks the whole
  // network from the first end), whose chain is added to the graph -------------------------------------------
  function showPath(a, b) {
    cy.elements().removeClass("path");
    var shown = cy.elements().filter(function (el) { return el.style("display") !== "none"; });
    var found = shown.aStar({ root: a, goal: b, directed: false });
    if (!found.found) return false;
    found.path.addClass("path");
    box.setAttribute("data-path", found.path.nodes().map(function (n) { return n.id(); }).join(" > "));
    say("path of " + found.distance + " step(s): " + found.path.nodes().map(function (n) { return n.data("label"); }).join(" → "));
    return true;
  }

  document.getElementById("net-path").addEventListener("submit", function (event) {
    event.preventDefault();
    var from = document.getElementById("path-from").value.trim(), to = document.getElementById("path-to").value.trim();
    var a = cy.getElementById(from), b = cy.getElementById(to);
    if (a.nonempty() && b.nonempty() && showPath(a, b)) return;
    say("looking for a path in the whole network…");
    fetch("/api/network-path?" + new URLSearchParams({ source: from, target: to }), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        if (!data.found) { say("no path between " + from + " and " + to + " within " + data.explored + " nodes"); return; }
        add(data);
        var ends = [data.nodes[0].id, data.nodes[data.nodes.length - 1].id];
        document.getElementById("path-from").value = ends[0];
        document.getElementById("path-to").value = ends[1];
        if (!showPath(cy.getElementById(ends[0]), cy.getElementById(ends[1]))) say("a path exists, but the filters hide part of it");
      })
      .catch(function (code) { say(code === 404 ? "one end names nothing in the network" : "path search failed (" + code + ")"); });
  });

  // -- export -------------------------------------------------------------------------------------------
  function graphml() {
    var ns = "http://graphml.graphdrawing.org/xmlns";
    var doc = document.implementation.createDocument(ns, "graphml", null);
    var top = doc.documentElement;
    var keys = [["label", "node"], ["kind", "node"], ["identifier_kind", "node"], ["kind", "edge"],
                ["reasons", "edge"], ["first", "edge"], ["last", "edge"], ["total", "edge"], ["currency", "edge"]];
    keys.forEach(function (k) {
      var key = doc.createElementNS(ns, "key");
      key.setAttribute("id", k[1] + "_" + k[0]);
      key.setAttribute("for", k[1]);
      key.setAttribute("attr.name", k[0]);
      key.setAttribute("attr.type", k[0] === "total" ? "double" : "string");
      top.appendChild(key);
    });
    var graph = doc.createElementNS(ns, "graph");
    graph.setAttribute("id", root);
    graph.setAttribute("edgedefault", "undirected");
    top.appendChild(graph);
    function data(el, prefix, name, value) {
      if (value === undefined || value === null || value === "") return;
      var d = doc.createElementNS(ns, "data");
      d.setAttribute("key", prefix + "_" + name);
      d.textContent = String(value);
      el.appendChild(d);
    }
    var shown = cy.elements().filter(function (el) { return el.style("display") !== "none"; });
    shown.nodes().forEach(function (n) {
      var el = doc.createElementNS(ns, "node");
      el.setAttribute("id", n.id());
      ["label", "kind", "identifier_kind"].forEach(function (k) { data(el, "node", k, n.data(k)); });
      graph.appendChild(el);
    });
    shown.edges().forEach(function (e) {
      var el = doc.createElementNS(ns, "edge");
      el.setAttribute("id", e.id());
      el.setAttribute("source", e.data("source"));
      el.setAttribute("target", e.data("target"));
      ["kind", "reasons", "first", "last", "total", "currency"].forEach(function (k) { data(el, "edge", k, e.data(k)); });
      graph.appendChild(el);
    });
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(doc);
  }

  function fileName(ext) { return "network-" + root.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 80) + "." + ext; }

  function download(blob, name) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  document.getElementById("export-png").addEventListener("click", function () {
    download(cy.png({ output: "blob", full: true, bg: "#ffffff", scale: 2 }), fileName("png"));
  });
  document.getElementById("export-graphml").addEventListener("click", function () {
    download(new Blob([graphml()], { type: "application/graphml+xml" }), fileName("graphml"));
  });

  // -- save to a case: the selected traders, accounts and parcels as items, the graph as an attachment ------
  var save = document.getElementById("net-save");
  if (save) save.addEventListener("submit", function (event) {
    event.preventDefault();
    var caseId = document.getElementById("save-case").value;
    if (!caseId) return;
    var chosen = cy.nodes(":selected").nonempty() ? cy.nodes(":selected") : cy.getElementById(root);
    var refs = chosen.map(function (n) {
      var kind = n.data("kind");
      if (kind === "trader" || kind === "account") return n.id();
      if (kind === "parcel") return "shipment:" + n.id().slice(7);
      return null;
    }).filter(Boolean);
    var headers = { "X-CSRF-Token": csrf, "Content-Type": "application/json" };
    var url = "/api/cases/" + encodeURIComponent(caseId);
    var added = refs.reduce(function (done, ref) {
      return done.then(function () {
        return fetch(url + "/items", { method: "POST", credentials: "same-origin", headers: headers,
                                        body: JSON.stringify({ ref: ref }) })
          .then(function (r) { if (!r.ok) return Promise.reject(ref + " (" + r.status + ")"); });
      });
    }, Promise.resolve());
    added.then(function () {
      var form = new FormData();
      form.append("file", new Blob([graphml()], { type: "application/graphml+xml" }), fileName("graphml"));
      form.append("note", "network of " + root + " (" + cy.nodes().length + " nodes)");
      return fetch(url + "/attachments", { method: "POST", credentials: "same-origin",
                                           headers: { "X-CSRF-Token": csrf }, body: form })
        .then(function (r) { return r.ok ? r.json() : Promise.reject("the graph (" + r.status + ")"); });
    }).then(function () {
      say("saved to case " + caseId + ": " + refs.length + " item(s) and the graph");
      box.setAttribute("data-saved", caseId);
    }).catch(function (what) { say("could not save " + what); });
  });

  cy.on("tap", "node", function (evt) {
    if (evt.originalEvent && evt.originalEvent.shiftKey) return;  // shift-click selects only
    expand(evt.target.id());
  });
  cy.on("dbltap", "node", function (evt) {
    var kind = evt.target.data("kind"), id = evt.target.id(), page = pages[kind];
    if (kind === "identifier") {  // ident:<kind>:<value> -> the identifier's page
      window.location.href = "/identifiers/" + encodeURIComponent(id.slice("ident:".length));
    } else if (kind === "parcel") {  // parcel:<waybill>
      window.location.href = "/identifiers/" + encodeURIComponent("waybill:" + id.slice("parcel:".length));
    } else if (page) {
      window.location.href = page + encodeURIComponent(id.slice(kind.length + 1));
    }
  });
  cy.on("mouseover tap", "edge", function (evt) { reasons.textContent = evt.target.data("reasons"); });
  window.wildtraceGraph = cy;  // for the browser tests and the console
  window.wildtraceGraphML = graphml;
  expand(root);
})();
