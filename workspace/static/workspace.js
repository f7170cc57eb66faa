// The workspace's keyboard: n next account, c record a call, o make an offer, p record a
// payment, r release, / search, ? the list; and an offer's band while its amount is typed. Keys act only when no field has the focus (Esc leaves a field first). Everything
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

  // Dollars as people type them ("1,234.5", "$800"), as cents; null when no amount.
  function cents(text) {
    var m = /^\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
    if (!m) return null;
    return parseInt(m[1].replace(/,/g, ""), 10) * 100 + parseInt(((m[2] || "0") + "0").slice(0, 2), 10);
  }

  function dollars(c) {
    var whole = Math.floor(c / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return "$" + whole + "." + ("0" + (c % 100)).slice(-2);
  }

  // While an offer's amount is typed: where its amount alone places it, from the same
  // lowest settlements the page states (a plan's count and months are judged on sending).
  function previewOffer(form) {
    var amount = form.querySelector("#offer-amount");
    var out = form.querySelector("#offer-preview");
    if (!amount || !out || !form.dataset.balance) return;
    var balance = Number(form.dataset.balance);
    var mine = Number(form.dataset.collectorLowest);
    var theirs = Number(form.dataset.supervisorLowest);
    var whose = form.dataset.whose || "your";
    function update() {
      var c = cents(amount.value);
      if (c === null || c <= 0 || balance <= 0) { out.textContent = ""; return; }
      var share = Math.floor(c * 100 / balance) + " % of the balance";
      if (c >= mine) out.textContent = dollars(c) + " is " + share + ": within " + whose + " band by its amount.";
      else if (c >= theirs) out.textContent = dollars(c) + " is " + share + ", below " + whose + " " + dollars(mine) + ": a supervisor decides.";
      else out.textContent = dollars(c) + " is " + share + ", below the supervisor's " + dollars(theirs) + ": the client decides.";
    }
    amount.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var offer = document.getElementById("offer-form");
    if (offer) previewOffer(offer);
    var help = document.querySelector("[data-shortcut-help]");
    if (help) help.addEventListener("click", showHelp);
    // After a form went through the page opens on its result (a call's findings, an
    // offer's band): say it first. A refused form: its first wrong field.
    var result = document.querySelector("#call-result, #offer-result, #payment-result, #notice");
    var wrong = document.querySelector("[aria-invalid=true]");
    if (wrong) wrong.focus(); else if (result) result.focus();
  });
})();
