/* Claims explorer: filters window.CLAIMS_DATA in memory and draws only the first page of results.
   Data text is only ever set as textContent, never as markup; links are built from ids, escaped by the URL API. */
(function () {
  "use strict";
  var DATA = window.CLAIMS_DATA;
  if (!DATA) { return; }
  var FACETS = Object.keys(DATA.facets);
  var PAGE = 50;
  var claims = decode(DATA);
  var byId = {};
  var haystacks = new Array(claims.length);
  var indexed = 0;
  var WORD = /[^\p{L}\p{N}]+/u;
  function words(value) { return value.toLowerCase().split(WORD).filter(Boolean); }
  function decode(data) {
    var fields = data.fields;
    return data.rows.map(function (row) {
      var c = {};
      for (var f = 0; f < fields.length; f++) {
        var name = fields[f];
        var value = row[f];
        if (data.values[name]) { value = value < 0 ? "" : data.values[name][value]; }
        c[name] = value;
      }
      c.evidence = c.evidence ? c.evidence.split(";") : [];
      return c;
    });
  }
  for (var i = 0; i < claims.length; i++) { byId[claims[i].id] = claims[i]; }
  /* The word index is built after the first results are drawn, in slices, so that the page shows at once;
     a search typed before it is complete finishes it first. */
  function indexUpTo(end) {
    for (; indexed < end; indexed++) {
      var c = claims[indexed];
      var all = [c.id, DATA.articles[c.article] || c.article, c.section, c.claim, c.topic,
        DATA.treatments[c.treatment] || c.treatment, c.backing, c.verdict, c.certainty, c.rationale,
        c.evidence.join(" ")];
      DATA.extra.forEach(function (column) { all.push(c[column]); });
      haystacks[indexed] = " " + words(all.join(" ")).join(" ") + " ";
    }
  }
  function indexInSlices() {
    indexUpTo(Math.min(claims.length, indexed + 2000));
    if (indexed < claims.length) { window.setTimeout(indexInSlices, 0); }
  }
  var search = document.getElementById("claim-search");
  var results = document.getElementById("claim-results");
  var linked = document.getElementById("linked-claim");
  var more = document.getElementById("claim-more");
  var count = document.getElementById("claim-count");
  var selects = {};
  var matches = [];
  var shown = 0;
  document.getElementById("claim-total").textContent = claims.length;

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
    why.appendChild(document.createTextNode(c.rationale));
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

  function filter(chosen) {
    var query = words(chosen.q).map(function (word) { return " " + word; });
    if (query.length) { indexUpTo(claims.length); }
    var found = [];
    for (var i = 0; i < claims.length; i++) {
      var c = claims[i];
      var ok = true;
      for (var f = 0; f < FACETS.length && ok; f++) {
        var wanted = chosen[FACETS[f]];
        if (wanted && c[FACETS[f]] !== wanted) { ok = false; }
      }
      for (var w = 0; w < query.length && ok; w++) {
        if (haystacks[i].indexOf(query[w]) === -1) { ok = false; }
      }
      if (ok) { found.push(i); }
    }
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
      var c = claims[matches[shown]];
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
    var found = id !== null && byId[id];
    if (found) {
      linked.appendChild(el("p", "linked-label", "Linked claim:"));
      linked.appendChild(card(byId[id], true));
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
  window.setTimeout(indexInSlices, 0);
}());
