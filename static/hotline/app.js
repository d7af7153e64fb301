/* hotline workbench: live countdowns, one submit per click, and the intake suggestion buttons.
   Plain JavaScript, no build step; htmx (served by django-htmx) does the partial updates. */
(function () {
  "use strict";

  var phrases = null;
  var dueSoonMs = 2 * 3600 * 1000;

  function loadSettings() {
    var node = document.getElementById("countdown-phrases");
    if (node) { phrases = JSON.parse(node.textContent); }
    var meta = document.querySelector('meta[name="hotline-due-soon"]');
    if (meta) { dueSoonMs = parseInt(meta.content, 10) * 1000; }
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  /* The same words as tickets/timewords.py, from the same translated phrases. */
  function durationWords(ms) {
    var total = Math.floor(Math.abs(ms) / 60000);
    if (total < 1) { return phrases.under_minute; }
    var days = Math.floor(total / 1440), hours = Math.floor((total % 1440) / 60), minutes = total % 60;
    if (days) { return hours ? fill(phrases.days_hours, {days: days, hours: hours}) : fill(phrases.days, {days: days}); }
    if (hours) { return minutes ? fill(phrases.hours_minutes, {hours: hours, minutes: minutes}) : fill(phrases.hours, {hours: hours}); }
    return fill(phrases.minutes, {minutes: minutes});
  }

  function tick() {
    if (!phrases) { return; }
    var now = Date.now();
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      var left = new Date(el.getAttribute("data-deadline")).getTime() - now;
      if (isNaN(left)) { return; }
      var state = left < 0 ? "overdue" : (left < dueSoonMs ? "soon" : "ok");
      el.textContent = fill(left < 0 ? phrases.overdue : phrases.left, {duration: durationWords(left)});
      el.classList.remove("state-ok", "state-soon", "state-overdue");
      el.classList.add("state-" + state);
    });
  }

  /* A second click on a submit button while the first request is under way does nothing.
     The server refuses a repeated action anyway (the hidden version field); this spares the trip. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post") { return; }
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    // Disable after the browser has collected the pressed button's name and value.
    setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });

  /* Coming back with the browser's back button shows a usable page again. */
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      delete form.dataset.submitting;
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) { b.disabled = false; });
    });
  });

  /* Intake: "采用" puts the suggested unit into "立即转办至". */
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-use-unit]") : null;
    if (!button) { return; }
    var select = document.getElementById("id_intake_dispatch_to");
    if (select) {
      select.value = button.getAttribute("data-use-unit");
      select.dispatchEvent(new Event("change", {bubbles: true}));
      select.focus();
    }
  });

  /* Intake: the model's topic or handling type guess fills its field (the dispatcher still chooses). */
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-use-field]") : null;
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-use-field"));
    if (field) {
      field.value = button.getAttribute("data-use-value");
      field.dispatchEvent(new Event("change", {bubbles: true}));
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    loadSettings();
    tick();
    setInterval(tick, 15000);
  });
  document.addEventListener("htmx:afterSwap", tick);
})();
