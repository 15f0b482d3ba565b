// Vigil console: small enhancements over server-rendered pages, which work without it.
"use strict";

// A search box with data-filter="TABLE_ID" hides the rows of that table whose
// data-text (or text) does not contain what is typed, and counts those shown.
function filterRows(input) {
  const table = document.getElementById(input.dataset.filter);
  if (!table) return;
  const needle = input.value.trim().toLowerCase();
  let shown = 0;
  for (const row of table.tBodies[0].rows) {
    const text = (row.dataset.text || "") + " " + row.textContent.toLowerCase();
    const match = needle === "" || text.includes(needle);
    row.hidden = !match;
    if (match) shown += 1;
  }
  const counter = document.getElementById(input.dataset.filter + "-shown");
  if (counter) counter.textContent = String(shown);
}

// In a triage form, the fields that matter for the chosen status are required.
function fitTriageForm(form) {
  const status = form.elements.status.value;
  form.elements.expires.required = status === "risk_accepted";
  form.elements.reason.required = status === "risk_accepted";
  form.elements.action.required = status === "affected";
  const justified = form.elements.justification.value !== "";
  form.elements.impact.required = status === "not_affected" && !justified;
}

document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input[data-filter]")) {
    input.addEventListener("input", () => filterRows(input));
  }
  for (const form of document.querySelectorAll("details.triage form")) {
    form.addEventListener("change", () => fitTriageForm(form));
    fitTriageForm(form);
  }
});
