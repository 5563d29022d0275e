// rejection-diagnosis: small enhancements over pages that work without JavaScript.
// Live what-if toggles (POST /api/what-if) and a live search on the coach's page.
// No framework, nothing fetched from elsewhere, nothing stored in the browser.
"use strict";

(function () {
  document.documentElement.classList.add("js");

  function pct(x) { return x >= 0 ? Math.round(x * 100) + "%" : "unlikely"; }

  function text(tag, content) {
    var el = document.createElement(tag);
    el.textContent = content;
    return el;
  }

  // What if: each ticked box changes one answer; the differences appear below at once.
  var form = document.getElementById("whatif-form");
  var out = document.getElementById("whatif-out");
  if (form && out) {
    var observations = JSON.parse(form.getAttribute("data-case") || "{}");
    var boxes = form.querySelectorAll("input.whatif");
    var update = function () {
      var changes = {};
      boxes.forEach(function (box) {
        if (box.checked) {
          changes[box.getAttribute("data-observation")] = JSON.parse(box.getAttribute("data-change"));
        }
      });
      if (Object.keys(changes).length === 0) { out.replaceChildren(); return; }
      fetch("/api/what-if", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ observations: observations, changes: changes })
      }).then(function (response) { return response.json(); }).then(function (data) {
        if (data.error) { out.replaceChildren(text("p", data.error.message)); return; }
        var parts = [];
        var after = data.after.ranked.length ? data.after.ranked[0] : null;
        if (data.leading_before !== data.leading_after) {
          parts.push(text("p", after ? "The leading cause would become: " + after.title + "."
                                     : "No cause would stand out any more."));
        } else {
          parts.push(text("p", "The leading cause would stay the same."));
        }
        var list = document.createElement("ul");
        data.differences.forEach(function (d) {
          if (pct(d.before) === pct(d.after)) { return; }
          list.appendChild(text("li", d.title + ": " + pct(d.before) + " \u2192 " + pct(d.after)));
        });
        if (!data.differences.length) { parts.push(text("p", "No cause would change.")); }
        else { parts.push(list); }
        out.replaceChildren.apply(out, parts);
      }).catch(function () {
        out.replaceChildren(text("p", "Could not reach the server; use the button instead."));
      });
    };
    boxes.forEach(function (box) { box.addEventListener("change", update); });
  }

  // The coach's search filters the tables as one types (the form still works without it).
  var search = document.getElementById("q");
  var count = document.getElementById("search-count");
  if (search) {
    search.addEventListener("input", function () {
      var words = search.value.trim().toLowerCase();
      var shown = 0;
      document.querySelectorAll("table.kb tr.item").forEach(function (row) {
        var hit = !words || row.textContent.toLowerCase().indexOf(words) !== -1;
        row.hidden = !hit;
        if (hit) { shown += 1; }
      });
      if (count) { count.textContent = words ? shown + " matching rows" : ""; }
    });
  }
})();
