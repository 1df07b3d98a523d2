// The network view: Cytoscape.js (shipped in static/vendor) over /api/network/<node>; click expands a node,
// hovering an edge shows its reasons, double-click opens the node's page. Labels are set as text, never HTML.
(function () {
  "use strict";
  var box = document.getElementById("graph");
  if (!box || typeof cytoscape === "undefined") return;
  var reasons = document.getElementById("edge-reasons");
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
      { selector: "edge", style: { "width": 2, "line-color": "#bbb", "curve-style": "bezier" } },
      { selector: "edge[kind = 'payment']", style: { "line-color": "#c80" } },
      { selector: "edge[kind = 'link']", style: { "line-color": "#36c", "line-style": "dashed" } },
      { selector: ":selected", style: { "border-width": 3, "border-color": "#000" } }
    ]
  });
  var expanded = {};
  var root = box.getAttribute("data-root");
  var pages = { trader: "/traders/", account: "/accounts/" };

  function add(data) {
    data.nodes.forEach(function (n) {
      if (cy.getElementById(n.id).empty()) cy.add({ group: "nodes", data: n });
    });
    data.edges.forEach(function (e) {
      var id = "e:" + [e.source, e.target].sort().join("|") + ":" + e.kind;
      if (cy.getElementById(id).empty() && !cy.getElementById(e.source).empty() && !cy.getElementById(e.target).empty()) {
        cy.add({ group: "edges", data: { id: id, source: e.source, target: e.target, kind: e.kind,
                                         reasons: e.reasons.join("\n") } });
      }
    });
    // breadth first from the root: fast and stable as the graph grows (cose stalls on nodes added at one point)
    cy.layout({ name: "breadthfirst", roots: cy.getElementById(root), circle: true, spacingFactor: 1.1,
                animate: false }).run();
    box.setAttribute("data-nodes", String(cy.nodes().length));
  }

  function expand(id) {
    if (expanded[id]) return;
    expanded[id] = true;
    fetch("/api/network/" + encodeURIComponent(id), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(add)
      .catch(function (status) { reasons.textContent = "could not expand " + id + " (" + status + ")"; });
  }

  cy.on("tap", "node", function (evt) { expand(evt.target.id()); });
  cy.on("dbltap", "node", function (evt) {
    var kind = evt.target.data("kind"), page = pages[kind];
    if (page) window.location.href = page + encodeURIComponent(evt.target.id().slice(kind.length + 1));
  });
  cy.on("mouseover tap", "edge", function (evt) { reasons.textContent = evt.target.data("reasons"); });
  window.wildtraceGraph = cy;  // for the browser tests and the console
  expand(root);
})();
