/* Claims explorer: filters window.CLAIMS_DATA in memory and draws only the first page of results.
   Data text is only ever set as textContent, never as markup; links are built from ids, escaped by the URL API. */
(function () {
  "use strict";
  var DATA = window.CLAIMS_DATA;
  if (!DATA) { return; }
  var FACETS = Object.keys(DATA.facets);  /* each facet filters the data field of its name exactly */
  var PAGE = 50;
  /* Claims stay as the compact rows of the data file, decoded one at a time when a card is drawn, so that a
     hundred thousand claims load quickly; filters compare the rows' codes, and the word search a lower-case
     "haystack" per claim, built in slices after the first results are drawn. */
  var rows = DATA.rows;
  var REASONS = null;  /* each claim's reason, from claims-reasons.js, loaded once the first cards are drawn */
  var ready = false;   /* reasons in and every claim indexed: the word search is complete */
  var pendingQuery = false;
  var column = {};
  DATA.fields.forEach(function (name, index) { column[name] = index; });
  var byId = {};
  var haystacks = new Array(rows.length);
  var indexed = 0;
  var NON_WORD = /[^\p{L}\p{N}]+/gu;
  function words(value) { return value.toLowerCase().split(NON_WORD).filter(Boolean); }
  function decode(row) {
    var c = {};
    for (var f = 0; f < DATA.fields.length; f++) {
      var name = DATA.fields[f];
      var value = row[f];
      if (DATA.values[name]) { value = value < 0 ? "" : DATA.values[name][value]; }
      c[name] = value;
    }
    c.evidence = c.evidence ? c.evidence.split(";") : [];
    return c;
  }
  function claimAt(index) {
    var c = decode(rows[index]);
    c.rationale = REASONS ? REASONS[index] : null;
    c.row = index;
    return c;
  }
  for (var i = 0; i < rows.length; i++) { byId[rows[i][column.id]] = i; }
  function indexUpTo(end) {
    var labels = { article: DATA.articles, treatment: DATA.treatments };
    for (; indexed < end; indexed++) {
      var row = rows[indexed];
      var parts = [];
      for (var f = 0; f < DATA.fields.length; f++) {
        var name = DATA.fields[f];
        var value = row[f];
        if (DATA.values[name]) {
          value = value < 0 ? "" : DATA.values[name][value];
          if (labels[name]) { value = (labels[name][value] || value) + " " + value; }
        }
        parts.push(value);
      }
      parts.push(REASONS[indexed]);
      haystacks[indexed] = " " + parts.join(" ").toLowerCase().replace(NON_WORD, " ") + " ";
    }
  }
  function indexInSlices() {
    indexUpTo(Math.min(rows.length, indexed + 5000));
    if (indexed < rows.length) { window.setTimeout(indexInSlices, 0); return; }
    ready = true;
    document.getElementById("claims-explorer").setAttribute("data-ready", "true");
    if (pendingQuery) { pendingQuery = false; previous = null; update(); }
  }
  /* The reasons arrive after the first cards: fill the cards drawn meanwhile, then index every claim. */
  function loadReasons() {
    var script = document.createElement("script");
    script.src = document.querySelector("script[src$='claims-data.js']").src.replace("claims-data.js",
      "claims-reasons.js");
    script.onload = function () {
      REASONS = window.CLAIMS_REASONS || [];
      Array.prototype.forEach.call(document.querySelectorAll(".claim-why-text[data-row]"), function (span) {
        span.textContent = REASONS[Number(span.getAttribute("data-row"))];
        span.removeAttribute("data-row");
      });
      window.setTimeout(indexInSlices, 0);
    };
    document.body.appendChild(script);
  }
  var search = document.getElementById("claim-search");
  var results = document.getElementById("claim-results");
  var linked = document.getElementById("linked-claim");
  var more = document.getElementById("claim-more");
  var count = document.getElementById("claim-count");
  var selects = {};
  var matches = [];
  var shown = 0;
  document.getElementById("claim-total").textContent = rows.length;

  FACETS.forEach(function (facet) {
    var select = document.getElementById("facet-" + facet);
    selects[facet] = select;
    DATA.facets[facet].forEach(function (option) {
      var element = document.createElement("option");
      element.value = option[0];
      element.textContent = option[1] + " (" + option[2] + ")";
      select.appendChild(element);
    });
    select.addEventListener("change", update);
  });

  function el(tag, className, textValue) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    if (textValue !== undefined) { element.textContent = textValue; }
    return element;
  }

  function card(c, withId) {
    var article = el("article", "claim-card verdict-border-" + c.verdict);
    if (withId) { article.id = "claim-" + c.id; }
    var head = el("p", "claim-head");
    head.appendChild(el("span", "verdict verdict-" + c.verdict, c.verdict));
    head.appendChild(el("span", "claim-certainty", "certainty: " + (c.certainty || "not graded")));
    var self = el("a", "claim-self", "Claim " + c.id);
    self.href = "#claim-" + encodeURIComponent(c.id);
    head.appendChild(self);
    article.appendChild(head);
    var where = el("p", "claim-where");
    var source = el("a", null, DATA.articles[c.article] || c.article);
    source.href = "articles.html#article-" + encodeURIComponent(c.article);
    where.appendChild(source);
    where.appendChild(document.createTextNode(" · section: " + c.section));
    article.appendChild(where);
    article.appendChild(el("p", "claim-text", c.claim));
    var why = el("p", "claim-why");
    why.appendChild(el("strong", null, "Why: "));
    var reason = el("span", "claim-why-text", c.rationale === null ? "(loading the reason)" : c.rationale);
    if (c.rationale === null) { reason.setAttribute("data-row", String(c.row)); }
    why.appendChild(reason);
    article.appendChild(why);
    var facts = ["topic: " + c.topic, "backing offered: " + c.backing];
    if (c.treatment) { facts.push("treatment: " + (DATA.treatments[c.treatment] || c.treatment)); }
    if (c.condition) { facts.push("condition: " + c.condition); }
    DATA.extra.forEach(function (column) { if (c[column]) { facts.push(column + ": " + c[column]); } });
    article.appendChild(el("p", "claim-facts", facts.join(" · ")));
    var evidence = el("p", "claim-evidence");
    evidence.appendChild(el("strong", null, "Evidence: "));
    if (!c.evidence.length) { evidence.appendChild(document.createTextNode("none cited")); }
    c.evidence.forEach(function (id, index) {
      if (index) { evidence.appendChild(document.createTextNode(", ")); }
      var link = el("a", null, id);
      link.href = "sources.html#source-" + encodeURIComponent(id);
      evidence.appendChild(link);
    });
    article.appendChild(evidence);
    return article;
  }

  function state() {
    var chosen = { q: search.value.trim() };
    FACETS.forEach(function (facet) { chosen[facet] = selects[facet].value; });
    return chosen;
  }

  var previous = null;  /* the last query and its matches: typing on narrows them instead of scanning again */

  function filter(chosen) {
    var query = words(chosen.q).map(function (word) { return " " + word; });
    var waiting = query.length && !REASONS;  /* words typed before the reasons arrived: searched again then */
    if (waiting) { pendingQuery = true; query = []; }
    if (query.length && !ready) { indexUpTo(rows.length); }
    var wanted = [];
    for (var f = 0; f < FACETS.length; f++) {
      var value = chosen[FACETS[f]];
      if (!value) { continue; }
      var field = FACETS[f];
      var code = DATA.values[field] ? DATA.values[field].indexOf(value) : value;
      wanted.push([column[field], code]);
    }
    var facetKey = JSON.stringify(wanted);
    var narrowing = previous && previous.facets === facetKey && chosen.q.indexOf(previous.q) === 0;
    var pool = narrowing ? previous.found : null;
    var size = pool ? pool.length : rows.length;
    var found = [];
    for (var p = 0; p < size; p++) {
      var i = pool ? pool[p] : p;
      var row = rows[i];
      var ok = true;
      for (var w = 0; w < wanted.length && ok; w++) { if (row[wanted[w][0]] !== wanted[w][1]) { ok = false; } }
      for (var q = 0; q < query.length && ok; q++) {
        if (haystacks[i].indexOf(query[q]) === -1) { ok = false; }
      }
      if (ok) { found.push(i); }
    }
    previous = waiting ? null : { q: chosen.q, facets: facetKey, found: found };
    return found;
  }

  function pinnedId() {
    var hash = window.location.hash;
    if (hash.indexOf("#claim-") !== 0) { return null; }
    try { return decodeURIComponent(hash.slice(7)); } catch (error) { return null; }
  }

  function drawMore() {
    var pinned = pinnedId();
    var fragment = document.createDocumentFragment();
    var end = Math.min(matches.length, shown + PAGE);
    for (; shown < end; shown++) {
      var c = claimAt(matches[shown]);
      fragment.appendChild(card(c, c.id !== pinned));
    }
    results.appendChild(fragment);
    more.hidden = shown >= matches.length;
    more.textContent = "Show more claims (" + (matches.length - shown) + " more)";
  }

  function shareLink(chosen) {
    var params = new URLSearchParams();
    if (chosen.q) { params.set("q", chosen.q); }
    FACETS.forEach(function (facet) { if (chosen[facet]) { params.set(facet, chosen[facet]); } });
    var query = params.toString();
    return window.location.pathname + (query ? "?" + query : "");
  }

  function update() {
    var chosen = state();
    matches = filter(chosen);
    shown = 0;
    results.textContent = "";
    count.textContent = matches.length;
    drawMore();
    var link = shareLink(chosen);
    document.getElementById("claim-share").href = link;
    try { window.history.replaceState(null, "", link + window.location.hash); } catch (error) { /* file: */ }
  }

  function showPinned(scroll) {
    linked.textContent = "";
    var id = pinnedId();
    var found = id !== null && byId[id] !== undefined;
    if (found) {
      linked.appendChild(el("p", "linked-label", "Linked claim:"));
      linked.appendChild(card(claimAt(byId[id]), true));
    }
    update();
    if (found && scroll) { document.getElementById("claim-" + id).scrollIntoView(); }
  }

  /* A value in the link that no option has (a typo, or a claim since removed) is said, never silently dropped. */
  function readUrl() {
    var params = new URLSearchParams(window.location.search);
    var unknown = [];
    search.value = params.get("q") || "";
    FACETS.forEach(function (facet) {
      var wanted = params.get(facet) || "";
      var known = Array.prototype.some.call(selects[facet].options, function (o) { return o.value === wanted; });
      selects[facet].value = known ? wanted : "";
      if (!known) { unknown.push(facet + " \u201c" + wanted + "\u201d"); }
    });
    var notice = document.getElementById("claim-notice");
    notice.textContent = unknown.length ? "The link asks for " + unknown.join(" and ") + ", which is not a value " +
      "of that filter here; showing all values of it instead." : "";
    notice.hidden = !unknown.length;
  }

  search.addEventListener("input", update);
  more.addEventListener("click", drawMore);
  document.getElementById("claim-reset").addEventListener("click", function () {
    search.value = "";
    FACETS.forEach(function (facet) { selects[facet].value = ""; });
    update();
  });
  window.addEventListener("hashchange", function () { showPinned(true); });
  readUrl();
  showPinned(true);
  /* after the first cards are painted: the reasons file is parsed only once the reader sees results */
  window.requestAnimationFrame(function () { window.setTimeout(loadReasons, 0); });
}());
