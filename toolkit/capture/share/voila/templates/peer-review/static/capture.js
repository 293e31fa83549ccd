/* The capture app's page: a connection you can see, and typed text that is never lost.
 *
 * - Watches the page's kernel: its websocket (a close is noticed at once) and the server's
 *   /api/kernels/<id> (every few seconds). A status line says whether the app can save; when it
 *   cannot, a banner says so, every button of the app shows a message instead of doing nothing,
 *   and, once the server answers again without this page's kernel (restarted, or the kernel was
 *   culled), the banner offers a reload.
 * - Keeps what is typed in the app's text boxes in this browser (localStorage, per review page and
 *   reviewer) until a save succeeds, and offers it back after a reload or a restart.
 * - Removes the access token from the address bar once the server has set its cookie.
 * - Shuts its kernel down when the tab is closed or reloaded (the server culls what this misses).
 * - Reloads a page whose kernel is connected but whose form never appeared (Voila's widgets now and
 *   then fail to render on a first page: voila#920), once; if it still does not appear, says so and
 *   offers a reload.
 * Every sentence shown comes from the page template's #pr-words block.
 */
(function () {
  "use strict";
  var WORDS = {};
  try { WORDS = JSON.parse(document.getElementById("pr-words").textContent); } catch (e) { WORDS = {}; }
  function word(key) { return WORDS[key] || key; }

  var state = "checking";      // checking | ok | lost | gone
  var sockets = [];            // the kernel websockets this page opened
  var timer = null;
  var missing = 0;             // 404 answers in a row for this page's kernel
  var STORE_PREFIX = "peer-review-capture:";

  /* ---- the kernel's websocket: a close is noticed at once ---- */
  var NativeWebSocket = window.WebSocket;
  if (NativeWebSocket) {
    var Watched = function (url, protocols) {
      var ws = protocols === undefined ? new NativeWebSocket(url) : new NativeWebSocket(url, protocols);
      if (String(url).indexOf("/channels") !== -1) {
        sockets.push(ws);
        ws.addEventListener("open", function () { check(); });
        ws.addEventListener("close", function () { if (state !== "gone") { setState("lost"); } check(); });
      }
      return ws;
    };
    Watched.prototype = NativeWebSocket.prototype;
    ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (k) { Watched[k] = NativeWebSocket[k]; });
    window.WebSocket = Watched;
  }

  function config() {
    var el = document.getElementById("jupyter-config-data");
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function socketOpen() {  // the widget manager may open more than one; any open one can save
    if (!sockets.length) { return true; }
    return sockets.some(function (ws) { return ws.readyState === NativeWebSocket.OPEN; });
  }

  function check() {
    var cfg = config();
    if (!cfg || !cfg.kernelId) { schedule(1000); return; }
    var base = cfg.baseUrl || "/";
    if (base.charAt(base.length - 1) !== "/") { base += "/"; }
    fetch(base + "api/kernels/" + encodeURIComponent(cfg.kernelId),
          {credentials: "same-origin", cache: "no-store"})
      .then(function (r) {
        if (r.status === 404) {  // asked twice before saying so: one answer can race a kernel's start
          missing += 1;
          if (missing >= 2) { setState("gone"); } else { setState(state === "gone" ? "gone" : "lost"); }
          return;
        }
        missing = 0;
        if (r.ok && socketOpen()) { setState("ok"); watchForm(); }
        else { setState(state === "gone" ? "gone" : "lost"); }
      })
      .catch(function () { setState(state === "gone" ? "gone" : "lost"); })
      .then(function () { schedule(state === "ok" ? 5000 : 2000); });
  }

  function schedule(ms) {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(check, ms);
  }

  /* ---- the status line and the banner ---- */
  var bar = null;

  function ensureBar() {
    if (bar || !document.body) { return bar; }
    bar = document.createElement("div");
    bar.id = "pr-connection";
    bar.className = "pr-conn pr-conn-checking";
    bar.setAttribute("role", "region");
    bar.setAttribute("aria-label", word("status_label"));
    bar.innerHTML = '<p class="pr-conn-line" aria-live="polite"></p><div class="pr-conn-alert" role="alert"></div>' +
                    '<div class="pr-conn-offer"></div>';
    document.body.insertBefore(bar, document.body.firstChild);
    bar.querySelector(".pr-conn-line").textContent = word("checking");
    return bar;
  }

  function setState(next) {
    if (next === "ok" && state === "gone") { return; }  // a new server never brings this page's kernel back
    var changed = next !== state;
    state = next;
    var b = ensureBar();
    if (!b) { return; }
    document.documentElement.classList.toggle("pr-offline", state === "lost" || state === "gone");
    if (!changed) { return; }
    b.className = "pr-conn pr-conn-" + state;
    var line = b.querySelector(".pr-conn-line");
    var alertBox = b.querySelector(".pr-conn-alert");
    alertBox.textContent = "";
    if (state === "ok") {
      line.textContent = word("connected");
    } else if (state === "lost") {
      line.textContent = "";
      alertBox.appendChild(para(word("lost")));
    } else if (state === "gone") {
      line.textContent = "";
      alertBox.appendChild(para(word("restarted")));
      alertBox.appendChild(reloadButton());
    }
  }

  function reloadButton() {
    var again = document.createElement("button");
    again.type = "button";
    again.className = "pr-conn-reload";
    again.textContent = word("reload");
    again.addEventListener("click", function () { window.location.reload(); });
    return again;
  }

  function para(text) {
    var p = document.createElement("p");
    p.textContent = text;
    return p;
  }

  /* ---- a button pressed while the app cannot save: a message, never nothing ---- */
  document.addEventListener("click", function (ev) {
    var button = ev.target && ev.target.closest ? ev.target.closest("button") : null;
    if (!button || !button.closest(".pr-app")) { return; }
    if (state === "lost" || state === "gone") {
      ev.preventDefault();
      ev.stopImmediatePropagation();
      var b = ensureBar();
      var alertBox = b.querySelector(".pr-conn-alert");
      var note = alertBox.querySelector(".pr-conn-not-saved");
      if (note) { note.remove(); }
      note = para(word("not_saved"));
      note.className = "pr-conn-not-saved";
      alertBox.insertBefore(note, alertBox.firstChild);
      saveAll();
    } else {
      check();
    }
  }, true);

  /* ---- typed text kept in this browser until it is saved ---- */
  function reviewer() {
    var sel = document.querySelector(".pr-reviewer select");
    return sel && sel.value ? sel.value : "";
  }

  function storeKey() {
    var who = reviewer();
    if (!who) { return null; }
    var title = document.querySelector(".pr-app h1");
    return STORE_PREFIX + window.location.pathname + ":" + (title ? title.textContent : "") + ":" + who;
  }

  function fieldKey(el) {
    var parts = [];
    for (var node = el; node && !(node.classList && node.classList.contains("pr-app")); node = node.parentElement) {
      if (!node.classList) { continue; }
      node.classList.forEach(function (c) { if (/^pr-[a-z0-9-]+$/.test(c)) { parts.unshift(c); } });
    }
    return parts.join(" ");
  }

  function fieldLabel(el) {
    for (var node = el.parentElement; node && !node.classList.contains("pr-app"); node = node.parentElement) {
      var label = node.querySelector(":scope > label.widget-label");
      if (label && label.textContent.trim()) { return label.textContent.trim(); }
    }
    return el.getAttribute("placeholder") || el.getAttribute("aria-label") || "";
  }

  function isField(el) {
    if (!el || !el.closest || !el.closest(".pr-app")) { return false; }
    if (el.tagName === "TEXTAREA") { return true; }
    return el.tagName === "INPUT" && (el.type === "text" || el.type === "");
  }

  function load() {
    var key = storeKey();
    if (!key) { return {}; }
    try { return JSON.parse(window.localStorage.getItem(key) || "{}"); } catch (e) { return {}; }
  }

  function save(kept) {
    var key = storeKey();
    if (!key) { return; }
    try {
      if (Object.keys(kept).length) { window.localStorage.setItem(key, JSON.stringify(kept)); }
      else { window.localStorage.removeItem(key); }
    } catch (e) { /* storage full or refused: the form still holds the text */ }
  }

  function remember(el) {
    var id = fieldKey(el);
    if (!id) { return; }
    var kept = load();
    if (el.value && el.value.trim()) { kept[id] = {label: fieldLabel(el), value: el.value}; }
    else { delete kept[id]; }
    save(kept);
  }

  function saveAll() {
    document.querySelectorAll(".pr-app textarea, .pr-app input[type=text]").forEach(function (el) {
      if (isField(el) && el.value && el.value.trim()) { remember(el); }
    });
  }

  document.addEventListener("input", function (ev) { if (isField(ev.target)) { remember(ev.target); } }, true);

  function fieldsIn(scope) {
    var found = {};
    scope.querySelectorAll("textarea, input[type=text]").forEach(function (el) {
      if (isField(el)) { found[fieldKey(el)] = el; }
    });
    return found;
  }

  function forgetAround(message) {  // a save succeeded: what it saved need not be kept
    var kept = load();
    if (!Object.keys(kept).length) { return; }
    for (var node = message.parentElement; node && !node.classList.contains("pr-app"); node = node.parentElement) {
      var inside = fieldsIn(node);
      var ids = Object.keys(inside);
      if (ids.length) {
        ids.forEach(function (id) { delete kept[id]; });
        save(kept);
        return;
      }
    }
  }

  var offered = {};

  function offer() {
    var key = storeKey();
    if (!key || offered[key] || !document.querySelector(".pr-app textarea")) { return; }
    var kept = load();
    var here = fieldsIn(document.querySelector(".pr-app"));
    var waiting = Object.keys(kept).filter(function (id) { return here[id] && here[id].value !== kept[id].value; });
    if (!waiting.length) { return; }
    offered[key] = true;
    var box = ensureBar().querySelector(".pr-conn-offer");
    box.textContent = "";
    box.setAttribute("role", "status");
    box.appendChild(para(word("offer")));
    var list = document.createElement("ul");
    waiting.forEach(function (id) {
      var li = document.createElement("li");
      var label = kept[id].label ? kept[id].label + ": " : "";
      li.textContent = label + kept[id].value.slice(0, 120) + (kept[id].value.length > 120 ? "..." : "");
      list.appendChild(li);
    });
    box.appendChild(para(word("offer_fields")));
    box.appendChild(list);
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "pr-conn-restore";
    restore.textContent = word("restore");
    restore.addEventListener("click", function () {
      waiting.forEach(function (id) {
        var el = fieldsIn(document.querySelector(".pr-app"))[id];
        if (!el) { return; }
        el.value = kept[id].value;
        el.dispatchEvent(new Event("input", {bubbles: true}));
        el.dispatchEvent(new Event("change", {bubbles: true}));
      });
      box.textContent = "";
      box.appendChild(para(word("restored")));
    });
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "pr-conn-discard";
    discard.textContent = word("discard");
    discard.addEventListener("click", function () {
      var now = load();
      waiting.forEach(function (id) { delete now[id]; });
      save(now);
      box.textContent = "";
      box.appendChild(para(word("discarded")));
    });
    box.appendChild(restore);
    box.appendChild(discard);
  }

  function watchPage() {
    new MutationObserver(function (records) {
      records.forEach(function (r) {
        r.addedNodes.forEach(function (n) {
          if (n.nodeType !== 1) { return; }
          var ok = n.matches(".pr-msg-ok") ? [n] : n.querySelectorAll(".pr-msg-ok");
          ok.forEach(forgetAround);
        });
      });
      offer();
    }).observe(document.body, {childList: true, subtree: true});
  }

  /* ---- a connected page whose form never appeared: reloaded once, then a banner and a button ---- */
  var FORM_WAIT_MS = 20000;    // after the kernel's websocket opened; a page may set prFormWaitMs
  var RELOAD_KEY = "peer-review-capture-reloaded:" + window.location.pathname;
  var formTimer = null;

  function hasForm() { return !!document.querySelector(".pr-app"); }

  function watchForm() {
    if (formTimer || hasForm() || !sockets.length) { return; }  // sockets open once the page is sent
    formTimer = setTimeout(function () {
      if (hasForm() || state !== "ok") { formTimer = null; return; }
      var last = 0;
      try { last = Number(window.sessionStorage.getItem(RELOAD_KEY) || 0); } catch (e) { last = 0; }
      if (Date.now() - last > 300000) {
        try { window.sessionStorage.setItem(RELOAD_KEY, String(Date.now())); } catch (e) { /* reload anyway */ }
        window.location.reload();
        return;
      }
      var alertBox = ensureBar().querySelector(".pr-conn-alert");
      alertBox.textContent = "";
      alertBox.appendChild(para(word("no_form")));
      alertBox.appendChild(reloadButton());
    }, Number(window.prFormWaitMs) || FORM_WAIT_MS);
  }

  function dropToken() {  // the server has set its login cookie: the token leaves the address bar
    var url = new URL(window.location.href);
    if (!url.searchParams.has("token")) { return; }
    url.searchParams.delete("token");
    window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  }

  /* ---- a closed tab releases its kernel at once (Voila's own shutdown call lacks _xsrf: voila#1458) ---- */
  function release() {
    var cfg = config();
    if (!cfg || !cfg.kernelId) { return; }
    var base = cfg.baseUrl || "/";
    if (base.charAt(base.length - 1) !== "/") { base += "/"; }
    // tornado's double-submit check: the _xsrf cookie and the X-XSRFToken header must match. Voila
    // sets no such cookie, so the page makes one (another site can neither read nor set it).
    var xsrf = document.cookie.match(/(?:^|; )_xsrf=([^;]*)/);
    var token = xsrf ? decodeURIComponent(xsrf[1]) : "";
    if (!token) {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      token = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      document.cookie = "_xsrf=" + token + "; path=" + base + "; SameSite=Strict";
    }
    var headers = {"X-XSRFToken": token};
    try {
      fetch(base + "api/kernels/" + encodeURIComponent(cfg.kernelId),
            {method: "DELETE", keepalive: true, credentials: "same-origin", headers: headers});
    } catch (e) { /* the server culls it instead */ }
  }

  function start() {
    ensureBar();
    watchPage();
    check();
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
  window.addEventListener("load", dropToken);
  window.addEventListener("pagehide", release);
})();
