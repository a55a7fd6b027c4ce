/* The agenda: one box in the table's head ticks or clears every row of the page, for a
   bulk decision ("keep" for the households that are fine). */
document.addEventListener("DOMContentLoaded", function () {
  var all = document.querySelector("[data-pick-all]");
  if (!all) return;
  all.hidden = false;
  all.addEventListener("change", function () {
    document.querySelectorAll("tr[data-household] input[name$='-pick']").forEach(function (box) {
      box.checked = all.checked;
    });
  });
});
