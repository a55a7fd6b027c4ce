/* The service worker's routes (imported by /sw.js after Workbox, idb and the outbox).
 * Pages: network first, a short wait, then the copy in the user's own cache; static files:
 * the copies kept at install (Workbox precaching), replaced when a release changes them. */
(function () {
  "use strict";
  var HHL = self.HHL, wb = self.workbox, outbox = self.hhlOutbox;

  wb.core.clientsClaim();
  wb.core.skipWaiting();
  wb.precaching.precacheAndRoute(HHL.shell);
  wb.precaching.cleanupOutdatedCaches();

  function owner() { return outbox.meta("user"); }

  var notRedirected = {
    // The login page a lapsed session is sent to must never be kept under a card's address.
    cacheWillUpdate: function (ctx) {
      var r = ctx.response;
      return r && r.status === 200 && !r.redirected ? r : null;
    }
  };

  wb.routing.registerRoute(function (ctx) {
    return ctx.request.mode === "navigate" && ctx.url.origin === self.location.origin &&
      !HHL.noCache.some(function (prefix) { return ctx.url.pathname.indexOf(prefix) === 0; });
  }, function (ctx) {
    return owner().then(function (user) {
      var strategy = user
        ? new wb.strategies.NetworkFirst({cacheName: "pages-" + user, networkTimeoutSeconds: 4, plugins: [notRedirected]})
        : new wb.strategies.NetworkOnly();
      return strategy.handle(ctx);
    }).catch(function () {
      return wb.precaching.matchPrecache(HHL.offline);
    });
  });

  /* A form posted natively (its page's script did not run) when the network is gone: kept
   * in the outbox like one the script caught, and the worker is sent to the card. */
  Object.keys(HHL.forms).forEach(function (kind) {
    var pattern = new RegExp(HHL.forms[kind]);
    wb.routing.registerRoute(function (ctx) {
      return ctx.url.origin === self.location.origin && pattern.test(ctx.url.pathname);
    }, function (ctx) {
      var copy = ctx.request.clone();
      return fetch(ctx.request).catch(function () {
        var household = Number(pattern.exec(ctx.url.pathname)[1]);
        return Promise.all([copy.formData(), owner()]).then(function (got) {
          if (!got[1]) throw new Error("no owner");
          return outbox.fromForm(kind, {household: household, owner: got[1]}, got[0]);
        }).then(function (item) {
          // A page from the cache posts the key it was rendered with, each time.
          return outbox.db().then(function (d) { return d.get("outbox", item.key); }).then(function (known) {
            if (known) item.key = outbox.uuid();
            return outbox.save(item);
          });
        }).then(function () {
          changed();
          if (self.registration.sync) self.registration.sync.register("hhl-outbox").catch(function () {});
          return Response.redirect(HHL.card.replace("/0/", "/" + household + "/"), 303);
        }).catch(function () {
          return wb.precaching.matchPrecache(HHL.offline);
        });
      });
    }, "POST");
  });

  function changed() {
    return self.clients.matchAll({includeUncontrolled: true}).then(function (clients) {
      clients.forEach(function (c) { c.postMessage({hhl: "outbox"}); });
    });
  }

  function syncNow() {
    return owner().then(function (user) {
      if (!user) return null;
      return outbox.sync({user: user, pages: HHL.pages, batch: HHL.batch});
    }).then(changed, function (error) { changed(); throw error; });
  }

  self.addEventListener("sync", function (event) {
    if (event.tag === "hhl-outbox") event.waitUntil(syncNow());
  });

  self.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.hhl === "warm" && data.user) {
      event.waitUntil(fetch(HHL.pages, {credentials: "same-origin"}).then(function (r) {
        return r.ok ? r.json() : null;
      }).then(function (list) {
        if (list && list.user === data.user) {
          return outbox.warm(list, "pages-" + data.user).then(function () { return outbox.meta("warmed", Date.now()); });
        }
      }).then(function () {
        return self.clients.matchAll().then(function (cs) { cs.forEach(function (c) { c.postMessage({hhl: "warmed"}); }); });
      }));
    }
  });
})();
