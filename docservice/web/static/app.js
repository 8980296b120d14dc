// Small helpers for every page: copy-on-click fields and the CSRF token for fetch calls.
(function () {
  "use strict";
  document.querySelectorAll("input[data-copy]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
    input.addEventListener("click", function () {
      input.select();
      if (navigator.clipboard) { navigator.clipboard.writeText(input.value).catch(function () {}); }
    });
  });
  var meta = document.querySelector('meta[name="csrf-token"]');
  window.docservice = { csrfToken: meta ? meta.content : "" };
})();
