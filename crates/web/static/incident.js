// Live updates for an incident's pages (progressive enhancement: every page works without
// this script). Counts down the time each lost service has before it breaches its MTPD, and
// when anything in the incident changes (server-sent events) reloads the page's live region
// in place and says so to screen readers.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) return;

  function span(seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    if (minutes === 0) return "under a minute";
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    function part(n, one) { return n === 0 ? null : n === 1 ? "1 " + one : n + " " + one + "s"; }
    var parts = days > 0 ? [part(days, "day"), part(hours, "hour")] : [part(hours, "hour"), part(mins, "minute")];
    return parts.filter(function (p) { return p; }).join(" ");
  }

  function tick() {
    var now = Date.now() / 1000;
    var cells = document.querySelectorAll("[data-breach-at]");
    for (var i = 0; i < cells.length; i++) {
      var left = Number(cells[i].getAttribute("data-breach-at")) - now;
      if (left <= 0) {
        cells[i].textContent = "Breached " + span(-left) + " ago";
        cells[i].classList.add("bw-breached");
      } else {
        cells[i].textContent = span(left);
      }
    }
  }
  tick();
  setInterval(tick, 30000);

  var status = document.createElement("p");
  status.className = "govuk-visually-hidden";
  status.setAttribute("aria-live", "polite");
  live.parentNode.insertBefore(status, live);

  if (!window.EventSource || !window.fetch || !window.DOMParser) return;
  var source = new EventSource(live.getAttribute("data-events"));
  var busy = false;
  source.addEventListener("changed", function () {
    if (busy) return;
    busy = true;
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        busy = false;
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live");
        if (!fresh) return;
        live.innerHTML = fresh.innerHTML;
        live.setAttribute("data-updated", String(Date.now()));
        tick();
        status.textContent = "Updated at " + new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
      })
      .catch(function () { busy = false; });
  });
})();
