// Opora: small progressive enhancements. No inline scripts anywhere (CSP script-src 'self').
(function () {
  "use strict";
  var english = document.documentElement.lang === "en";

  // <select class="js-autosubmit">: submit its form on a choice.  A choice made with the
  // arrow keys (Chromium changes a closed select's value at each arrow) waits for Enter or
  // for the focus to leave, so a keyboard user can pass over options (WCAG 3.2.2).
  function autosubmit(root) {
    root.querySelectorAll(".js-autosubmit").forEach(function (el) {
      if (el.dataset.autosubmitBound) return;
      el.dataset.autosubmitBound = "1";
      onChoice(el, function () { el.form.submit(); });
    });
  }
  function onChoice(el, act) {
    var byKey = false, pending = false;
    el.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && pending) { ev.preventDefault(); pending = false; act(); return; }
      byKey = ev.key !== "Tab" && ev.key !== "Enter";
    });
    el.addEventListener("mousedown", function () { byKey = false; });
    el.addEventListener("change", function () {
      if (byKey) { pending = true; return; }
      act();
    });
    el.addEventListener("blur", function () { if (pending) { pending = false; act(); } });
  }
  window.Opora = window.Opora || {};
  window.Opora.onChoice = onChoice;

  // A box that scrolls sideways (a wide table on a phone, a code block) can be reached and
  // scrolled with the keyboard: it takes the focus and is named as a region while it
  // overflows, and leaves the tab order again when it fits.
  var SCROLLERS = ".table-responsive, .scroll-x, main pre";
  function scrollables(root) {
    // A table a template left without its scroll box gets one, so it never widens the page.
    (root || document).querySelectorAll("main table").forEach(function (table) {
      if (table.closest(".table-responsive, .scroll-x")) return;
      var box = document.createElement("div");
      box.className = "table-responsive";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
    (root || document).querySelectorAll(SCROLLERS).forEach(function (box) {
      var overflows = box.scrollWidth > box.clientWidth + 1;
      if (overflows && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.dataset.scrollFocus = "1";
        if (!box.hasAttribute("role")) {
          box.setAttribute("role", "region");
          var caption = box.querySelector("caption");
          var heading = box.closest("section, .card") && box.closest("section, .card").querySelector("h1, h2, h3, h4, .card-header");
          var name = (caption || heading) ? (caption || heading).textContent.trim().replace(/\s+/g, " ") : "";
          var hint = english ? "scrolls sideways" : "прокручивается по горизонтали";
          box.setAttribute("aria-label", (name ? name + " — " : "") + hint);
        }
      } else if (!overflows && box.dataset.scrollFocus) {
        box.removeAttribute("tabindex");
        if (box.getAttribute("role") === "region" && box.dataset.scrollFocus) {
          box.removeAttribute("role");
          box.removeAttribute("aria-label");
        }
        delete box.dataset.scrollFocus;
      }
    });
  }
  var resizeTimer;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { scrollables(document); }, 150);
  });

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
  // A form sent back with errors: say so at its top and put the focus on the first field to
  // correct — on a phone the field may be screens below (WCAG 3.3.1).
  function formErrors() {
    var field = document.querySelector("main form .is-invalid");
    if (!field) return;
    var form = field.closest("form");
    var count = form.querySelectorAll(".is-invalid").length;
    if (!form.querySelector(".alert-danger")) {
      var box = document.createElement("div");
      box.className = "alert alert-danger";
      box.setAttribute("role", "alert");
      box.textContent = (english ? "Not saved: correct the fields marked in red (" : "Не сохранено: исправьте поля, отмеченные красным (") + count + ").";
      form.insertBefore(box, form.firstChild);
    }
    field.focus();
  }

  // The settings of the version for the visually impaired are open on a wide screen and
  // folded on a phone.
  function visionBar() {
    var bar = document.querySelector("details.vision-settings");
    if (bar && window.matchMedia("(min-width: 768px)").matches) bar.open = true;
  }
  document.addEventListener("DOMContentLoaded", function () { visionBar(); autosubmit(document); scrollables(document); formErrors(); });
  document.addEventListener("htmx:afterSwap", function (ev) { autosubmit(ev.target); scrollables(document); });
})();
