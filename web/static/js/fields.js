// Inline validation (htmx) swaps one field's message into its feedback container
// (id "v-<name>", which the control's aria-describedby names); the control is
// marked invalid, or no longer, to match: the same state a full submit renders.
document.addEventListener("htmx:afterSwap", function (event) {
  "use strict";
  var target = event.detail && event.detail.target;
  if (!target || !target.classList || !target.classList.contains("feedback")) {
    return;
  }
  var control = document.getElementById("f-" + target.id.replace(/^v-/, ""));
  if (!control) {
    control = document.querySelector('[aria-describedby~="' + target.id + '"]');
  }
  if (!control) {
    return;
  }
  var invalid = target.querySelector(".error") !== null;
  if (invalid) {
    control.setAttribute("aria-invalid", "true");
  } else {
    control.removeAttribute("aria-invalid");
  }
  var field = control.closest(".field, fieldset");
  if (field) {
    field.classList.toggle("invalid", invalid);
  }
});
