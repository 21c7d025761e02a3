// stravasync dashboard: action buttons call the admin API (the login cookie authenticates),
// and the live log follows the server-sent-events stream.
(function () {
  "use strict";

  function toast(text) {
    var el = document.createElement("div");
    el.className = "toast";
    el.textContent = text;
    document.body.appendChild(el);
    setTimeout(function () { el.remove(); }, 2500);
  }

  // the page's CSRF token: the admin API refuses a session POST without it
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";

  // positions come as data attributes (the CSP forbids inline style attributes)
  document.querySelectorAll("[data-left]").forEach(function (el) {
    el.style.left = Number(el.dataset.left) + "px";
  });

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button[data-post]");
    if (!btn) return;
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
  });

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
