// WildTrace pages: keyboard shortcuts for the review queue (c confirm, d dismiss, e escalate, s skip).
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var el = document.querySelector('#decide [data-key="' + event.key.toLowerCase() + '"]');
    if (!el) return;
    event.preventDefault();
    if (el.tagName === "FORM") el.requestSubmit(); else el.click();
  });
})();
