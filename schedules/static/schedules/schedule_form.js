/* The schedule form shows what the choice needs: a date and time for a run once, the interval
   for a periodic one, the event for the catalogue and allotment exports. */
(function () {
  "use strict";
  function rows(names) {
    return names.map(function (n) { return document.querySelector(".form-row.field-" + n); })
      .filter(Boolean);
  }
  function update(form) {
    const when = form.querySelector('input[name="when"]:checked');
    if (when) {  // adding: the choice shows its fields (a schedule's change form has one kind)
      const once = when.value === "once";
      rows(["run_at"]).forEach(function (r) { r.hidden = !once; });
      rows(["every", "period", "start_time"]).forEach(function (r) { r.hidden = once; });
    }
    const job = form.querySelector('select[name="job"]');
    if (job) {
      rows(["event"]).forEach(function (r) {
        r.hidden = ["catalog_export", "allotment_export"].indexOf(job.value) < 0;
      });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("schedule-form");
    if (!form) { return; }
    form.addEventListener("change", function () { update(form); });
    update(form);
  });
})();
