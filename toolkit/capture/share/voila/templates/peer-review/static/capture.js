/* The capture app's page: a connection you can see, and typed text that is never lost.
 *
 * - Watches the page's kernel: its websocket (a close is noticed at once), the kernel's status
 *   messages on it (a kernel that died and was restarted under the same id is noticed at once)
 *   and the server's /api/kernels/<id> (every few seconds). A status line says whether the app can
 *   save; when it cannot, a banner says so, every button of the app shows a message instead of
 *   doing nothing, and, once this page's kernel is gone (the server or the kernel restarted, or
 *   the kernel was culled), the banner offers a reload.
 * - Keeps what is typed in the app's forms (text, choices, ticks) in this browser (localStorage,
 *   per review page and reviewer) until the server confirms the save of that same text, and
 *   offers it back (see "drafts" below).
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
        ws.addEventListener("message", function (ev) {
          var status = kernelStatus(ev.data);
          if (!status) { return; }
          if (status === "restarting" || status === "autorestarting" || status === "dead") {
            saveAll();
            setState("gone", "kernel");
          } else {
            kernelSaid(status);
          }
        });
      }
      return ws;
    };
    Watched.prototype = NativeWebSocket.prototype;
    ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (k) { Watched[k] = NativeWebSocket[k]; });
    window.WebSocket = Watched;
  }

  /* The execution state in a kernel's status message (iopub), or null. The server sends
   * "restarting" when the page's kernel died and is restarted under the same id, "dead" when it
   * cannot be; the new kernel no longer knows this page's widgets, so the page can no longer save.
   * Messages come as JSON text or in the v1.kernel.websocket.jupyter.org binary form: eight-byte
   * little-endian offsets (their count first), then the channel, header, parent header, metadata,
   * content. */
  var utf8 = window.TextDecoder ? new TextDecoder("utf-8") : null;

  function kernelStatus(data) {
    var msg = null;
    try {
      if (typeof data === "string") {
        msg = JSON.parse(data);
        if (msg.channel !== "iopub" || !msg.header || msg.header.msg_type !== "status") { return null; }
        return msg.content ? msg.content.execution_state || null : null;
      }
      if (!(data instanceof ArrayBuffer) || !utf8 || data.byteLength < 48) { return null; }
      var view = new DataView(data);
      var count = view.getUint32(0, true);
      if (count < 6 || 8 + count * 8 > data.byteLength) { return null; }
      var at = function (i) { return view.getUint32(8 + i * 8, true); };
      var part = function (i) { return utf8.decode(new Uint8Array(data, at(i), at(i + 1) - at(i))); };
      if (part(0) !== "iopub") { return null; }
      var header = part(1);
      if (header.indexOf('"status"') === -1 || JSON.parse(header).msg_type !== "status") { return null; }
      return JSON.parse(part(4)).execution_state || null;
    } catch (e) { return null; }
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
    bar.innerHTML = '<p class="pr-conn-line" aria-live="polite"></p><div class="pr-conn-alert" role="alert"></div>';
    document.body.insertBefore(bar, document.body.firstChild);
    bar.querySelector(".pr-conn-line").textContent = word("checking");
    return bar;
  }

  var goneWhy = "server";      // gone: "server" (its kernel is no longer there) or "kernel" (restarted)

  function setState(next, why) {
    if (next === "ok" && state === "gone") { return; }  // a new server never brings this page's kernel back
    if (state === "gone" && next !== "gone") { return; }  // nor does a reconnected socket
    var changed = next !== state || (next === "gone" && why && why !== goneWhy);
    if (next === "gone" && why) { goneWhy = why; }
    state = next;
    var b = ensureBar();
    if (!b) { return; }
    document.documentElement.classList.toggle("pr-offline", state === "lost" || state === "gone");
    if (!changed) { return; }
    b.className = "pr-conn pr-conn-" + state;
    if (state === "lost" || state === "gone") { saveAll(); Object.keys(pending).forEach(function (k) { delete pending[k]; }); }
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
      alertBox.appendChild(para(word(goneWhy === "kernel" ? "kernel_restarted" : "restarted")));
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
      note = para(word(state === "gone" ? "not_saved_gone" : "not_saved"));
      note.className = "pr-conn-not-saved";
      alertBox.insertBefore(note, alertBox.firstChild);
      saveAll();
    } else {
      var form = button.closest(FORM);
      if (form) { pending[formKey(form)] = Date.now(); }
      check();
    }
  }, true);

  /* ---- drafts: what was typed in a form and not yet saved, kept in this browser ----
   *
   * A form is an element of class pr-form (a finding's form, a checklist prompt, ...); its parts
   * to keep are the widgets of class pr-keep in it (text, choices, ticks), each known by its own
   * pr- class. A draft is a snapshot of one form with some text in it. Storage (per review page
   * and reviewer) holds a list of drafts; this page has at most one "live" draft per form (the
   * one its typing updates). Every other draft is offered in the kept-text box.
   * - A draft is removed only when the server confirms the save of that same text: a message
   *   of class pr-msg-ok in the form carrying data-pr-saved (the values as saved); a draft whose
   *   text was changed since is kept.
   * - A live draft whose text the server took out of the form (New, another finding picked) stops
   *   being live once the form's last action is over, and is offered.
   * - Putting a draft back never overwrites what is in the form: that becomes a draft of its own,
   *   offered in its turn, and the box says so.
   * - Text the server refused as personal data (data-pr-refused on the form's error) is removed
   *   from the browser, and not kept again until that form is saved or the box is emptied.
   */
  var FORM = ".pr-form";
  var live = {};               // form key -> id of this page's draft of that form
  var held = {};               // form key -> {field key: true}: refused text, not kept
  var pending = {};            // form key -> time of a click whose answer is awaited
  var busySince = 0;           // the kernel said "busy" (after a click), not yet "idle"

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

  function ownKey(el) {  // a widget's own pr- classes (not the markers)
    var parts = [];
    if (el && el.classList) {
      el.classList.forEach(function (c) {
        if (/^pr-[a-z0-9-]+$/.test(c) && c !== "pr-keep" && c !== "pr-form") { parts.push(c); }
      });
    }
    return parts.join(" ");
  }

  function formKey(form) {
    var parts = [];
    for (var node = form; node && !(node.classList && node.classList.contains("pr-app")); node = node.parentElement) {
      var own = ownKey(node);
      if (own) { parts.unshift(own); }
    }
    return parts.join(" ") || "form";
  }

  function findForm(key) {
    var forms = document.querySelectorAll(".pr-app " + FORM);
    for (var i = 0; i < forms.length; i += 1) {
      if (formKey(forms[i]) === key) { return forms[i]; }
    }
    return null;
  }

  function controlOf(part) {
    return part.querySelector("textarea, input[type=text], input:not([type]), select, input[type=checkbox]");
  }

  function kindOf(el) {
    if (el.tagName === "SELECT") { return "choice"; }
    if (el.type === "checkbox") { return "tick"; }
    return "text";
  }

  function clean(text) { return (text || "").replace(/\u200b/g, "").trim(); }

  function partLabel(part, el) {
    var label = part.querySelector(el.type === "checkbox" ? "label.widget-label-basic span" : "label.widget-label");
    if (label && clean(label.textContent)) { return clean(label.textContent); }
    return el.getAttribute("placeholder") || el.getAttribute("aria-label") || "";
  }

  function parts(form) {  // field key -> {part, el}
    var found = {};
    form.querySelectorAll(".pr-keep").forEach(function (part) {
      var el = controlOf(part);
      var key = ownKey(part);
      if (el && key) { found[key] = {part: part, el: el}; }
    });
    return found;
  }

  function snapshot(form) {  // the form as it is now; null when it holds no text worth keeping
    var key = formKey(form);
    var fields = {};
    var text = false;
    var all = parts(form);
    Object.keys(all).forEach(function (fk) {
      var el = all[fk].el;
      var kind = kindOf(el);
      var value = kind === "tick" ? el.checked : kind === "choice" ? (el.value || "") : el.value;
      if (kind === "text" && held[key] && held[key][fk]) { value = ""; }
      if (kind === "text" && value && value.trim()) { text = true; }
      fields[fk] = {label: partLabel(all[fk].part, el), kind: kind, value: value};
    });
    return text ? {form: key, fields: fields} : null;
  }

  function load() {
    var key = storeKey();
    if (!key) { return []; }
    var raw;
    try { raw = JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { raw = null; }
    if (raw && Array.isArray(raw.drafts)) { return raw.drafts; }
    if (raw && typeof raw === "object") {  // kept by an earlier version: field path -> {label, value}
      return Object.keys(raw).filter(function (k) { return raw[k] && raw[k].value; }).map(function (k, i) {
        var fk = k.split(" ").pop();
        var fields = {};
        fields[fk] = {label: raw[k].label || "", kind: "text", value: raw[k].value};
        return {id: "old-" + i, form: null, fields: fields, at: 0};
      });
    }
    return [];
  }

  function store(drafts) {
    var key = storeKey();
    if (!key) { return; }
    try {
      if (drafts.length) { window.localStorage.setItem(key, JSON.stringify({v: 2, drafts: drafts})); }
      else { window.localStorage.removeItem(key); }
    } catch (e) { /* storage full or refused: the form still holds the text */ }
  }

  function textOf(draft) {
    return Object.keys(draft.fields).filter(function (fk) {
      var f = draft.fields[fk];
      return f.kind === "text" && f.value && f.value.trim();
    });
  }

  function sameText(a, b) {
    var ta = textOf(a), tb = textOf(b);
    return ta.length === tb.length && ta.every(function (fk) {
      return b.fields[fk] && b.fields[fk].value === a.fields[fk].value;
    });
  }

  function newId() { return String(Date.now()) + "-" + Math.random().toString(36).slice(2, 8); }

  function remember(form) {  // this page's live draft of the form follows what is in it
    if (!storeKey()) { return; }
    var key = formKey(form);
    var snap = snapshot(form);
    var drafts = load();
    var id = live[key];
    var at = -1;
    drafts.forEach(function (d, i) { if (d.id === id) { at = i; } });
    if (!snap) {
      if (at >= 0) { drafts.splice(at, 1); }
      delete live[key];
    } else {
      snap.id = id && at >= 0 ? id : newId();
      snap.at = Date.now();
      live[key] = snap.id;
      if (at >= 0) { drafts[at] = snap; } else { drafts.push(snap); }
    }
    store(drafts);
    render();
  }

  function saveAll() {
    document.querySelectorAll(".pr-app " + FORM).forEach(function (form) {
      if (snapshot(form)) { remember(form); }
    });
  }

  function formOfField(el) {
    if (!el || !el.closest || !el.closest(".pr-app .pr-keep")) { return null; }
    return el.closest(FORM);
  }

  function typed(ev) {
    var form = formOfField(ev.target);
    if (!form) { return; }
    if (ev.isTrusted) { said(""); }  // the reviewer has moved on from what the box last said
    var key = formKey(form);
    var fk = ownKey(ev.target.closest(".pr-keep"));
    if (held[key] && held[key][fk] && !ev.target.value) { delete held[key][fk]; }  // emptied: kept again
    remember(form);
  }

  document.addEventListener("input", typed, true);
  document.addEventListener("change", typed, true);

  /* The server answered in a form: a save confirmed (drafts of that text removed) or text refused. */
  function answered(message) {
    var form = message.closest(FORM);
    if (!form || !storeKey()) { return; }
    var key = formKey(form);
    delete pending[key];
    var saved = null, refused = null;
    try { saved = JSON.parse(message.getAttribute("data-pr-saved") || "null"); } catch (e) { saved = null; }
    try { refused = JSON.parse(message.getAttribute("data-pr-refused") || "null"); } catch (e) { refused = null; }
    var drafts = load();
    if (saved) {
      delete held[key];
      said("");
      drafts = drafts.filter(function (d) {
        if (d.form !== key && d.form !== null) { return true; }
        var text = textOf(d);
        var same = text.length && text.every(function (fk) { return saved[fk] === d.fields[fk].value; });
        if (same && live[key] === d.id) { delete live[key]; }
        return !same;
      });
    }
    if (refused && refused.length) {
      held[key] = held[key] || {};
      var all = parts(form);
      var refusedText = {};
      refused.forEach(function (fk) {
        held[key][fk] = true;
        if (all[fk]) { refusedText[fk] = all[fk].el.value; }
      });
      drafts = drafts.filter(function (d) {
        if (d.form !== key) { return true; }
        refused.forEach(function (fk) {
          var f = d.fields[fk];
          if (f && (d.id === live[key] || f.value === refusedText[fk])) { f.value = ""; }
        });
        if (textOf(d).length) { return true; }
        if (live[key] === d.id) { delete live[key]; }
        return false;
      });
    }
    store(drafts);
    render();
  }

  /* A live draft whose text the server took out of its form (and no answer awaited) is offered. */
  function settle() {
    var drafts = load();
    Object.keys(live).forEach(function (key) {
      if (pending[key] && Date.now() - pending[key] < 60000) { return; }
      var form = findForm(key);
      var draft = drafts.filter(function (d) { return d.id === live[key]; })[0];
      if (!draft) { delete live[key]; return; }
      if (!form) { return; }
      var all = parts(form);
      var gone = textOf(draft).some(function (fk) { return !all[fk] || all[fk].el.value !== draft.fields[fk].value; });
      if (gone) { delete live[key]; }
    });
    render();
  }

  var settleTimer = null;
  function settleSoon() {
    if (settleTimer) { clearTimeout(settleTimer); }
    settleTimer = setTimeout(function () { settleTimer = null; settle(); }, 1200);
  }

  function kernelSaid(executionState) {  // from the kernel's status messages (see the socket's watch)
    if (executionState === "busy") { busySince = busySince || Date.now(); }
    else if (executionState === "idle" && busySince) {  // the work begun after a click is done
      var began = busySince;
      busySince = 0;
      Object.keys(pending).forEach(function (key) { if (pending[key] <= began) { delete pending[key]; } });
      settleSoon();
    }
  }

  /* ---- the kept-text box: every draft not in this page's forms ---- */
  var keptBox = null;

  function ensureKept() {
    if (keptBox || !ensureBar()) { return keptBox; }
    keptBox = document.createElement("div");
    keptBox.id = "pr-kept";
    keptBox.className = "pr-kept";
    keptBox.setAttribute("role", "region");
    keptBox.setAttribute("aria-label", word("kept_label"));
    keptBox.innerHTML = '<div class="pr-kept-said" role="status"></div><div class="pr-kept-list"></div>';
    bar.parentNode.insertBefore(keptBox, bar.nextSibling);
    return keptBox;
  }

  function said(text) {
    var box = ensureKept();
    if (box) { box.querySelector(".pr-kept-said").textContent = text; }
  }

  function shorten(text) { return text.length > 160 ? text.slice(0, 157) + "..." : text; }

  function describe(draft) {
    var li = document.createElement("li");
    li.className = "pr-kept-draft";
    textOf(draft).forEach(function (fk) {
      var f = draft.fields[fk];
      li.appendChild(para((f.label ? f.label + ": " : "") + shorten(f.value)));
    });
    var rest = [];
    var ticks = [];
    Object.keys(draft.fields).forEach(function (fk) {
      var f = draft.fields[fk];
      if (f.kind === "choice" && f.value && f.value.charAt(0) !== "-") { rest.push((f.label ? f.label + ": " : "") + f.value); }
      if (f.kind === "tick" && f.value) { ticks.push(f.label); }
    });
    if (ticks.length) { rest.push(word("kept_ticked") + " " + ticks.join(", ")); }
    if (rest.length) {
      var more = para(word("kept_with") + " " + rest.join("; "));
      more.className = "pr-kept-with";
      li.appendChild(more);
    }
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "pr-conn-restore";
    restore.textContent = word("restore");
    restore.addEventListener("click", function () { putBack(draft.id); });
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "pr-conn-discard";
    discard.textContent = word("discard");
    discard.addEventListener("click", function () {
      store(load().filter(function (d) { return d.id !== draft.id; }));
      said(word("discarded"));
      render();
    });
    li.appendChild(restore);
    li.appendChild(discard);
    return li;
  }

  function offered() {  // the drafts to offer: not live here, and not what their form holds now
    var mine = {};
    Object.keys(live).forEach(function (k) { mine[live[k]] = true; });
    return load().filter(function (d) {
      if (mine[d.id] || !textOf(d).length) { return false; }
      var form = d.form ? findForm(d.form) : null;
      var now = form ? snapshot(form) : null;
      return !(now && sameText(now, d));
    });
  }

  var shown = null;            // what the box lists now (draft ids and times)

  function render() {
    if (!storeKey() || !document.querySelector(".pr-app " + FORM)) { return; }
    var box = ensureKept();
    if (!box) { return; }
    var list = box.querySelector(".pr-kept-list");
    var waiting = offered();
    var now = waiting.map(function (d) { return d.id + "@" + d.at; }).join(" ");
    if (now === shown) { return; }
    shown = now;
    list.textContent = "";
    if (!waiting.length) { box.classList.remove("pr-kept-some"); return; }
    box.classList.add("pr-kept-some");
    list.appendChild(para(word("offer")));
    var ul = document.createElement("ul");
    waiting.forEach(function (d) { ul.appendChild(describe(d)); });
    list.appendChild(ul);
  }

  function fill(form, draft) {
    var all = parts(form);
    Object.keys(draft.fields).forEach(function (fk) {
      var f = draft.fields[fk];
      var target = all[fk];
      if (!target) { return; }
      var el = target.el;
      if (f.kind === "tick") {
        if (el.checked !== !!f.value) { el.click(); }
      } else if (f.kind === "choice") {
        if (el.value !== f.value && Array.prototype.some.call(el.options, function (o) { return o.value === f.value; })) {
          el.value = f.value;
          el.dispatchEvent(new Event("change", {bubbles: true}));
        }
      } else {
        el.value = f.value;
        el.dispatchEvent(new Event("input", {bubbles: true}));
        el.dispatchEvent(new Event("change", {bubbles: true}));
      }
    });
  }

  function putBack(id) {
    var draft = load().filter(function (d) { return d.id === id; })[0];
    if (!draft) { render(); return; }
    var form = draft.form ? findForm(draft.form) : null;
    if (!form && !draft.form) {  // a draft of an earlier version: found by its text box
      var fk = textOf(draft)[0];
      var part = fk ? document.querySelector(".pr-app ." + fk + ".pr-keep") : null;
      form = part ? part.closest(FORM) : null;
    }
    if (!form) { said(word("restore_missing")); return; }
    var key = formKey(form);
    var now = snapshot(form);
    var swapped = false;
    if (now && !sameText(now, draft)) {  // what is in the form stays kept, offered in its turn
      remember(form);
      delete live[key];
      swapped = true;
    }
    fill(form, draft);
    var drafts = load().filter(function (d) { return d.id !== id && d.id !== live[key]; });
    var snap = snapshot(form) || {form: key, fields: draft.fields};
    snap.id = id;
    snap.at = Date.now();
    drafts.push(snap);
    live[key] = id;
    store(drafts);
    said(word(swapped ? "restored_swapped" : "restored"));
    render();
  }

  window.addEventListener("storage", function () { render(); });

  /* The app's panel (Voila's Lumino shell) lays itself out on the window's resize only: told
   * whenever the line or the kept-text box above it changes its height (capture.css). */
  var fitted = false;

  function fitApp() {
    var main = document.getElementById("main");
    if (fitted || !main || !window.ResizeObserver) { return; }
    fitted = true;
    var last = main.clientHeight;
    new ResizeObserver(function () {
      if (main.clientHeight !== last) {
        last = main.clientHeight;
        window.dispatchEvent(new Event("resize"));
      }
    }).observe(main);
  }

  function watchPage() {
    new MutationObserver(function (records) {
      fitApp();
      var ours = records.every(function (r) {
        return (bar && bar.contains(r.target)) || (keptBox && keptBox.contains(r.target));
      });
      if (ours) { return; }
      records.forEach(function (r) {
        r.addedNodes.forEach(function (n) {
          if (n.nodeType !== 1) { return; }
          var found = n.matches(".pr-msg") ? [n] : n.querySelectorAll(".pr-msg");
          found.forEach(answered);
        });
      });
      settleSoon();
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
