/* The print button of the letters and the bulletin's print view. A file of its own rather than
   onclick="window.print()": the Content-Security-Policy allows no inline event handlers. */
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-print]") : null;
  if (button) { window.print(); }
});
