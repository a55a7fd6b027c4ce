// Today: narrows the lists on the page while a room, number or name is typed, so that the
// search works on the phone's cached copy with no network too; Enter still POSTs the
// search over the whole grid. Rooms are read as people write them, as households/search.py
// reads them: "2-202" (building or entrance 2), "2-1-202", "2栋202", "2栋1单元202", "202".
(function () {
  "use strict";
  var form = document.querySelector("[data-find]");
  if (!form) return;
  var input = form.querySelector("input[name=query]");
  var DASHED = /^(\d+)\s*-\s*(?:(\d+)\s*-\s*)?([0-9]{2,5}[A-Za-z]?)$/;
  var ROOM = /^(?:(\d+)\s*[栋幢号楼]\s*)?(?:(\d+)\s*单元\s*)?([0-9]{2,5}[A-Za-z]?)\s*室?$/;

  function building(name) {
    var digits = /^(\d+)\s*[栋幢号楼]$/.exec(name);
    return digits ? digits[1] : null;
  }

  function matcher(query) {
    var m = DASHED.exec(query);
    if (m) {
      return function (b, e, r, text) {
        if (r.toLowerCase() !== m[3].toLowerCase()) return text.indexOf(query) >= 0;
        if (m[2]) return b === m[1] && e === m[2];
        return b === m[1] || e === m[1];
      };
    }
    m = ROOM.exec(query);
    if (m) {
      return function (b, e, r) {
        return r.toLowerCase() === m[3].toLowerCase() && (!m[1] || b === m[1]) && (!m[2] || e === m[2]);
      };
    }
    return function (b, e, r, text) { return text.indexOf(query) >= 0; };
  }

  function narrow() {
    var query = input.value.trim();
    var match = query ? matcher(query) : null;
    document.querySelectorAll("[data-list] > [data-household]").forEach(function (row) {
      var place = (row.getAttribute("data-place") || "||").split("|");
      row.hidden = match ? !match(building(place[0]), place[1], place[2], row.textContent) : false;
    });
  }

  input.addEventListener("input", narrow);
  narrow();
})();
