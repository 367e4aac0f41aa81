// Opora: small progressive enhancements. No inline scripts anywhere (CSP script-src 'self').
(function () {
  "use strict";
  function autosubmit(root) {
    root.querySelectorAll(".js-autosubmit").forEach(function (el) {
      if (el.dataset.autosubmitBound) return;
      el.dataset.autosubmitBound = "1";
      el.addEventListener("change", function () { el.form.submit(); });
    });
  }
  // Confirmation for destructive buttons: <button data-confirm="Text">.
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest("[data-confirm]");
    if (el && !window.confirm(el.dataset.confirm)) { ev.preventDefault(); ev.stopPropagation(); }
  }, true);
  // Client-side filter of long multi-selects: <input data-filter-for="select-id">.
  document.addEventListener("input", function (ev) {
    var id = ev.target.dataset && ev.target.dataset.filterFor;
    if (!id) return;
    var needle = ev.target.value.toLowerCase();
    document.querySelectorAll("#" + id + " option, #" + id + " .form-check").forEach(function (opt) {
      opt.hidden = needle && opt.textContent.toLowerCase().indexOf(needle) === -1;
    });
  });
  document.addEventListener("DOMContentLoaded", function () { autosubmit(document); });
  document.addEventListener("htmx:afterSwap", function (ev) { autosubmit(ev.target); });
})();
