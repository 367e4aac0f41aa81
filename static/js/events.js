// Events app: copy the calendar subscription address to the clipboard.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".js-copy");
    if (!button) {
      return;
    }
    var field = document.querySelector(button.dataset.copyTarget);
    if (!field) {
      return;
    }
    field.select();
    var done = function () {
      button.textContent = button.dataset.copiedText || button.textContent;
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done);
    } else {
      document.execCommand("copy");
      done();
    }
  });
})();
