// kg view: draws the graph embedded in #kg-data with cytoscape and shows a node's roles and
// positions in the side panel. Article text is hostile: every string from the data goes into
// the page through textContent or text nodes, never innerHTML.
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var nodes = new Map();
  data.nodes.forEach(function (n) { nodes.set(n.id, n); });
  var documents = data.documents;

  function groupBy(items, keys) {
    var groups = new Map();
    items.forEach(function (item) {
      keys(item).forEach(function (key) {
        if (!groups.has(key)) groups.set(key, []);
        if (groups.get(key).indexOf(item) < 0) groups.get(key).push(item);
      });
    });
    return groups;
  }
  var spoken = groupBy(data.positions, function (p) { return [p.speaker]; });
  var mentioned = groupBy(data.positions, function (p) {
    return p.addressee.concat(p.about, p.statedAt).filter(function (t) { return t !== p.speaker; });
  });
  var held = groupBy(data.memberships, function (m) { return [m.member]; });
  var members = groupBy(data.memberships, function (m) { return [m.organization]; });

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function name(iri) {
    var n = nodes.get(iri);
    return n ? n.label : iri;
  }
  function documentName(iri) {
    var d = iri && documents[iri];
    return d ? (d.identifier || iri) : (iri || "");
  }

  // --- the graph -------------------------------------------------------------------------
  var COLORS = {
    person: "#2f6fde", organization: "#d9822b", place: "#2da44e", event: "#8250df",
    membership: "#d9822b", partOf: "#d9822b", nationality: "#2da44e", place_edge: "#2da44e",
    about: "#2f6fde", addressee: "#cf222e", statedAt: "#8250df"
  };
  var SHAPES = { person: "ellipse", organization: "round-rectangle", place: "diamond",
    event: "hexagon" };
  var count = data.nodes.length;
  var elements = data.nodes.map(function (n, i) {
    // Start on a circle in a fixed order: the layout below is then the same on every load.
    var angle = 2 * Math.PI * i / Math.max(count, 1);
    var radius = 40 * Math.sqrt(count + 1);
    return {
      group: "nodes",
      data: { id: n.id, label: n.label, kind: n.kind,
        weight: (spoken.get(n.id) || []).length },
      position: { x: radius * Math.cos(angle), y: radius * Math.sin(angle) }
    };
  }).concat(data.edges.map(function (e) {
    return { group: "edges",
      data: { id: e.id, source: e.source, target: e.target, kind: e.kind, count: e.count } };
  }));

  var style = [
    { selector: "node", style: {
      "label": "data(label)", "font-size": 11, "color": "#1f2328",
      "text-valign": "bottom", "text-margin-y": 3, "text-wrap": "ellipsis",
      "text-max-width": 140, "text-background-color": "#ffffff",
      "text-background-opacity": 0.7, "text-background-padding": 1,
      "width": "mapData(weight, 0, 20, 18, 46)", "height": "mapData(weight, 0, 20, 18, 46)",
      "border-width": 1, "border-color": "#ffffff"
    } }
  ];
  Object.keys(SHAPES).forEach(function (kind) {
    style.push({ selector: "node[kind = '" + kind + "']",
      style: { "shape": SHAPES[kind], "background-color": COLORS[kind] } });
  });
  style.push(
    { selector: "edge", style: {
      "width": "mapData(count, 1, 10, 1, 5)", "curve-style": "bezier", "opacity": 0.55,
      "target-arrow-shape": "triangle", "arrow-scale": 0.7,
      "line-color": "#8c959f", "target-arrow-color": "#8c959f"
    } },
    { selector: "edge[kind = 'about'], edge[kind = 'addressee'], edge[kind = 'statedAt']",
      style: { "line-style": "dashed" } },
    { selector: "node:selected", style: { "border-width": 4, "border-color": "#1f2328" } },
    { selector: ".match", style: { "border-width": 3, "border-color": "#bf8700" } },
    { selector: ".faded", style: { "opacity": 0.2 } },
    { selector: ".hidden", style: { "display": "none" } }
  );
  ["membership", "partOf", "nationality", "about", "addressee", "statedAt"].forEach(function (k) {
    style.push({ selector: "edge[kind = '" + k + "']",
      style: { "line-color": COLORS[k], "target-arrow-color": COLORS[k] } });
  });
  style.push({ selector: "edge[kind = 'place']",
    style: { "line-color": COLORS.place_edge, "target-arrow-color": COLORS.place_edge } });

  var cy = cytoscape({
    container: document.getElementById("graph"),
    elements: elements,
    style: style,
    layout: { name: "preset" },
    minZoom: 0.05,
    maxZoom: 4
  });
  var view = { cy: cy, ready: false, show: show, filter: filter };
  window.kgView = view;

  // Force-directed for graphs a browser lays out in a moment; rings by degree beyond that.
  var layout = cy.layout(count <= 1500 ? {
    name: "cose", animate: false, randomize: false, fit: true, padding: 30,
    nodeRepulsion: function () { return 400000; }, idealEdgeLength: function () { return 90; },
    numIter: 1000
  } : {
    name: "concentric", animate: false, fit: true, padding: 30, minNodeSpacing: 8,
    concentric: function (n) { return n.degree(); }, levelWidth: function () { return 4; }
  });
  layout.one("layoutstop", function () {
    view.ready = true;
    document.body.setAttribute("data-ready", "true");
  });
  layout.run();

  // --- the side panel ----------------------------------------------------------------------
  var details = document.getElementById("details");
  var results = document.getElementById("results");
  var search = document.getElementById("search");
  var status = document.getElementById("search-status");

  function passage(p) {
    var block = el("blockquote", "passage");
    if (p.cutBefore) block.appendChild(document.createTextNode("…"));
    p.parts.forEach(function (part) {
      block.appendChild(part[0] === "mark" ? el("mark", null, part[1])
        : document.createTextNode(part[1]));
    });
    if (p.cutAfter) block.appendChild(document.createTextNode("…"));
    return block;
  }

  function names(iris) {
    return iris.map(name).join(", ");
  }

  function positionItem(p, className) {
    var li = el("li", className);
    if (className === "mention") li.appendChild(el("div", "speaker", name(p.speaker)));
    li.appendChild(el("div", "proposition", p.proposition || ""));
    var meta = [documentName(p.document), p.direct ? "direct quotation" : "reported"];
    if (p.cue) meta.push("cue: " + p.cue);
    if (p.speechAct) meta.push(p.speechAct);
    if (p.stance) meta.push("stance: " + p.stance);
    if (p.addressee.length) meta.push("to: " + names(p.addressee));
    if (p.about.length) meta.push("about: " + names(p.about));
    if (p.statedAt.length) meta.push("at: " + names(p.statedAt));
    li.appendChild(el("div", "meta", meta.join(" · ")));
    p.passages.forEach(function (x) { li.appendChild(passage(x)); });
    return li;
  }

  function membershipItem(m, other) {
    var role = m.role || m.roleText || "member";
    var text = (m.former ? "former " : "") + role + " — " + name(other);
    var li = el("li", "membership", text);
    if (m.roleText && m.roleText !== role) li.appendChild(el("span", "meta", " (“" + m.roleText + "”)"));
    li.appendChild(el("div", "meta", documentName(m.document)));
    return li;
  }

  function section(title, items, listId) {
    if (!items.length) return;
    details.appendChild(el("h3", null, title + " (" + items.length + ")"));
    var ul = el("ul");
    if (listId) ul.id = listId;
    items.forEach(function (item) { ul.appendChild(item); });
    details.appendChild(ul);
  }

  function show(id) {
    var node = nodes.get(id);
    if (!node) return;
    details.replaceChildren();
    details.appendChild(el("div", "kind", node.kind));
    details.appendChild(el("h2", null, node.label));
    if (node.aliases.length) details.appendChild(el("div", "aliases", "also: " + node.aliases.join(", ")));
    section("Roles", (held.get(id) || []).map(function (m) {
      return membershipItem(m, m.organization);
    }), "roles");
    section("Members", (members.get(id) || []).map(function (m) {
      return membershipItem(m, m.member);
    }), "members");
    section("Positions stated", (spoken.get(id) || []).map(function (p) {
      return positionItem(p, "position");
    }), "positions");
    section("Addressed, discussed or the occasion in", (mentioned.get(id) || []).map(function (p) {
      return positionItem(p, "mention");
    }), "mentions");
    var target = cy.getElementById(id);
    cy.batch(function () {
      cy.elements().unselect().removeClass("faded");
      cy.elements().not(target.closedNeighborhood()).addClass("faded");
      target.select();
    });
  }

  function matches(n, q) {
    if (n.label.toLocaleLowerCase().indexOf(q) >= 0) return true;
    return n.aliases.some(function (a) { return a.toLocaleLowerCase().indexOf(q) >= 0; });
  }

  function filter() {
    var q = search.value.trim().toLocaleLowerCase();
    var hits = q ? data.nodes.filter(function (n) { return matches(n, q); }) : data.nodes;
    var hit = new Set(hits.map(function (n) { return n.id; }));
    cy.batch(function () {
      cy.nodes().forEach(function (n) {
        n.toggleClass("hidden", !hit.has(n.id()));
        n.toggleClass("match", Boolean(q) && hit.has(n.id()));
      });
      cy.elements().removeClass("faded");
    });
    status.textContent = q ? hits.length + " of " + count + " nodes match" : count + " nodes";
    results.replaceChildren();
    if (q) {
      hits.slice(0, 50).forEach(function (n) {
        var li = el("li");
        var button = el("button", "result", n.label);
        button.type = "button";
        button.addEventListener("click", function () { show(n.id); });
        li.appendChild(button);
        results.appendChild(li);
      });
      if (hits.length) cy.fit(cy.nodes(":visible"), 40);
    }
    return hits.length;
  }

  search.addEventListener("input", filter);
  search.addEventListener("keydown", function (e) {
    var first = results.querySelector("button");
    if (e.key === "Enter" && first) first.click();
  });
  cy.on("tap", "node", function (e) { show(e.target.id()); });
  cy.on("tap", function (e) {
    if (e.target === cy) cy.elements().removeClass("faded").unselect();
  });
  status.textContent = count + " nodes";
})();
