// Progressive enhancement only: every page works without this file.
"use strict";

document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  // Pre-fill an empty time-zone field with the browser's zone.
  for (const input of document.querySelectorAll("[data-detect-time-zone]")) {
    if (!input.value) {
      try { input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (_) { /* keep empty */ }
    }
  }

  // Copy buttons next to secrets shown once.
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const field = document.querySelector(button.dataset.copy);
      if (!field) return;
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
        button.textContent = "Copied";
      } catch (_) {
        document.execCommand("copy");
        button.textContent = "Copied";
      }
    });
  }

  // Ask before destructive actions.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }

  // Role pickers submit on change; their button stays for keyboard and no-JS users.
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }

  // Close the workspace switcher with Escape or a click elsewhere.
  const switcher = document.querySelector("details.switcher");
  if (switcher) {
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && switcher.open) { switcher.open = false; switcher.querySelector("summary").focus(); }
    });
    document.addEventListener("click", (e) => { if (!switcher.contains(e.target)) switcher.open = false; });
  }
});
