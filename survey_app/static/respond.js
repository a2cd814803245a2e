/* Progressive enhancement only: the pages work without it.
   Moves focus to the error summary so that screen readers announce it at once. */
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});
