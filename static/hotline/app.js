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
    document.querySelectorAll(".age[data-since]").forEach(function (el) {
      var since = new Date(el.getAttribute("data-since")).getTime();
      if (!isNaN(since)) { el.textContent = durationWords(now - since); }
    });
  }

  /* A form's controls shadow its properties: a radio button named "method" turns form.method
     into a RadioNodeList, an input named "action" replaces form.action, and HTMLFormElement lets a
     control shadow methods (getAttribute, querySelectorAll) and dataset too. So the guard below
     reads and writes the form only through Element.prototype. */
  var getAttr = Element.prototype.getAttribute;
  var hasAttr = Element.prototype.hasAttribute;
  var setAttr = Element.prototype.setAttribute;
  var removeAttr = Element.prototype.removeAttribute;
  var queryAll = Element.prototype.querySelectorAll;

  function submitButtons(form) {
    return Array.prototype.slice.call(queryAll.call(form, "button[type=submit], input[type=submit]"));
  }

  /* Whether this submission is a POST that replaces this page (not a GET, not another window). */
  function replacesPageWithPost(form, submitter) {
    var method = submitter && submitter.hasAttribute("formmethod") ?
      submitter.getAttribute("formmethod") : getAttr.call(form, "method");
    var target = submitter && submitter.hasAttribute("formtarget") ?
      submitter.getAttribute("formtarget") : getAttr.call(form, "target");
    return (method || "").toLowerCase() === "post" && (!target || target.toLowerCase() === "_self");
  }

  /* A double-click submits the form twice. Chromium lets the second submission replace the first
     navigation, but the first request may already be at the server: it does the work, the browser
     drops its answer and shows the second one ("already done"). So the first submit event marks the
     form at once, and every later one is cancelled before a request leaves the page. The server
     still refuses a repeated action (the hidden version field); this keeps the first answer. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    // htmx (or any other script) handling the submit itself: no page load will reset the mark.
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) { return; }
    if (!replacesPageWithPost(form, event.submitter)) { return; }
    if (hasAttr.call(form, "data-submitting")) { event.preventDefault(); return; }
    setAttr.call(form, "data-submitting", "");
    // Disable after the browser has collected the pressed button's name and value (a disabled
    // submitter is left out of the request). Until then the mark above turns a second click away.
    setTimeout(function () {
      submitButtons(form).forEach(function (b) { b.disabled = true; });
    }, 0);
  });

  /* Coming back with the browser's back button shows a usable page again. */
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      removeAttr.call(form, "data-submitting");
      submitButtons(form).forEach(function (b) { b.disabled = false; });
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

  /* The live dispatcher board. #desk-strip polls (hx-trigger="every 5s"); when the desk's queues
     changed, the server answers with a new strip and the queues and the bell swapped out of band. */
  var baseTitle = document.title;
  var lastUrgentTop = null;
  var audio = null;

  function soundOn() {
    try { return window.localStorage.getItem("hotline.deskSound") === "1"; } catch (e) { return false; }
  }

  function showSoundToggle() {
    var button = document.getElementById("sound-toggle");
    if (!button) { return; }
    var on = soundOn();
    button.hidden = false;
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = button.getAttribute(on ? "data-on" : "data-off");
  }

  /* A short two-tone beep made by WebAudio: no sound file, nothing fetched. */
  function beep() {
    if (!audio) { return; }
    if (audio.state === "suspended") { audio.resume(); }
    [0, 0.22].forEach(function (offset, i) {
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = i ? 660 : 880;
      gain.gain.setValueAtTime(0.0001, audio.currentTime + offset);
      gain.gain.exponentialRampToValueAtTime(0.25, audio.currentTime + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + offset + 0.18);
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(audio.currentTime + offset); osc.stop(audio.currentTime + offset + 0.2);
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("#sound-toggle") : null;
    if (!button) { return; }
    var on = !soundOn();
    try { window.localStorage.setItem("hotline.deskSound", on ? "1" : "0"); } catch (e) { /* private mode */ }
    // Browsers let a page make sound only after a click on it: the context is made here.
    if (on && !audio && (window.AudioContext || window.webkitAudioContext)) {
      audio = new (window.AudioContext || window.webkitAudioContext)();
    }
    showSoundToggle();
    if (on) { beep(); }
  });

  function readStrip() {
    var strip = document.getElementById("desk-strip");
    if (!strip) { return; }
    var count = parseInt(strip.getAttribute("data-title-count"), 10) || 0;
    document.title = (count ? "(" + count + ") " : "") + baseTitle;
    var top = parseInt(strip.getAttribute("data-urgent-top"), 10) || 0;
    if (lastUrgentTop !== null && top > lastUrgentTop && soundOn()) { beep(); }
    lastUrgentTop = top;
  }

  /* Do not pull the list from under someone working in it: while a row's form is open or has the
     focus, the refresh waits (the strip keeps its old stamp, so the next poll brings it). */
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "desk-strip" || event.detail.xhr.status !== 200) { return; }
    var queues = document.getElementById("desk-queues");
    if (!queues) { return; }
    var active = document.activeElement;
    var busy = queues.querySelector("details.act[open]") ||
      (active && active !== document.body && queues.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName));
    if (busy) { event.detail.shouldSwap = false; }
  });

  /* Keyboard: [data-key="x"] is clicked (a link, a button) or focused (a field) when x is pressed
     outside a text field; digits pick the nth radio button in [data-digit-radios]; Ctrl+Enter
     submits the form in [data-key-submit] (or the one being typed in); ? shows #key-help. */
  function typingIn(el) {
    if (!el || !el.tagName) { return false; }
    if (el.isContentEditable) { return true; }
    if (el.tagName === "TEXTAREA" || el.tagName === "SELECT") { return true; }
    return el.tagName === "INPUT" && !/^(radio|checkbox|button|submit|reset)$/i.test(el.type);
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.metaKey || event.isComposing) { return; }
    var target = event.target;
    if (event.key === "Enter" && event.ctrlKey) {
      var holder = document.querySelector("[data-key-submit]");
      var form = (target.closest && target.closest("form")) || (holder && holder.querySelector("form"));
      if (form && form.requestSubmit) { event.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (event.ctrlKey) { return; }
    if (event.key === "Escape" && typingIn(target)) { target.blur(); return; }
    if (typingIn(target)) { return; }
    if (event.key === "?") {
      var help = document.getElementById("key-help");
      if (help) { event.preventDefault(); help.open = !help.open; }
      return;
    }
    if (/^[1-9]$/.test(event.key)) {
      var group = document.querySelector("[data-digit-radios]");
      var radios = group ? group.querySelectorAll("input[type=radio]") : [];
      var radio = radios[parseInt(event.key, 10) - 1];
      if (radio) { event.preventDefault(); radio.checked = true; radio.focus(); }
      return;
    }
    /* A keyboard-walked list ([data-key-rows]): j / k select the next / previous row, and a key
       named by data-row-key on a control inside the selected row presses it (d: dispatch). */
    var list = document.querySelector("[data-key-rows]");
    if (list && (event.key === "j" || event.key === "k")) {
      var rows = Array.prototype.slice.call(list.querySelectorAll("article.order-row"));
      if (!rows.length) { return; }
      var at = rows.findIndex(function (r) { return r.classList.contains("is-selected"); });
      var next = event.key === "j" ? Math.min(at + 1, rows.length - 1) : Math.max(at - 1, 0);
      rows.forEach(function (r) { r.classList.remove("is-selected"); r.removeAttribute("aria-current"); });
      rows[next].classList.add("is-selected");
      rows[next].setAttribute("aria-current", "true");
      rows[next].scrollIntoView({block: "nearest"});
      event.preventDefault();
      return;
    }
    var selected = list ? list.querySelector("article.order-row.is-selected") : null;
    var control = selected ? selected.querySelector('[data-row-key="' + event.key + '"]') : null;
    if (control) { event.preventDefault(); control.click(); return; }
    var el = null;
    document.querySelectorAll("[data-key]").forEach(function (candidate) {
      if (!el && candidate.getAttribute("data-key") === event.key) { el = candidate; }
    });
    if (!el) { return; }
    event.preventDefault();
    if (typingIn(el)) { el.focus(); if (el.select) { el.select(); } } else { el.click(); }
  });

  /* "Select all" ticks every box named by data-check-all. */
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.hasAttribute || !box.hasAttribute("data-check-all")) { return; }
    document.querySelectorAll('input[type=checkbox][name="' + box.getAttribute("data-check-all") + '"]').forEach(function (b) {
      b.checked = box.checked;
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    loadSettings();
    baseTitle = document.title;
    tick();
    setInterval(tick, 15000);
    showSoundToggle();
    readStrip();
  });
  document.addEventListener("htmx:afterSwap", tick);
  document.addEventListener("htmx:afterSettle", readStrip);
})();
