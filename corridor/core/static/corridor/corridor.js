/* Corridor: small enhancements; every page works without them (no inline script: CSP). */
"use strict";
document.documentElement.classList.add("js");

/* On a phone a table reads as a column of cards: each cell is labelled with its heading. */
function labelCells(root) {
  for (const table of root.querySelectorAll("table")) {
    const heads = Array.from(table.querySelectorAll("thead th"), (th) => th.textContent.trim());
    if (!heads.length) continue;
    for (const row of table.querySelectorAll("tbody tr")) {
      Array.from(row.children).forEach((cell, i) => {
        if (heads[i] && cell.colSpan === 1 && !cell.dataset.label) cell.dataset.label = heads[i];
      });
    }
  }
}

document.addEventListener("DOMContentLoaded", () => {
  labelCells(document);
  /* The menu button folds the navigation away on a phone. */
  const toggle = document.querySelector(".menu-toggle");
  if (toggle) {
    toggle.addEventListener("click", () => {
      const open = toggle.closest(".topbar").classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }
});
document.addEventListener("htmx:afterSettle", (event) => labelCells(event.target));
