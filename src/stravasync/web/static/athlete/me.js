// The athlete's pages: confirmations before irreversible forms, and the sync's progress.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });

  var status = document.getElementById("sync-progress");
  if (!status) {
    return;
  }
  var busy = { requested: true, running: true };
  function poll() {
    fetch("/me/sync/status", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) { return; }
        status.textContent = p.text;
        status.setAttribute("data-state", p.state);
        if (busy[p.state]) { window.setTimeout(poll, 3000); }
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  if (busy[status.getAttribute("data-state")]) {
    window.setTimeout(poll, 1500);
  }
})();
