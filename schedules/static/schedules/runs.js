/* Runs followed live: the run's page and the runs list poll a small JSON while runs are
   running and update the status, progress bar, rate, time left, duration and counts in place;
   the page that waits for a worker opens the run as soon as it exists. */
(function () {
  "use strict";
  const EVERY_MS = 1000;

  function getJSON(url) {
    return fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; });
  }

  function setBar(container, data) {
    let bar = container.querySelector("progress");
    if (!data.bar) { if (bar) { bar.remove(); } return; }
    if (!bar) {
      bar = document.createElement("progress");
      bar.setAttribute("aria-label", container.dataset.label || "");
      container.prepend(bar);
    }
    bar.max = data.bar[0];
    if (data.bar[1] === null) { bar.removeAttribute("value"); } else { bar.value = data.bar[1]; }
    bar.textContent = data.text;
  }

  function apply(data) {
    document.querySelectorAll('[data-run="' + data.id + '"][data-run-field]').forEach(function (el) {
      const field = el.dataset.runField;
      if (field === "status") {
        el.textContent = data.status_label;
        el.dataset.status = data.status;
        el.className = el.className.replace(/\brun-(ok|warning|error|running|skipped)\b/g, "")
          .trim() + " run-" + data.status;
      } else if (field === "duration") {
        el.textContent = data.duration;
      } else if (field === "counts") {
        const body = el.querySelector("tbody");
        if (!data.counts.length || !body) { return; }
        el.hidden = false;
        body.replaceChildren.apply(body, data.counts.map(function (row) {
          const tr = document.createElement("tr");
          const th = document.createElement("th");
          const td = document.createElement("td");
          th.scope = "row";
          th.textContent = row[0];
          td.textContent = row[1];
          tr.append(th, td);
          return tr;
        }));
        el.parentElement.querySelectorAll(".run-counts-none").forEach(function (p) { p.remove(); });
      } else if (field === "summary") {
        el.textContent = data.summary || "\u2014";
      } else if (field === "progress") {
        setBar(el, data);
        el.querySelectorAll(".run-progress-text").forEach(function (t) { t.textContent = data.text; });
        el.querySelectorAll(".run-progress-short").forEach(function (t) { t.textContent = data.short; });
        if (el.title) { el.title = data.text; }
        el.querySelectorAll(".run-rate").forEach(function (t) { t.textContent = data.rate; });
        el.querySelectorAll(".run-left").forEach(function (t) { t.textContent = data.left; });
      }
    });
  }

  function followRunPage(page) {
    function poll() {
      getJSON(page.dataset.liveUrl).then(function (data) {
        if (!data) { return; }
        apply(data);
        if (data.running) {
          window.setTimeout(poll, EVERY_MS);
        } else {
          // Finished: the whole page (messages, counts, checklist) as it ended.
          window.location.reload();
        }
      }, function () { window.setTimeout(poll, EVERY_MS * 5); });
    }
    window.setTimeout(poll, EVERY_MS);
  }

  function followList(table) {
    const url = window.location.pathname.replace(/\/?$/, "/") + "live/";
    function running() {
      return Array.from(table.querySelectorAll('[data-run-field="status"][data-status="running"]'))
        .map(function (el) { return el.dataset.run; });
    }
    function poll() {
      const ids = running();
      if (!ids.length) { return; }
      getJSON(url + "?" + ids.map(function (id) { return "id=" + id; }).join("&"))
        .then(function (data) {
          if (data) { data.runs.forEach(apply); }
          window.setTimeout(poll, EVERY_MS * 2);
        }, function () { window.setTimeout(poll, EVERY_MS * 5); });
    }
    window.setTimeout(poll, EVERY_MS * 2);
  }

  function followQueued(page) {
    const started = Date.now();
    function poll() {
      getJSON(page.dataset.followUrl).then(function (data) {
        if (data && data.run_url) { window.location.replace(data.run_url); return; }
        if (Date.now() - started > Number(page.dataset.hintAfterMs)) {
          page.querySelectorAll(".run-waiting-hint").forEach(function (el) { el.hidden = false; });
        }
        window.setTimeout(poll, EVERY_MS);
      }, function () { window.setTimeout(poll, EVERY_MS * 5); });
    }
    window.setTimeout(poll, 300);
  }

  document.addEventListener("DOMContentLoaded", function () {
    const page = document.querySelector('.run-page[data-status="running"]');
    if (page) { followRunPage(page); }
    const table = document.querySelector("#result_list");
    if (table && table.querySelector("[data-run-field]")) { followList(table); }
    const waiting = document.querySelector(".run-waiting[data-follow-url]");
    if (waiting) { followQueued(waiting); }
  });
})();
