/* The wall: draws the tiles and figures from /wall/tiles/, refreshes them, opens a
   household's card beside them. No framework: 10,000 tiles are one string of HTML. */
(function () {
  "use strict";
  var root = document.getElementById("wall");
  if (!root) return;
  var text = JSON.parse(document.getElementById("wall-text").textContent);
  var tilesEl = document.getElementById("tiles");
  var statusEl = document.getElementById("wall-status");
  var panel = document.getElementById("panel");
  var panelContent = document.getElementById("panel-content");
  var every = (parseInt(root.dataset.refresh, 10) || 30) * 1000;
  // [bit, symbol, legend, figure, the figure's words], as the apps registered them.
  var MARKS = JSON.parse(document.getElementById("wall-marks").textContent);
  var lastBody = null;      // the last answer, to skip drawing when nothing changed
  var lastTiers = null;     // household id -> tier index, to highlight changes
  var lastGood = null;      // when the picture on screen was taken
  var etag = null;          // the ETag of lastBody's answer
  var styled = false;
  var charted = false;

  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c];
    });
  }
  function clock(d) { return d.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit", second: "2-digit"}); }

  function status(message, stale) {
    statusEl.textContent = message;
    statusEl.classList.toggle("stale", !!stale);
  }

  // One class per tier: its colour, its pattern and its character. Added to wall.css's
  // own sheet through the CSSOM: the Content-Security-Policy refuses a <style> element.
  function tierStyles(tiers) {
    if (styled) return;
    var sheet = document.getElementById("wall-css").sheet;
    tiers.forEach(function (t, i) {
      sheet.insertRule(".t" + i + "{background-color:" + t.colour + ";color:" + t.text + "}", sheet.cssRules.length);
      sheet.insertRule(".t" + i + "::after{content:\"" + t.letter.replace(/["\\]/g, "") + "\"}", sheet.cssRules.length);
    });
    styled = true;
  }

  function tierClass(tiers, i) {
    var sv = tiers[i].severity, last = tiers.filter(function (t) { return t.scheme === tiers[i].scheme; }).length;
    // The least urgent tier stays plain; the others carry stripes or dots.
    return "t t" + i + (sv < last && sv <= 3 ? " sv" + sv : "");
  }

  function markText(m) {
    return MARKS.filter(function (k) { return m & k[0]; }).map(function (k) { return k[1]; }).join("");
  }
  function markWords(m) {
    return MARKS.filter(function (k) { return m & k[0]; }).map(function (k) { return k[2]; }).join(", ");
  }

  function drawLegend(tiers) {
    var html = tiers.map(function (t, i) {
      return "<span><span class=\"" + tierClass(tiers, i) + "\" aria-hidden=\"true\"></span>" +
        esc(t.name) + (t.scheme ? " <small>(" + esc(t.scheme) + ")</small>" : "") + "</span>";
    }).join("") + MARKS.map(function (k) {
      return "<span><b class=\"mk\">" + k[1] + "</b> " + esc(k[2]) + "</span>";
    }).join("");
    document.getElementById("wall-legend").innerHTML = html;
  }

  function drawFigures(data) {
    var f = data.figures, tiers = data.tiers;
    var scheme = "";
    var rows = f.per_tier.map(function (r) {
      var t = tiers[r.tier], head = "";
      // Where two schemes meet (a street of three- and four-colour communities), each
      // scheme's tiers are listed under its name.
      if (t.scheme && t.scheme !== scheme) {
        scheme = t.scheme;
        head = "<tr><th colspan=\"5\" scope=\"rowgroup\" class=\"small text-body-secondary\">" + esc(scheme) + "</th></tr>";
      }
      return head + "<tr><th scope=\"row\"><span class=\"swatch " + tierClass(tiers, r.tier) + "\"></span>" + esc(t.name) +
        "</th><td data-households=\"" + esc(t.code) + "\">" + r.households + "</td><td>" + r.household_share +
        "%</td><td>" + r.people + "</td><td>" + r.people_share + "%</td></tr>";
    }).join("");
    // Narrowed by a filter, the figures count what it keeps: say of how many.
    var of = f.narrowed && f.scope_households !== undefined
      ? "<p class=\"wall-of small mb-1\" data-of>" + esc(text.ofScope.replace("{kept}", f.households)
          .replace("{all}", f.scope_households)) + "</p>"
      : "";
    document.getElementById("figures").innerHTML = of +
      "<table class=\"table table-sm wall-figures mb-2\"><thead><tr><th scope=\"col\">" + esc(text.tier) +
      "</th><th scope=\"col\">" + esc(text.households) + "</th><th scope=\"col\">" + esc(text.share) +
      "</th><th scope=\"col\">" + esc(text.people) + "</th><th scope=\"col\">" + esc(text.share) +
      "</th></tr></thead><tbody>" + rows + "</tbody><tfoot><tr><th scope=\"row\">" + esc(text.total) +
      "</th><td data-total>" + f.households + "</td><td></td><td>" + f.people + "</td><td></td></tr></tfoot></table>" +
      "<dl class=\"wall-counts small mb-0\">" +
      MARKS.map(function (k) {
        return "<dt>" + esc(k[4]) + "</dt><dd data-" + esc(k[3]) + ">" + f[k[3]] + "</dd>";
      }).join("") +
      "<dt>" + esc(text.visits) + "</dt><dd data-visits>" + f.visits_this_week + "</dd></dl>";
  }

  // Tile size: named in the URL (?size=s|m|l), else by how many tiles there are (in
  // wall mode, by how many share the screen). Only large tiles carry the room number:
  // 10,000 small tiles are laid out and painted a third faster without text.
  var PX = {s: 12, m: 24, l: 44};
  var wallMode = document.body.classList.contains("wall-mode");
  function sizeFor(count) {
    if (PX[root.dataset.size]) return root.dataset.size;
    if (wallMode) {
      var top = tilesEl.getBoundingClientRect().top;
      var each = Math.sqrt(tilesEl.clientWidth * (window.innerHeight - top) / (count * 2.2));
      return each >= 40 ? "l" : each >= 20 ? "m" : "s";
    }
    return count <= 600 ? "l" : count <= 4000 ? "m" : "s";
  }
  function setSize(size) {
    tilesEl.style.setProperty("--tile", PX[size] + "px");
    tilesEl.className = "tiles size-" + size;
  }

  // Wall mode: every tile on the one screen. The tiles are laid out for a width that,
  // scaled, fills the screen: two layouts and a transform rather than a search.
  function fitWall() {
    if (!wallMode || !tilesEl.firstChild) return;
    var style = tilesEl.style;
    style.transform = style.width = style.marginRight = style.marginBottom = "";
    var width = tilesEl.clientWidth, height = window.innerHeight - tilesEl.getBoundingClientRect().top - 4;
    // The tiles keep their area as the width changes: laid out 1/s as wide, they are
    // about s times as tall, so s = sqrt(height / natural height) fills the screen.
    var scale = Math.min(3, Math.sqrt(height / tilesEl.scrollHeight));
    // Buildings wrap whole, so a layout rarely fills its width: each try is scaled by what
    // it really uses (the width its buildings reach, its height). A try held back by the
    // height is followed by a wider one (a row fewer); one held back by the width, by the
    // scale it allowed. At most five layouts, not a search.
    var best = 0, bestWidth = width;
    for (var i = 0; i < 5; i++) {
      var tryWidth = width / scale;
      style.width = tryWidth + "px";
      var byHeight = height / tilesEl.scrollHeight, byWidth = width / Math.max(usedWidth(), 1);
      var fits = Math.min(3, byWidth, byHeight);
      if (fits > best) { best = fits; bestWidth = tryWidth; }
      var next = byHeight < byWidth ? Math.min(scale, fits) * 0.92 : fits;
      if (Math.abs(next - scale) < scale * 0.01) break;
      scale = next;
    }
    style.width = bestWidth + "px";
    var laidOut = tilesEl.scrollHeight;
    scale = Math.min(best, height / laidOut);
    style.transform = "scale(" + scale + ")";
    // A transform leaves the layout box as it was: the margins give back the difference.
    style.marginRight = width - bestWidth + "px";
    style.marginBottom = laidOut * scale - laidOut + "px";
  }
  // How far right the tiles reach: the rightmost building's edge, from the tiles' left.
  function usedWidth() {
    var left = tilesEl.getBoundingClientRect().left, right = left;
    var blds = tilesEl.getElementsByClassName("bld");
    for (var i = 0; i < blds.length; i++) right = Math.max(right, blds[i].getBoundingClientRect().right);
    return blds.length ? right - left : tilesEl.clientWidth;
  }
  var refitting = null;
  window.addEventListener("resize", function () {
    clearTimeout(refitting);
    refitting = setTimeout(fitWall, 200);
  });

  function drawTiles(data) {
    var tiles = data.tiles, tiers = data.tiers, buildings = data.buildings, groups = data.groups;
    var before = lastTiers, now = new Map(), changed = 0;
    var href = root.dataset.panelUrl.replace("/0/panel/", "/");
    var size = sizeFor(tiles.length), rooms = size === "l";
    var out = [], group = -1, building = -1, floor = null, entrance = null;
    for (var i = 0; i < tiles.length; i++) {
      var h = tiles[i], id = h[0], b = buildings[h[1]];
      now.set(id, h[5]);
      if (h[1] !== building) {
        if (building !== -1) out.push("</div></div></div>");  // floor, floors, building
        if (b[3] !== group) {
          if (group !== -1) out.push("</div></section>");
          group = b[3];
          out.push("<section class=\"grp\"><h3>" + esc(groups[group]) + "</h3><div class=\"blds\">");
        }
        building = h[1]; floor = null;
        out.push("<div class=\"bld\"><h4>" + esc(b[1]) + (b[2] ? " <small>" + esc(b[2]) + "</small>" : "") + "</h4><div class=\"fls\">");
      }
      if (h[3] !== floor) {
        if (floor !== null) out.push("</div>");
        out.push("<div class=\"fl\">");
        floor = h[3]; entrance = h[2];
      } else if (h[2] !== entrance) {
        out.push("<span class=\"gap\"></span>");
        entrance = h[2];
      }
      var was = before && before.get(id);
      var moved = before && was !== h[5];
      if (moved) changed++;
      var marks = h[6] ? " data-m=\"" + markText(h[6]) + "\"" : "";
      out.push("<a class=\"" + tierClass(tiers, h[5]) + (moved ? " chg" : "") + "\" href=\"" + href.replace("/0/", "/" + id + "/") +
        "\" data-id=\"" + id + "\"" + marks + " title=\"" + esc(b[1] + " " + h[2] + "-" + h[4] + " · " + tiers[h[5]].name +
        (h[6] ? " · " + markWords(h[6]) : "")) + "\">" + (rooms ? esc(h[4]) : "") + "</a>");
    }
    if (building !== -1) out.push("</div></div></div></div></section>");
    setSize(size);
    tilesEl.innerHTML = tiles.length ? out.join("") : "<p>" + esc(text.none) + "</p>";
    fitWall();
    tilesEl.setAttribute("aria-busy", "false");
    lastTiers = now;
    return changed;
  }

  function draw(data) {
    tierStyles(data.tiers);
    drawLegend(data.tiers);
    drawFigures(data);
    if (data.too_many) {
      // A large scope's figures are the wall-count job's (every few minutes): say when.
      var counted = data.counted_at ? " " + esc(text.countedAt.replace("%s", data.counted_at)) : "";
      tilesEl.innerHTML = "<p class=\"alert alert-info\">" + data.too_many + " " + esc(text.tooMany) + counted + "</p>";
      tilesEl.setAttribute("aria-busy", "false");
      lastTiers = null;
      return;
    }
    drawTiles(data);
  }

  function painted() {
    // Read by the benchmark and the browser test: tiles are on screen.
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        if (!document.body.dataset.tilesPainted) {
          document.body.dataset.tilesPainted = String(Math.round(performance.now()));
        }
        document.body.dataset.refreshed = String(Date.now());
      });
    });
  }

  function refresh() {
    // Same mode and credentials as the page's preload, so that the first answer is reused.
    // Answers are no-store (nothing personal stays in the browser's cache), so the wall
    // revalidates by itself: the last answer's ETag, and a 304 when nothing changed.
    fetch(root.dataset.tilesUrl, {credentials: "same-origin", headers: etag ? {"If-None-Match": etag} : {}})
      .then(function (response) {
        if (response.status === 401) throw new Error("login");
        if (response.status === 304 && lastBody !== null) return lastBody;
        if (!response.ok) throw new Error(String(response.status));
        etag = response.headers.get("ETag");
        return response.text();
      })
      .then(function (body) {
        performance.mark("wall-fetched");
        if (body !== lastBody) {
          draw(JSON.parse(body));
          lastBody = body;
        }
        lastGood = new Date();
        status(text.updated + " " + clock(lastGood));
        painted();
        if (!charted) { charted = true; setTimeout(chart, 0); }
      })
      .catch(function (error) {
        // A network blip: the last picture stays, saying how old it is.
        if (error.message === "login") status(text.loggedOut, true);
        else status(text.failed + " " + (lastGood ? clock(lastGood) : "—"), true);
      })
      .then(function () { setTimeout(refresh, every); });
  }

  // A household at a touch: its card beside the wall; Esc or a tap outside closes it.
  tilesEl.addEventListener("click", function (event) {
    var tile = event.target.closest("a.t");
    if (!tile || event.ctrlKey || event.metaKey || event.shiftKey || !panel.showModal) return;
    event.preventDefault();
    var url = root.dataset.panelUrl.replace("/0/", "/" + tile.dataset.id + "/");
    panelContent.innerHTML = "<p class=\"text-body-secondary\">…</p>";
    panel.showModal();
    fetch(url, {credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) { panelContent.innerHTML = html; })
      .catch(function () { panelContent.innerHTML = "<p class=\"alert alert-danger\">" + esc(text.panelFailed) + "</p>"; });
  });
  panel.addEventListener("click", function (event) {
    if (event.target === panel || event.target.closest("[data-close]")) panel.close();
  });

  var fullscreen = document.querySelector("[data-fullscreen]");
  if (fullscreen && document.documentElement.requestFullscreen) {
    fullscreen.hidden = false;
    fullscreen.addEventListener("click", function () { document.documentElement.requestFullscreen(); });
  }

  // The chart library (70 KB compressed) loads once the tiles are on screen.
  function chart() {
    var data = document.getElementById("trend-data");
    var canvas = document.getElementById("trend-chart");
    if (!data || !canvas) return;
    if (!window.Chart) {
      var script = document.createElement("script");
      script.src = root.dataset.chartSrc;
      script.onload = chart;
      document.head.appendChild(script);
      return;
    }
    var trend = JSON.parse(data.textContent);
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: trend.days,
        datasets: trend.series.map(function (s) {
          return {label: s.name, data: s.shares, borderColor: s.colour, backgroundColor: s.colour + "99",
                  fill: true, pointRadius: 0, borderWidth: 1};
        }).reverse()
      },
      options: {
        animation: false, responsive: true,
        interaction: {mode: "index", intersect: false},
        scales: {y: {stacked: true, min: 0, max: 100, ticks: {callback: function (v) { return v + "%"; }}},
                 x: {ticks: {maxTicksLimit: 6}}},
        plugins: {legend: {position: "bottom", labels: {boxWidth: 12}},
                  tooltip: {callbacks: {label: function (c) { return c.dataset.label + ": " + c.parsed.y + "%"; }}}}
      }
    });
  }

  refresh();
})();
