// Roadmaps: show the "reason for cancelling" field only for cancelled activities, and close
// an inline tree form on "Cancel" without leaving the page.
(function () {
  "use strict";

  function syncCancelReason(select) {
    var fieldset = select.closest("fieldset");
    if (!fieldset) return;
    var box = fieldset.querySelector(".cancel-reason");
    if (box) box.hidden = select.value !== "cancelled";
  }

  function init(root) {
    root.querySelectorAll('#report-form select[name$="_status"]').forEach(function (select) {
      syncCancelReason(select);
      select.addEventListener("change", function () { syncCancelReason(select); });
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-cancel-node]");
    if (!link) return;
    var form = link.closest("form.node-form");
    if (form && window.htmx) {
      event.preventDefault();
      form.remove();
    }
  });

  // An inline tree form with errors comes back as 422: show it in place (htmx does not
  // swap error responses by default).
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();
