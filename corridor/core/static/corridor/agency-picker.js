/* The agency picker (corridor.core.forms.PickerSelect): a filter box above a long list in
   groups, e.g. the agencies of 15 countries by country. It keeps the options whose name, or
   whose group's name, holds every word typed (accents and case aside); chosen options stay.
   Without this script the list keeps its groups and the browser's type-ahead: nothing is
   lost. No inline script (CSP); the widget names this file once per picker, so it starts
   once per page. */
"use strict";
(function () {
  if (window.corridorPicker) return;
  window.corridorPicker = true;

  const MIN_OPTIONS = 12; /* a short list needs no filter */
  const fold = (text) =>
    text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLocaleLowerCase();

  function filter(select, typed, none) {
    const words = fold(typed).split(/\s+/).filter(Boolean);
    let matched = 0;
    for (const option of select.options) {
      const group = option.parentElement.tagName === "OPTGROUP" ? option.parentElement : null;
      const text = fold(option.text + " " + (group ? group.label : ""));
      const match = words.every((word) => text.includes(word));
      option.hidden = !(match || option.selected);
      if (match && option.value !== "") matched += 1;
    }
    for (const group of select.querySelectorAll("optgroup")) {
      group.hidden = !Array.from(group.children).some((option) => !option.hidden);
    }
    none.hidden = matched > 0;
  }

  function enhance(select) {
    if (select.dataset.pickerReady || select.options.length < MIN_OPTIONS) return;
    select.dataset.pickerReady = "1";
    const box = document.createElement("input");
    box.type = "search";
    box.className = "picker-filter";
    box.autocomplete = "off";
    box.placeholder = select.dataset.pickerLabel || "";
    box.setAttribute("aria-label", select.dataset.pickerLabel || "");
    if (select.id) box.setAttribute("aria-controls", select.id);
    const none = document.createElement("p");
    none.className = "picker-none muted";
    none.setAttribute("role", "status");
    none.textContent = select.dataset.pickerEmpty || "";
    none.hidden = true;
    select.before(box);
    select.after(none);
    box.addEventListener("input", () => filter(select, box.value, none));
    box.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault(); /* Enter picks; it does not send the form half filled */
      const visible = Array.from(select.options).filter((o) => !o.hidden && o.value !== "");
      if (!select.multiple && visible.length === 1) {
        visible[0].selected = true;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      select.focus();
    });
  }

  const start = (root) => root.querySelectorAll("select[data-picker]").forEach(enhance);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => start(document));
  } else {
    start(document);
  }
  document.addEventListener("htmx:afterSettle", (event) => start(event.target));
})();
