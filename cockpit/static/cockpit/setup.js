// The guided set-up: a point of sale or a quota is offered only when it belongs to the channel
// chosen above (a new channel has none yet), and the fields of a new object hide while an
// existing one is chosen. The server judges the same rules without this script.
(function () {
  "use strict";
  function sync(form) {
    const channel = form.querySelector("#id_channel-existing");
    const chosen = channel ? channel.value : "";
    for (const select of form.querySelectorAll("select[data-linked]")) {
      let offered = 0;
      for (const option of select.options) {
        if (!option.dataset.channel) continue;
        const fits = chosen !== "" && option.dataset.channel === chosen;
        option.hidden = !fits;
        option.disabled = !fits;
        if (fits) offered += 1;
        else if (option.selected) select.value = "";
      }
      select.closest(".form-row").hidden = offered === 0;
    }
    for (const block of form.querySelectorAll("[data-new-of]")) {
      const existing = form.querySelector("#id_" + block.dataset.newOf + "-existing");
      block.hidden = Boolean(existing && existing.value);
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("setup-form");
    if (!form) return;
    form.addEventListener("change", function () { sync(form); });
    sync(form);
  });
})();
