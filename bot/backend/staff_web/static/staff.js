// Voordeur staff pages: live updates of a handover's conversation. The page works without this script
// (a reload shows new messages); with it, new messages appear within a few seconds.
(function () {
  "use strict";
  var box = document.getElementById("transcript");
  if (!box || !window.fetch) { return; }
  var status = document.getElementById("live-status");
  var source = box.getAttribute("data-source");
  var every = 4000;
  var busy = false;

  function lineCount(root) {
    var list = root.querySelector("ol.transcript");
    return list ? Number(list.getAttribute("data-lines") || 0) : 0;
  }

  function refresh() {
    if (busy || document.hidden) { return; }
    busy = true;
    fetch(source, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (response.redirected || !response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var next = document.createElement("div");
        next.innerHTML = html;  // our own server's escaped template, same origin
        var before = lineCount(box);
        var after = lineCount(next);
        if (next.innerHTML.trim() === box.innerHTML.trim()) { return; }
        box.innerHTML = next.innerHTML;
        if (status && after > before) {
          status.textContent = after - before === 1 ? "Er is 1 nieuw bericht." : "Er zijn " + (after - before) + " nieuwe berichten.";
        }
      })
      .catch(function () { /* the next round tries again; the page itself still works */ })
      .then(function () { busy = false; });
  }

  window.setInterval(refresh, every);
  document.addEventListener("visibilitychange", refresh);
})();
