// Proof of work (issue 24; on where OPENINNO_PROOF_OF_WORK is set): a form marked
// data-proof-of-work is held back, in the capture phase so htmx sees nothing yet,
// until this browser has solved a fresh challenge from GET /api/v1/proof-of-work
// (find the number whose SHA-256 of salt + number is the challenge); the solution
// goes in the form's hidden "proof_of_work" field, and the form is sent again.
(function () {
  "use strict";

  function hex(buffer) {
    return Array.prototype.map
      .call(new Uint8Array(buffer), function (b) { return ("0" + b.toString(16)).slice(-2); })
      .join("");
  }

  async function solve(challenge) {
    var encoder = new TextEncoder();
    for (var number = 0; number <= challenge.maxnumber; number += 1) {
      var digest = await crypto.subtle.digest("SHA-256", encoder.encode(challenge.salt + number));
      if (hex(digest) === challenge.challenge) {
        return btoa(JSON.stringify({
          algorithm: challenge.algorithm,
          challenge: challenge.challenge,
          number: number,
          salt: challenge.salt,
          signature: challenge.signature
        }));
      }
    }
    throw new Error("no number solves the challenge");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-proof-of-work")) {
      return;
    }
    var field = form.querySelector('input[name="proof_of_work"]');
    if (!field || field.value) {
      return; // solved: let it go (to htmx, or as a plain post)
    }
    event.preventDefault();
    event.stopPropagation();
    if (form.getAttribute("aria-busy") === "true") {
      return;
    }
    form.setAttribute("aria-busy", "true");
    fetch("/api/v1/proof-of-work", { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (body) { return body.enabled ? solve(body.challenge) : "none"; })
      .then(function (solution) {
        field.value = solution;
        form.removeAttribute("aria-busy");
        form.requestSubmit();
      })
      .catch(function () {
        form.removeAttribute("aria-busy");
        field.value = "failed"; // the server answers with its message
        form.requestSubmit();
      });
  }, true);
})();
