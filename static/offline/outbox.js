/* The outbox: what a grid worker recorded on the phone, kept in IndexedDB (through idb)
 * until the server answers for it. Loaded by the pages and by the service worker, so that
 * a Background Sync and the "上传" button send the queue the same way. */
(function (root) {
  "use strict";
  var DB = "hhl-offline";
  var STALE_SENDING_MS = 60000; // a send cut off mid-way (tab closed) is sent again
  var opened;

  function db() {
    opened = opened || root.idb.openDB(DB, 1, {
      upgrade: function (d) {
        d.createObjectStore("outbox", {keyPath: "key"}).createIndex("owner", "owner");
        d.createObjectStore("meta");
        d.createObjectStore("versions");
      }
    });
    return opened;
  }

  function meta(name, value) {
    return db().then(function (d) {
      return value === undefined ? d.get("meta", name) : d.put("meta", value, name);
    });
  }

  function items(owner) {
    return db().then(function (d) { return d.getAllFromIndex("outbox", "owner", owner); });
  }

  function save(item) {
    item.changed = Date.now();
    return db().then(function (d) { return d.put("outbox", item); }).then(function () { return item; });
  }

  function remove(key) {
    return db().then(function (d) { return d.delete("outbox", key); });
  }

  function uuid() {
    return root.crypto.randomUUID ? root.crypto.randomUUID() : "10000000-1000-4000-8000-100000000000".replace(
      /[018]/g, function (c) { return (c ^ (root.crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16); });
  }

  /* A photo as the server wants it: the long side at most 1,600 px, JPEG, about 200 KB.
   * What does not decode as an image is kept as it is: the server refuses it, with the reason. */
  function shrink(file) {
    var taken = file.lastModified ? new Date(file.lastModified).toISOString() : null;
    if (!root.createImageBitmap) return Promise.resolve({blob: file, taken: taken});
    return root.createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
      var w = Math.round(bitmap.width * scale), h = Math.round(bitmap.height * scale);
      var canvas = root.OffscreenCanvas ? new root.OffscreenCanvas(w, h) : Object.assign(document.createElement("canvas"), {width: w, height: h});
      canvas.getContext("2d").drawImage(bitmap, 0, 0, w, h);
      var encode = function (quality) {
        return canvas.convertToBlob ? canvas.convertToBlob({type: "image/jpeg", quality: quality})
          : new Promise(function (done) { canvas.toBlob(done, "image/jpeg", quality); });
      };
      var tryQuality = function (quality) {
        return encode(quality).then(function (blob) {
          return blob.size > 220000 && quality > 0.45 ? tryQuality(quality - 0.15) : blob;
        });
      };
      return tryQuality(0.8).then(function (blob) { return {blob: blob, taken: taken}; });
    }, function () { return {blob: file, taken: taken}; });
  }

  /* A form's fields as the batch API names them. A datetime-local value is the phone's
   * local time; the API wants the moment, with its offset. */
  function fromForm(kind, form, data) {
    var fields = {}, photo = null;
    data.forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "key" || name === "quick") return;
      if (value instanceof root.Blob) {
        if (value.size) photo = value;
        return;
      }
      // An optional field left empty is not sent: the API takes its absence as "none".
      if (name === "needs") (fields.needs = fields.needs || []).push(value);
      else if (value !== "") fields[name] = value;
    });
    if (kind === "visit") {
      fields.needs = fields.needs || [];
      fields.visited_at = fields.visited_at ? new Date(fields.visited_at).toISOString() : new Date().toISOString();
    }
    var item = {key: data.get("key") || uuid(), kind: kind, household: form.household, fields: fields,
      owner: form.owner, state: "pending", errors: null, created: Date.now()};
    if (!photo) return Promise.resolve(item);
    return shrink(photo).then(function (shrunk) {
      item.photo = shrunk.blob;
      item.fields.photo_taken_at = shrunk.taken;
      return item;
    });
  }

  // A send that never ends (a link that died mid-way) would hold the queue: give up after a minute.
  function limit() {
    return root.AbortSignal && root.AbortSignal.timeout ? root.AbortSignal.timeout(60000) : undefined;
  }

  function session(pagesUrl) {
    return fetch(pagesUrl, {credentials: "same-origin", headers: {Accept: "application/json"}, signal: limit()}).then(function (r) {
      if (r.status === 401 || r.status === 403) return {expired: true};
      if (!r.ok) throw new Error("pages " + r.status);
      return r.json();
    });
  }

  function body(batch) {
    var list = batch.map(function (item) {
      return Object.assign({key: item.key, household: item.household}, item.fields);
    });
    var photos = batch.filter(function (item) { return item.photo; });
    if (!photos.length) return {json: true, body: JSON.stringify(list)};
    var data = new FormData();
    data.append("items", JSON.stringify(list));
    photos.forEach(function (item) { data.append("photo-" + item.key, item.photo, "photo.jpg"); });
    return {json: false, body: data};
  }

  /* Sends every pending item of the owner's, kind by kind, and records each answer on its
   * item. Resolves to {expired, sent, refused}; a lost network leaves the items pending. */
  function sync(config) {
    // One sender at a time across the pages and the worker (Web Locks): two at once would
    // both send an item, and the later answer ("already saved") would hide the first.
    var locks = root.navigator && root.navigator.locks;
    return locks ? locks.request("hhl-outbox-sync", function () { return syncNow(config, true); }) : syncNow(config);
  }

  function syncNow(config, locked) {
    var owner = config.user, now = Date.now();
    return items(owner).then(function (all) {
      // Holding the lock, an item still "sending" is one whose sender was stopped (a page
      // closed, a worker ended) before the answer: its send is over.
      var due = all.filter(function (item) {
        return item.state === "pending" ||
          (item.state === "sending" && (locked || now - item.changed > STALE_SENDING_MS));
      });
      if (!due.length) return {sent: 0, refused: 0};
      return session(config.pages).then(function (who) {
        if (who.expired || who.user !== owner) return meta("expired", true).then(function () { return {expired: true}; });
        var counts = {sent: 0, refused: 0};
        var kinds = Object.keys(config.batch);
        return meta("expired", false).then(function () {
          return kinds.reduce(function (chain, kind) {
            return chain.then(function () {
              var batch = due.filter(function (item) { return item.kind === kind; });
              return batch.length ? send(config.batch[kind], batch, who.csrf, counts) : null;
            });
          }, Promise.resolve());
        }).then(function () { return counts; });
      });
    });
  }

  function send(url, batch, csrf, counts) {
    return Promise.all(batch.map(function (item) {
      // Sent before and cut off: an "already saved" now is the first send's success.
      item.resent = item.state === "sending";
      item.state = "sending";
      return save(item);
    })).then(function () {
      var payload = body(batch);
      var headers = {"X-CSRFToken": csrf, Accept: "application/json"};
      if (payload.json) headers["Content-Type"] = "application/json";
      return fetch(url, {method: "POST", credentials: "same-origin", headers: headers, body: payload.body, signal: limit()});
    }).then(function (r) {
      if (r.status === 401 || r.status === 403) {
        return meta("expired", true).then(function () { return back(batch); });
      }
      if (!r.ok) return r.text().then(function () { return back(batch); });
      return r.json().then(function (answer) {
        var byKey = {};
        (answer.results || []).forEach(function (result) { byKey[result.key] = result; });
        return Promise.all(batch.map(function (item) {
          var result = byKey[item.key];
          if (!result) { item.state = "pending"; return save(item); }
          item.state = result.status === "created" || (result.status === "duplicate" && item.resent) ? "saved"
            : result.status === "duplicate" ? "duplicate" : "refused";
          item.errors = result.errors || null;
          item.id = result.id;
          if (item.state === "refused") counts.refused++; else counts.sent++;
          return save(item);
        }));
      });
    }, function (error) { return back(batch).then(function () { throw error; }); });
  }

  function back(batch) {
    return Promise.all(batch.map(function (item) { item.state = "pending"; return save(item); }));
  }

  /* Keeps the pages of the user's scope in the user's cache, fetching only those whose
   * version changed since the last time. A household's pages no longer listed (it left the
   * scope, or moved out) are dropped: its card is personal data the phone has no more
   * reason to hold. When the server keeps no households for this user (a scope too large
   * to keep, answer.households null), the pages the user opened are left as they are. */
  function warm(answer, cacheName) {
    var list = [answer.today], listed = {}, card = /^\/households\/(\d+)\//;
    (answer.households || []).forEach(function (h) {
      listed[h[0]] = true;
      answer.urls.forEach(function (url) { list.push({url: url.replace("/0/", "/" + h[0] + "/"), version: h[1]}); });
    });
    return Promise.all([root.caches.open(cacheName), db()]).then(function (opened) {
      var cache = opened[0], d = opened[1];
      var pruned = answer.households === null ? Promise.resolve() : cache.keys().then(function (requests) {
        return Promise.all(requests.map(function (r) {
          var path = new URL(r.url).pathname, match = card.exec(path);
          if (!match || listed[match[1]]) return null;
          return Promise.all([cache.delete(r), d.delete("versions", path)]);
        }));
      });
      return list.reduce(function (chain, page) {
        return chain.then(function () {
          return d.get("versions", page.url).then(function (known) {
            if (known === page.version) return cache.match(page.url).then(function (hit) { return hit ? null : fetchInto(); });
            return fetchInto();
          });
          function fetchInto() {
            return fetch(page.url, {credentials: "same-origin"}).then(function (r) {
              if (!r.ok || r.redirected) return null;
              return cache.put(page.url, r).then(function () { return d.put("versions", page.version, page.url); });
            });
          }
        });
      }, pruned);
    });
  }

  function forget() {
    return root.caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf("pages-") === 0; }).map(function (n) { return root.caches.delete(n); }));
    }).then(function () {
      return db().then(function (d) { return Promise.all([d.clear("versions"), d.delete("meta", "warmed")]); });
    });
  }

  root.hhlOutbox = {db: db, meta: meta, items: items, save: save, remove: remove, uuid: uuid, shrink: shrink,
    fromForm: fromForm, sync: sync, warm: warm, forget: forget};
})(self);
