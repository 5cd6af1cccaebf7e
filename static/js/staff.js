// Staff pages: small enhancements; every action works without this file.
(function () {
  "use strict";

  // Canned replies: choosing one puts its text (already filled in for this case) into the reply box,
  // below anything already typed. Without script the picker stays hidden.
  function setUpCannedPicker(select) {
    var wrapper = select.closest(".canned-picker");
    if (wrapper) wrapper.hidden = false;
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      var target = document.getElementById(select.dataset.cannedTarget);
      if (!option || !option.dataset.text || !target) return;
      var current = target.value.trim();
      target.value = current ? current + "\n\n" + option.dataset.text : option.dataset.text;
      target.focus();
      select.selectedIndex = 0;
    });
  }

  // An action whose form came back with errors is open: bring it into view for keyboard users.
  function focusOpenAction() {
    var open = document.querySelector(".action[open] .error-summary, .action-box .error-summary");
    if (open) open.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var pickers = document.querySelectorAll("select[data-canned-target]");
    for (var i = 0; i < pickers.length; i++) setUpCannedPicker(pickers[i]);
    focusOpenAction();
  });
})();
