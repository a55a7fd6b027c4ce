/* The page side of the phone app: installs the service worker, catches the forms marked
 * data-outbox (visit, problem, proposal) into the outbox, sends the outbox, and shows what
 * waits ("待上传"), what was refused (with the server's reason, editable) and what is sent.
 * Without it every page works as plain HTML. */
(function () {
  "use strict";
  var data = document.getElementById("hhl-offline");
  if (!data || !self.idb || !self.hhlOutbox) return;
  var cfg = JSON.parse(data.textContent), t = cfg.t, outbox = self.hhlOutbox;
  var WAITING = {pending: 1, sending: 1, refused: 1};
  var busy = null, opened = Date.now();

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text != null) node.textContent = text;
    return node;
  }
  function owner() {
    return cfg.user ? Promise.resolve(cfg.user) : outbox.meta("user").then(function (u) { return u || outbox.meta("last"); });
  }

  function status(text, link) {
    var box = document.querySelector("[data-outbox-status]");
    if (!box) return;
    box.textContent = text || "";
    if (link) box.append(" ", el("a", {href: link.href}, link.text));
    box.hidden = !text;
  }

  /* Badges, Today's "待上传 n" and the lists on the card and the outbox page. */
  function show() {
    return owner().then(function (user) { return user ? outbox.items(user) : []; }).then(function (items) {
      var waiting = items.filter(function (i) { return WAITING[i.state]; });
      document.querySelectorAll("[data-outbox-badge]").forEach(function (badge) {
        var count = badge.querySelector("[data-outbox-badge-count]") || badge;
        count.textContent = fmt(t.pending, {n: waiting.length});
        badge.hidden = !waiting.length;
      });
      document.querySelectorAll("[data-household] [data-outbox-count]").forEach(function (span) {
        var pk = Number(span.closest("[data-household]").dataset.household);
        var n = waiting.filter(function (i) { return i.household === pk; }).length;
        // Sent since this page was opened: the row says so, as the page would after a reload.
        var sent = items.some(function (i) { return i.household === pk && i.state === "saved" && i.changed > opened; });
        span.textContent = n ? fmt(t.pending, {n: n}) : sent ? t.state_saved : "";
        span.hidden = !n && !sent;
      });
      document.querySelectorAll("[data-outbox-list]").forEach(function (list) { fill(list, items); });
      return outbox.meta("expired").then(function (expired) {
        if (expired && waiting.length) {
          status(fmt(t.expired, {n: waiting.length}), {href: cfg.login + "?next=" + encodeURIComponent(location.pathname), text: t.login});
        }
      });
    });
  }

  function fill(list, items) {
    var pk = list.dataset.household ? Number(list.dataset.household) : null;
    var mine = items.filter(function (i) { return pk === null || i.household === pk; })
      .sort(function (a, b) { return b.created - a.created; });
    list.replaceChildren();
    if (!mine.length && pk === null) list.append(el("p", {}, t.none));
    if (mine.length && pk !== null) list.append(el("h2", {"class": "h6 mt-3"}, t.on_phone));
    mine.forEach(function (item) { list.append(row(item, pk === null)); });
  }

  function row(item, withHousehold) {
    var li = el("div", {"class": "outbox-item border rounded p-2 mb-2", "data-outbox-item": item.key, "data-state": item.state});
    var title = (withHousehold ? fmt(t.household, {n: item.household}) + " · " : "") + t["kind_" + item.kind] +
      " · " + new Date(item.fields.visited_at || item.created).toLocaleString(document.documentElement.lang) + " · ";
    li.append(el("span", {}, title), el("strong", {"data-outbox-state": ""}, t["state_" + item.state]));
    if (item.state !== "refused") return li;
    var errors = item.errors || {};
    var form = el("form", {"data-outbox-fix": item.key});
    Object.keys(errors).forEach(function (field) {
      var messages = [].concat(errors[field]).map(function (m) { return typeof m === "string" ? m : JSON.stringify(m); });
      form.append(el("div", {"class": "text-danger small", "data-outbox-error": field}, (cfg.labels[field] || field) + ": " + messages.join(" ")));
      if (field in item.fields && field !== "household") {
        var value = item.fields[field], input;
        if (field === "visited_at") {
          var d = new Date(value);
          input = el("input", {type: "datetime-local", name: field, "class": "form-control mb-1"});
          input.value = new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
        } else {
          input = el("input", {type: "text", name: field, "class": "form-control mb-1"});
          input.value = Array.isArray(value) ? value.join(",") : value;
        }
        form.append(input);
      }
    });
    if (item.photo && errors.photo) {
      var remove = el("button", {type: "button", "class": "btn btn-sm btn-outline-secondary me-1"}, t.remove_photo);
      remove.onclick = function () { item.photo = null; delete item.fields.photo_taken_at; remove.disabled = true; };
      form.append(remove);
    }
    var again = el("button", {type: "submit", "class": "btn btn-sm btn-primary me-1"}, t.resend);
    var drop = el("button", {type: "button", "class": "btn btn-sm btn-outline-danger"}, t.discard);
    drop.onclick = function () {
      if (confirm(t.discard_confirm)) outbox.remove(item.key).then(show);
    };
    form.append(again, drop);
    form.onsubmit = function (event) {
      event.preventDefault();
      new FormData(form).forEach(function (value, name) {
        item.fields[name] = name === "visited_at" ? new Date(value).toISOString()
          : Array.isArray(item.fields[name]) ? value.split(",").filter(Boolean) : value;
      });
      item.state = "pending";
      item.errors = null;
      outbox.save(item).then(sync);
    };
    li.append(form);
    return li;
  }

  function sync() {
    if (busy) return busy;
    busy = owner().then(function (user) {
      if (!user || !navigator.onLine) return null;
      return outbox.sync({user: user, pages: cfg.pages, batch: cfg.batch});
    }).catch(function () { return null; }).then(function (result) {
      busy = null;
      if (result && result.sent && !result.refused) status(t.sent);
      return show().then(function () { return result; });
    });
    return busy;
  }

  /* A marked form: kept on the phone first, then sent if the network is there. A quick
   * visit stays on Today; the others go to the card, which lists the item and its state. */
  document.addEventListener("submit", function (event) {
    var form = event.target, kind = form.dataset && form.dataset.outbox;
    if (!kind || !cfg.user) return;
    event.preventDefault();
    var household = Number(form.dataset.household || (location.pathname.match(/\/households\/(\d+)\//) || [])[1]);
    var fields = new FormData(form);
    if (event.submitter && event.submitter.name) fields.append(event.submitter.name, event.submitter.value);
    form.querySelectorAll("[type=submit]").forEach(function (b) { b.disabled = true; });
    outbox.fromForm(kind, {household: household, owner: cfg.user}, fields).then(outbox.save).then(function () {
      var key = form.querySelector("[name=key]");
      if (key) key.value = outbox.uuid();
      register();
      return navigator.onLine ? sync() : null;
    }).then(function (result) {
      if (!result || result.expired) status(t.queued);
      if (form.querySelector("[name=quick]")) {
        form.querySelectorAll("[type=submit]").forEach(function (b) { b.disabled = false; });
        return show();
      }
      location.href = cfg.card.replace("/0/", "/" + household + "/");
    });
  });

  /* Logging out: what is queued stays for its owner, but the kept pages (personal data) go. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.getAttribute("action") !== cfg.logout || form.dataset.confirmed) return;
    event.preventDefault();
    outbox.items(cfg.user).then(function (items) {
      var n = items.filter(function (i) { return WAITING[i.state]; }).length;
      if (n && !confirm(fmt(t.logout_warning, {n: n}))) return;
      return outbox.forget().then(function () { return outbox.meta("user", null); }).then(function () {
        form.dataset.confirmed = "1";
        form.submit();
      });
    });
  });

  function register() {
    if (!navigator.serviceWorker || !navigator.serviceWorker.controller) return;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) reg.sync.register("hhl-outbox").catch(function () {});
    });
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-outbox-upload]")) sync();
  });
  window.addEventListener("online", sync);

  /* A form kept on the phone carries the key it was rendered with; each use needs its own,
   * or a second visit from the same copy would overwrite the first in the queue. */
  document.querySelectorAll("form[data-outbox] input[name=key]").forEach(function (input) {
    input.value = outbox.uuid();
  });

  /* A copy served from the phone says how old it is. */
  var age = Date.now() - Date.parse(cfg.rendered);
  if (age > 120000) status(fmt(t.offline_copy, {when: new Date(cfg.rendered).toLocaleString(document.documentElement.lang)}));

  var ready = Promise.resolve();
  if (cfg.user) {
    ready = outbox.meta("user").then(function (previous) {
      // Another user's kept pages are not this one's to see.
      var forget = previous && previous !== cfg.user ? outbox.forget() : null;
      return Promise.resolve(forget).then(function () {
        return Promise.all([outbox.meta("user", cfg.user), outbox.meta("last", cfg.user), outbox.meta("expired", false)]);
      });
    });
  }
  ready.then(show).then(function () { return cfg.user ? sync() : null; }).then(function () {
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.register(cfg.sw, {scope: "/"}).catch(function () {});
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.hhl === "outbox") show();
      if (event.data && event.data.hhl === "warmed") document.documentElement.dataset.offlineReady = "1";
    });
    if (!cfg.user || !navigator.onLine) return;
    // The kept pages are refreshed at most every quarter of an hour, not on every page.
    return outbox.meta("warmed").then(function (at) {
      if (at && Date.now() - at < 900000) return document.documentElement.dataset.offlineReady = "1";
      return navigator.serviceWorker.ready.then(function (reg) {
        if (!reg.active) return;
        reg.active.postMessage({hhl: "warm", user: cfg.user});
      });
    });
  });
})();
