/* The correspondence grid, enhanced: live filter, shift-click range selection, paste of a
   spreadsheet column, unsaved changes counted. The page works without it (filter, range fill
   and save are plain form posts). */
(function () {
  "use strict";
  const grid = document.getElementById("correspondence-grid");
  if (!grid) return;
  const filterForm = document.getElementById("grid-filter");
  const status = document.getElementById("grid-status");
  const shown = document.getElementById("grid-shown");
  const rows = Array.from(grid.querySelectorAll("tr.grid-row"));
  const codeInput = (row) => row.querySelector(".grid-code input");
  // The page's texts, translated by the server (data-text-* on the form).
  const t = (name) => grid.dataset["text" + name];

  // Live filter: the same rule as the server's (GridFilter.keeps).
  function applyFilter() {
    const words = filterForm.q.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const kind = filterForm.kind.value;
    const missingOnly = filterForm.missing.checked;
    let count = 0;
    rows.forEach((row) => {
      const input = codeInput(row);
      const text = row.dataset.search + " " + input.value.toLowerCase();
      const keep = (!kind || row.dataset.kind === kind)
        && (!missingOnly || !input.value.trim() || row.classList.contains("errors"))
        && words.every((word) => text.includes(word));
      row.hidden = !keep;
      if (keep) count += 1;
    });
    grid.querySelectorAll(".grid-group").forEach((group) => {
      group.hidden = !group.querySelector("tr.grid-row:not([hidden])");
    });
    shown.textContent = interpolate(t("Shown"),
      {shown: count, total: rows.length});
  }
  function interpolate(text, values) {
    return text.replace(/%\((\w+)\)s/g, (_m, key) => String(values[key]));
  }
  if (filterForm) {
    filterForm.addEventListener("input", applyFilter);
    filterForm.addEventListener("change", applyFilter);
    filterForm.addEventListener("submit", (event) => {
      // Filtering in place keeps what was typed and not saved yet.
      event.preventDefault();
      applyFilter();
    });
  }

  // Unsaved changes.
  function countChanges() {
    let changed = 0;
    rows.forEach((row) => {
      const input = codeInput(row);
      const dirty = input.value.trim() !== input.dataset.saved;
      row.classList.toggle("changed", dirty);
      if (dirty) changed += 1;
    });
    status.textContent = changed ? interpolate(t("Unsaved"), {n: changed}) : "";
  }
  grid.addEventListener("input", countChanges);

  // Shift-click ticks every visible row between the last ticked one and this one.
  let lastTicked = null;
  grid.addEventListener("click", (event) => {
    const box = event.target;
    if (!box.matches || !box.matches(".grid-select input[type=checkbox]")) return;
    const boxes = rows.filter((row) => !row.hidden).map((row) => row.querySelector(".grid-select input"));
    if (event.shiftKey && lastTicked && boxes.includes(lastTicked)) {
      const [a, b] = [boxes.indexOf(lastTicked), boxes.indexOf(box)].sort((x, y) => x - y);
      boxes.slice(a, b + 1).forEach((other) => { if (!other.disabled) other.checked = box.checked; });
    }
    lastTicked = box;
  });

  // Paste of a spreadsheet column (or row): one value per input, from this one down,
  // over the visible rows, leaving locked codes alone.
  grid.addEventListener("paste", (event) => {
    const input = event.target;
    if (!input.matches || !input.matches(".grid-code input")) return;
    const text = (event.clipboardData || window.clipboardData).getData("text");
    const values = text.replace(/\r\n?/g, "\n").replace(/\n$/, "").split(/[\n\t]/).map((v) => v.trim());
    if (values.length < 2) return;  // one value: the browser pastes it
    event.preventDefault();
    const inputs = rows.filter((row) => !row.hidden).map(codeInput)
      .filter((other) => !other.readOnly && !other.disabled);
    let index = inputs.indexOf(input);
    let filled = 0;
    for (const value of values) {
      if (index < 0 || index >= inputs.length) break;
      inputs[index].value = value;
      index += 1;
      filled += 1;
    }
    countChanges();
    const left = values.length - filled;
    status.textContent = interpolate(t("Pasted"), {n: filled})
      + (left ? " " + interpolate(t("Leftover"), {n: left}) : "");
  });

  // Leaving with unsaved changes asks first; saving or filling does not.
  let submitting = false;
  grid.addEventListener("submit", () => { submitting = true; });
  window.addEventListener("beforeunload", (event) => {
    if (!submitting && grid.querySelector("tr.changed")) event.preventDefault();
  });
  countChanges();
})();
