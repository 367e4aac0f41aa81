// Drafts of long forms kept in this browser until the server has saved them (core/drafts.py).
//
// <form data-draft="visit-new" data-draft-version="…">: what is typed is stored in
// localStorage (per signed-in person and form) as it is typed and when the form is sent;
// after a reload, a lost connection or a closed tab the text comes back; the server's
// next page lists the saved drafts in <body data-drafts-saved>, and only then is a draft
// cleared.  A draft made from another version of the record (saved elsewhere since) is
// offered, not put in by itself.  Files cannot be kept; passwords and hidden fields are not.
(function () {
  "use strict";
  var storage;
  try { storage = window.localStorage; storage.setItem("opora-draft-probe", "1"); storage.removeItem("opora-draft-probe"); }
  catch (e) { return; }  // private mode or storage off: the form works as before
  var en = document.documentElement.lang === "en";
  var T = en ? {
    restored: "Restored what you typed on this device at {t}: it is not saved yet.",
    offered: "This browser keeps text you typed at {t} that was not saved, and the record has changed since.",
    restore: "Put my text back", discard: "Discard the draft", discarded: "The draft is discarded.",
    offline: "No connection: nothing was sent. What you typed is kept in this browser — send the form again when the connection is back.",
    online: "The connection is back: you can save now."
  } : {
    restored: "Восстановлено то, что вы ввели на этом устройстве в {t}: это ещё не сохранено.",
    offered: "В этом браузере есть несохранённый текст, введённый в {t}, а запись с тех пор изменилась.",
    restore: "Вернуть мой текст", discard: "Удалить черновик", discarded: "Черновик удалён.",
    offline: "Нет связи: ничего не отправлено. Всё, что вы ввели, сохранено в этом браузере — отправьте форму снова, когда связь появится.",
    online: "Связь восстановлена: можно сохранять."
  };
  var MAX_AGE = 30 * 24 * 3600 * 1000;
  var prefix = "opora-draft:" + (document.body.dataset.user || "anon") + ":";

  (document.body.dataset.draftsSaved || "").split(" ").forEach(function (key) {
    if (key) storage.removeItem(prefix + key);
  });
  for (var i = storage.length - 1; i >= 0; i--) {  // old drafts of anyone on this browser
    var k = storage.key(i);
    if (k && k.indexOf("opora-draft:") === 0) {
      try { if (Date.now() - JSON.parse(storage.getItem(k)).t > MAX_AGE) storage.removeItem(k); }
      catch (e) { storage.removeItem(k); }
    }
  }

  function kept(el) {
    if (!el.name || el.disabled || el.hasAttribute("data-draft-skip")) return false;
    var type = (el.type || "").toLowerCase();
    return ["hidden", "file", "password", "submit", "button", "reset", "image"].indexOf(type) === -1;
  }

  function collect(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el)) return;
      var type = (el.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        values[el.name] = values[el.name] || [];
        if (el.checked) values[el.name].push(el.value);
      } else if (el.multiple) {
        values[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        values[el.name] = el.value;
      }
    });
    var totals = {};
    form.querySelectorAll('input[name$="-TOTAL_FORMS"]').forEach(function (el) { totals[el.name] = el.value; });
    return { t: Date.now(), v: form.dataset.draftVersion || "", values: values, totals: totals };
  }

  function differs(a, b) { return JSON.stringify(a.values) !== JSON.stringify(b.values); }

  function apply(form, draft) {
    // Rows added by "Add …" come back before their values (formsets, curators.js).
    Object.keys(draft.totals || {}).forEach(function (name) {
      var total = form.querySelector('input[name="' + name + '"]');
      var box = total && total.closest("[data-formset]");
      var add = box && box.querySelector("[data-formset-add]");
      var guard = 50;
      while (add && parseInt(total.value, 10) < parseInt(draft.totals[name], 10) && guard--) add.click();
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el) || !(el.name in draft.values)) return;
      var value = draft.values[el.name];
      var type = (el.type || "").toLowerCase();
      var before = type === "checkbox" || type === "radio" ? el.checked : el.value;
      if (el.hasAttribute("data-draft-if-empty") && el.value) return;
      if (type === "checkbox" || type === "radio") {
        el.checked = value.indexOf(el.value) !== -1;
      } else if (el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = value.indexOf(o.value) !== -1; });
      } else {
        el.value = value;
      }
      var after = type === "checkbox" || type === "radio" ? el.checked : el.value;
      if (before !== after) el.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function note(form, text, buttons) {
    var old = form.previousElementSibling;
    if (old && old.classList.contains("draft-note")) old.remove();
    var box = document.createElement("div");
    box.className = "alert alert-info draft-note d-flex flex-wrap align-items-center gap-2";
    box.setAttribute("role", "status");
    var span = document.createElement("span");
    span.className = "me-auto";
    span.textContent = text;
    box.appendChild(span);
    (buttons || []).forEach(function (b) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "btn btn-sm " + (b.primary ? "btn-primary" : "btn-outline-secondary");
      btn.textContent = b.label;
      btn.addEventListener("click", function () { b.act(box); });
      box.appendChild(btn);
    });
    form.parentNode.insertBefore(box, form);
    return box;
  }

  function time(t) {
    var d = new Date(t);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(d.getDate()) + "." + pad(d.getMonth() + 1) + "." + d.getFullYear() + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function setup(form) {
    var key = prefix + form.dataset.draft;
    var stored = null;
    try { stored = JSON.parse(storage.getItem(key) || "null"); } catch (e) { storage.removeItem(key); }
    // "active": what is typed is kept; "offered": a stored draft waits for the person's word
    // and is not written over; "discarded": nothing is kept until the next keystroke.
    var state = "active";
    function save() { if (state === "active") storage.setItem(key, JSON.stringify(collect(form))); }
    function discard(box) {
      storage.removeItem(key);
      state = "discarded";
      box.querySelectorAll("button").forEach(function (b) { b.remove(); });
      box.firstChild.textContent = T.discarded;
    }
    if (stored && differs(stored, collect(form))) {
      if (stored.v === (form.dataset.draftVersion || "")) {
        apply(form, stored);
        note(form, T.restored.replace("{t}", time(stored.t)), [
          { label: T.discard, act: function (box) { discard(box); window.location.reload(); } }
        ]);
      } else {
        state = "offered";
        note(form, T.offered.replace("{t}", time(stored.t)), [
          { label: T.restore, primary: true, act: function (box) { apply(form, stored); state = "active"; save(); box.remove(); } },
          { label: T.discard, act: discard }
        ]);
      }
    }
    var timer;
    function later() {
      if (state === "discarded") state = "active";
      clearTimeout(timer);
      timer = setTimeout(save, 300);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", function (ev) {
      clearTimeout(timer);
      if (state !== "offered") { state = "active"; save(); }
      if (navigator.onLine === false) {
        ev.preventDefault();
        note(form, T.offline);
        form.previousElementSibling.scrollIntoView({ block: "start" });
      }
    });
    window.addEventListener("pagehide", function () { clearTimeout(timer); save(); });
    window.addEventListener("online", function () {
      var box = form.previousElementSibling;
      if (box && box.classList.contains("draft-note") && box.firstChild.textContent === T.offline) box.firstChild.textContent = T.online;
    });
  }

  function init() { document.querySelectorAll("form[data-draft]").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
