// The workspace's keyboard: n next account, c record a call, o make an offer, p record a
// payment, r release, / search, ? the list. Keys act only when no field has the focus (Esc leaves a field first). Everything
// they do is also a visible control reachable by Tab; this script only shortens the way.
(function () {
  "use strict";

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function submit(selector) {
    var form = document.querySelector(selector);
    if (!form) return false;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
    return true;
  }

  function focus(selector) {
    var field = document.querySelector(selector);
    if (!field) return false;
    field.focus();
    if (field.scrollIntoView) field.scrollIntoView({ block: "center" });
    return true;
  }

  function showHelp() {
    var dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
    return Boolean(dialog);
  }

  var ACTIONS = {
    "n": function () { return submit("form[data-shortcut-next]"); },
    "c": function () { return focus("[data-shortcut-call]"); },
    "o": function () { return focus("[data-shortcut-offer]"); },
    "p": function () { return focus("[data-shortcut-payment]"); },
    "r": function () { return submit("form[data-shortcut-release]"); },
    "/": function () { return focus("[data-shortcut-search]"); },
    "?": showHelp
  };

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && typing(event.target)) {
      event.target.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open) return;
    var action = ACTIONS[event.key];
    if (action && action()) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () {
    var help = document.querySelector("[data-shortcut-help]");
    if (help) help.addEventListener("click", showHelp);
    // After a form went through the page opens on its result (a call's findings, an
    // offer's band): say it first. A refused form: its first wrong field.
    var result = document.querySelector("#call-result, #offer-result, #payment-result, #notice");
    var wrong = document.querySelector("[aria-invalid=true]");
    if (wrong) wrong.focus(); else if (result) result.focus();
  });
})();
