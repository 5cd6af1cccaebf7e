// Statistics pages, progressively enhanced (everything works without this file):
// - a Print button, shown only when scripts run;
// - the period chooser shows only the fields the chosen kind of period uses.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  var kind = document.getElementById("period");
  if (!kind) { return; }
  var parts = document.querySelectorAll(".period-part");
  function showParts() {
    parts.forEach(function (part) {
      // A field with an error stays visible, so its message is never hidden.
      part.hidden = !part.classList.contains("part-" + kind.value) && !part.classList.contains("has-error");
    });
  }
  kind.addEventListener("change", showParts);
  showParts();
});
