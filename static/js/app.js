// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-action='print']");
    if (target) {
      window.print();
    }
    var copy = event.target.closest(".js-copy");
    if (copy) copyText(copy);
    var locate = event.target.closest("[data-action='locate']");
    if (locate && navigator.geolocation) {
      navigator.geolocation.getCurrentPosition(function (position) {
        document.getElementById("lat").value = position.coords.latitude.toFixed(6);
        document.getElementById("long").value = position.coords.longitude.toFixed(6);
      });
    }
  });

  // Hide the identity fields while "stay anonymous" is ticked (the server ignores them anyway).
  function syncIdentity() {
    var box = document.getElementById("anonymous");
    var fields = document.getElementById("identity-fields");
    if (!box || !fields) return;
    fields.hidden = box.checked;
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "anonymous") syncIdentity();
    if (event.target && event.target.type === "file" && event.target.dataset.maxFiles) checkFiles(event.target);
  });

  // Tell the person at once when a chosen file is too large or too many are chosen;
  // the server checks again and has the last word.
  function checkFiles(input) {
    var max = parseInt(input.dataset.maxFiles, 10);
    var maxBytes = parseInt(input.dataset.maxBytes, 10);
    var problems = [];
    if (input.files.length > max) problems.push(input.files.length + " > " + max);
    for (var i = 0; i < input.files.length; i++) {
      if (input.files[i].size > maxBytes) problems.push(input.files[i].name + ": " + Math.ceil(input.files[i].size / 1048576) + " MB > " + Math.floor(maxBytes / 1048576) + " MB");
    }
    input.setCustomValidity(problems.join("; "));
    if (problems.length) input.reportValidity();
  }

  // Copy the tracking code or the receipt key; where the clipboard is refused (some in-app browsers),
  // select the text so that the person can copy it themselves.
  function copyText(button) {
    var source = document.getElementById(button.dataset.copy);
    var status = document.querySelector(".copy-status");
    if (!source) return;
    var text = source.textContent.trim();
    function say(key) { if (status) status.textContent = status.dataset[key]; }
    function selectIt() {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      try { return document.execCommand("copy"); } catch (e) { return false; }
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { say("copied"); },
        function () { say(selectIt() ? "copied" : "failed"); });
    } else {
      say(selectIt() ? "copied" : "failed");
    }
  }

  // Move focus to the error summary so keyboard and screen-reader users hear what to fix.
  document.addEventListener("DOMContentLoaded", function () {
    syncIdentity();
    document.querySelectorAll(".js-copy").forEach(function (el) { el.hidden = false; });
    if (navigator.geolocation) {
      document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
    }
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();
