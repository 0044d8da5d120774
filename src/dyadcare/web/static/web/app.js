// dyadcare staff pages: the little behaviour that needs a script (no framework).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
