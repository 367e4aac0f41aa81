// Opora — curators & programme pages: searchable multi-selects, formset rows, school switch.
(function () {
  "use strict";

  // <input data-filter-for="id_schools">: hide options of the select that do not match.
  document.querySelectorAll("[data-filter-for]").forEach(function (input) {
    var select = document.getElementById(input.getAttribute("data-filter-for"));
    if (!select) return;
    var counter = document.querySelector('[data-selected-count-for="' + select.id + '"]');
    function count() {
      if (!counter) return;
      var n = Array.prototype.filter.call(select.options, function (o) { return o.selected; }).length;
      counter.textContent = (document.documentElement.lang === "en" ? "Selected: " : "Выбрано: ") + n;
    }
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (o) {
        o.hidden = q !== "" && o.text.toLowerCase().indexOf(q) === -1 && !o.selected;
      });
    });
    // Plain click toggles an option, so a long list can be set without holding Ctrl.
    select.addEventListener("mousedown", function (e) {
      if (e.target.tagName !== "OPTION") return;
      e.preventDefault();
      e.target.selected = !e.target.selected;
      select.focus();
      count();
    });
    select.addEventListener("change", count);
    count();
  });

  // Formsets: "add" clones the <template data-formset-empty>, replacing __prefix__.
  document.querySelectorAll("[data-formset]").forEach(function (box) {
    var prefix = box.getAttribute("data-formset");
    var total = box.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var tpl = box.querySelector("template[data-formset-empty]");
    var list = box.querySelector("[data-formset-list]");
    var add = box.querySelector("[data-formset-add]");
    if (!total || !tpl || !list || !add) return;
    add.addEventListener("click", function () {
      var n = parseInt(total.value, 10);
      var html = tpl.innerHTML.replace(/__prefix__/g, String(n));
      list.insertAdjacentHTML("beforeend", html);
      total.value = String(n + 1);
      var first = list.lastElementChild && list.lastElementChild.querySelector("input, textarea, select");
      if (first) first.focus();
    });
  });

  // The yearly list: another municipality, status or year reloads with that year's list.
  var listForm = document.getElementById("status-list-form");
  if (listForm) {
    ["municipality", "kind", "year"].forEach(function (name) {
      var el = listForm.querySelector('[name="' + name + '"]');
      if (!el) return;
      el.addEventListener("change", function () {
        var params = new URLSearchParams();
        ["municipality", "kind", "year"].forEach(function (n) {
          var f = listForm.querySelector('[name="' + n + '"]');
          if (f && f.value) params.set(n, f.value);
        });
        window.location.search = "?" + params.toString();
      });
    });
  }

  // The visit form: choosing another school reloads it with that school's open items.
  var form = document.getElementById("visit-form");
  if (form) {
    var school = form.querySelector('select[name="school"]');
    if (school) {
      school.addEventListener("change", function () {
        if (school.value) window.location.search = "?school=" + encodeURIComponent(school.value);
      });
    }
  }
})();
