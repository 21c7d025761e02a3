// stravasync dashboard: action buttons call the admin API (the login cookie authenticates),
// a button with data-confirm asks first (the page's <dialog id="confirm">), and the live log
// follows the server-sent-events stream.
(function () {
  "use strict";

  function toast(text) {
    var el = document.createElement("div");
    el.className = "toast";
    el.setAttribute("role", "status");
    el.textContent = text;
    document.body.appendChild(el);
    setTimeout(function () { el.remove(); }, 2500);
  }

  // the page's CSRF token: the admin API refuses a session POST without it
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";

  var dialog = document.getElementById("confirm");

  // ask before an action that stops or costs something; "proceed" runs only on Confirm
  function confirmThen(btn, proceed) {
    if (!btn.dataset.confirm) { proceed(); return; }
    if (!dialog || typeof dialog.showModal !== "function") {
      if (window.confirm(btn.dataset.confirm)) proceed();
      return;
    }
    document.getElementById("confirm-title").textContent = (btn.textContent || "").trim() + "?";
    document.getElementById("confirm-text").textContent = btn.dataset.confirm;
    document.getElementById("confirm-ok").textContent = (btn.textContent || "Confirm").trim();
    dialog.returnValue = "";
    dialog.addEventListener("close", function done() {
      dialog.removeEventListener("close", done);
      if (dialog.returnValue === "ok") proceed();
      else btn.focus();
    });
    dialog.showModal();
    document.getElementById("confirm-cancel").focus();
  }

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button[data-post]");
    if (!btn) return;
    confirmThen(btn, function () { post(btn); });
  });

  function post(btn) {
    btn.disabled = true;
    fetch(btn.dataset.post, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: btn.dataset.body || "{}",
    }).then(function (resp) {
      return resp.json().then(function (data) {
        toast(data.detail || (resp.ok ? "done" : "failed"));
        if (resp.ok) setTimeout(function () { location.reload(); }, 400);
        else btn.disabled = false;
      });
    }).catch(function () { toast("request failed"); btn.disabled = false; });
  }

  var log = document.getElementById("log");
  if (!log) return;
  var lastId = Number(log.dataset.lastId || 0);

  function append(line) {
    if (line.id <= lastId) return;
    lastId = line.id;
    var span = document.createElement("span");
    span.className = "line " + String(line.level).toLowerCase();
    var t = String(line.created_at).slice(11, 19);
    span.textContent = t + " " + line.level + " [" + (line.athlete_id || "-") + "] " + line.message;
    log.appendChild(span);
    log.appendChild(document.createTextNode("\n"));
    log.scrollTop = log.scrollHeight;
  }

  function poll() {
    fetch("/api/admin/logs?after_id=" + lastId, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (page) { page.lines.forEach(append); })
      .finally(function () { setTimeout(poll, 3000); });
  }

  log.scrollTop = log.scrollHeight;
  // the server ends a stream every few minutes; reconnect from the last line seen
  function follow() {
    var source = new EventSource("/api/admin/logs/stream?after_id=" + lastId);
    source.addEventListener("log", function (ev) { append(JSON.parse(ev.data)); });
    source.onerror = function () { source.close(); setTimeout(follow, 2000); };
  }

  if (window.EventSource) follow();
  else poll();
})();
