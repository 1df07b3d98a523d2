// WildTrace pages: keyboard shortcuts for the review queue (c confirm, d dismiss, e escalate, s skip, u undo)
// and "select all" boxes of lists with bulk actions.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var el = document.querySelector('[data-key="' + event.key.toLowerCase() + '"]');
    if (!el) return;
    event.preventDefault();
    if (el.tagName === "FORM") el.requestSubmit(); else el.click();
  });
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    all.addEventListener("change", function () {
      var name = all.getAttribute("data-select-all");
      all.form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
        box.checked = all.checked;
      });
    });
  });
})();
