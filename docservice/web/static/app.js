// Small helpers for every page: copy-on-click fields, confirmations and the CSRF token.
(function () {
  "use strict";
  document.querySelectorAll("input[data-copy]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
    input.addEventListener("click", function () {
      input.select();
      if (navigator.clipboard) { navigator.clipboard.writeText(input.value).catch(function () {}); }
    });
  });
  // A form that cannot be undone asks first (data-confirm holds the question).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
  var meta = document.querySelector('meta[name="csrf-token"]');
  window.docservice = { csrfToken: meta ? meta.content : "" };
})();
