// Document page: keep the ingestion state of unfinished versions current without reloading.
(function () {
  "use strict";
  var ACTIVE = ["stored", "queued", "extracting"];
  var badges = Array.prototype.slice.call(document.querySelectorAll("[data-state-for]"));
  function pending() {
    return badges.filter(function (b) { return ACTIVE.indexOf(b.dataset.state || b.className.replace(/.*state-/, "")) >= 0; });
  }
  function poll() {
    var open = pending();
    if (!open.length) { return; }
    var ids = open.map(function (b) { return b.dataset.stateFor; }).join(",");
    fetch("/api/v1/ingestion?version_ids=" + ids, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var finished = false;
        (data.versions || []).forEach(function (v) {
          var badge = document.querySelector('[data-state-for="' + v.version_id + '"]');
          if (!badge) { return; }
          badge.dataset.state = v.state;
          badge.className = "state state-" + v.state;
          badge.textContent = v.state + (v.progress ? " · " + v.progress : "");
          badge.title = v.reason || "";
          if (ACTIVE.indexOf(v.state) < 0) { finished = true; }
        });
        if (finished && !pending().length) { window.location.reload(); return; }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  badges.forEach(function (b) { b.dataset.state = b.className.replace(/.*state-/, ""); });
  if (pending().length) { window.setTimeout(poll, 1000); }
})();
