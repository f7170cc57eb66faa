// The portal's few scripts: a streamed upload with its progress, polling of a placement's
// progress panel, and "select all" on the accounts list. Everything else is plain HTML.
(function () {
  "use strict";

  var FETCH = { "X-Requested-With": "portal" };

  function signInAgain() {
    window.location.assign("/portal/sign-in?expired=1&next=" + encodeURIComponent(window.location.pathname));
  }

  function showErrors(box, message, details) {
    box.textContent = "";
    var p = document.createElement("p");
    p.textContent = message;
    box.appendChild(p);
    if (details && details.length) {
      var list = document.createElement("ul");
      details.forEach(function (d) {
        var item = document.createElement("li");
        item.textContent = d.field + ": " + d.reason;
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    box.hidden = false;
    box.focus();
  }

  // A file refused for its header: its first bytes (as base64) go to the mapping step,
  // which shows its columns beside ours. The file itself is sent again once it is saved.
  var SAMPLE_BYTES = 65536;
  function offerMapping(mapping, file, kind) {
    mapping.elements.kind.value = kind;
    mapping.hidden = false;
    mapping.onsubmit = function (event) {
      if (mapping.elements.sample.value) { return; }
      event.preventDefault();
      var reader = new FileReader();
      reader.addEventListener("load", function () {
        var url = String(reader.result);
        mapping.elements.sample.value = url.slice(url.indexOf(",") + 1);
        mapping.submit();
      });
      reader.readAsDataURL(file.slice(0, SAMPLE_BYTES));
    };
  }

  // The file goes as the request body, never as a form: the server streams it, and the
  // CSRF token travels in a header.
  function setUpUpload(form) {
    var box = form.querySelector("[data-upload-errors]");
    var bar = form.querySelector("progress");
    var status = form.querySelector("[data-upload-status]");
    var button = form.querySelector("button[type=submit]");
    var mapping = document.querySelector("form[data-mapping]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var file = form.elements.file.files[0];
      if (!file) {
        showErrors(box, "Choose a file to upload.");
        return;
      }
      // The form's fields marked data-query go in the query string with the file's name.
      var query = new URLSearchParams({ file_name: file.name });
      form.querySelectorAll("[data-query]").forEach(function (field) {
        query.set(field.name, field.value);
      });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action + "?" + query.toString());
      xhr.setRequestHeader("Content-Type", form.getAttribute("data-content-type") || "text/csv");
      xhr.setRequestHeader("X-CSRF-Token", form.elements.csrf_token.value);
      xhr.setRequestHeader("X-Requested-With", "portal");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((e.loaded * 100) / e.total);
          status.textContent = "Uploading… " + bar.value + "%";
        }
      });
      xhr.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = {}; }
        if (xhr.status === 200 || xhr.status === 201 || xhr.status === 202) {
          status.textContent = "Received.";
          window.location.assign(body.location);
          return;
        }
        if (xhr.status === 401) { signInAgain(); return; }
        button.disabled = false;
        bar.hidden = true;
        status.textContent = "";
        var error = body.error || { message: "The upload failed (" + xhr.status + ").", details: [] };
        if (error.code === "header_mismatch" && mapping) {
          // One plain message; the columns are matched on the next step.
          showErrors(box, error.message);
          offerMapping(mapping, file, form.elements.kind.value);
          return;
        }
        showErrors(box, error.message, error.details);
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        bar.hidden = true;
        status.textContent = "";
        showErrors(box, "The connection was lost during the upload. Please try again.");
      });
      box.hidden = true;
      if (mapping) { mapping.hidden = true; mapping.elements.sample.value = ""; }
      bar.hidden = false;
      bar.value = 0;
      button.disabled = true;
      status.textContent = "Uploading…";
      xhr.send(file);
    });
  }

  // A panel with data-poll-url is replaced by a fresh copy until the copy no longer asks
  // to be polled; then the page reloads once to show the finished placement.
  function poll(panel) {
    var url = panel.getAttribute("data-poll-url");
    window.setTimeout(function () {
      fetch(url, { headers: FETCH, credentials: "same-origin" }).then(function (response) {
        if (response.status === 401) { signInAgain(); return null; }
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (html === null) { poll(panel); return; }
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.firstElementChild;
        panel.replaceWith(fresh);
        if (fresh.hasAttribute("data-poll-url")) {
          poll(fresh);
        } else {
          window.location.reload();
        }
      }).catch(function () { poll(panel); });
    }, 1200);
  }

  function setUpSelectAll(box) {
    var form = box.form;
    box.addEventListener("change", function () {
      form.querySelectorAll("input[name=account_id]").forEach(function (c) { c.checked = box.checked; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-upload]").forEach(setUpUpload);
    document.querySelectorAll("[data-poll-url]").forEach(poll);
    document.querySelectorAll("input[data-select-all]").forEach(setUpSelectAll);
  });
})();
