// Steering page: show only the period fields that match the chosen kind of period.
(function () {
  "use strict";
  var form = document.getElementById("period-form");
  if (!form) { return; }
  var kind = form.querySelector("select[name=kind]");
  function update() {
    form.querySelectorAll(".period-group").forEach(function (group) {
      var kinds = (group.getAttribute("data-kinds") || "").split(" ");
      group.hidden = kinds.indexOf(kind.value) === -1;
    });
  }
  if (kind) { kind.addEventListener("change", update); update(); }
})();
