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

  // Print buttons (hidden without JavaScript, where the browser's own menu prints).
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }

  // An SVG file chosen for a logo goes into its text field, which the form sends.
  for (const input of document.querySelectorAll("input[data-svg-into]")) {
    input.addEventListener("change", async () => {
      const target = document.querySelector(input.dataset.svgInto);
      const file = input.files && input.files[0];
      if (target && file) target.value = await file.text();
    });
  }

  // Role pickers submit on change; their button stays for keyboard and no-JS users.
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }

  // Choosing a saved reply writes it (filled for this message) into the answer, to send or edit.
  for (const select of document.querySelectorAll("select[data-saved-reply]")) {
    select.addEventListener("change", () => {
      const area = document.getElementById(select.dataset.savedReply);
      const option = select.selectedOptions[0];
      if (area && option && option.dataset.text !== undefined) {
        area.value = option.dataset.text;
        area.focus();
      }
    });
  }

  // A JSONL import: the file goes as the request body, the answer is a summary.
  for (const form of document.querySelectorAll("form[data-jsonl-import]")) {
    const result = document.getElementById("import-result");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const file = form.elements.file.files[0];
      if (!file) return;
      const params = new URLSearchParams({ source: file.name, restart: form.elements.restart.checked });
      result.textContent = "Importing " + file.name + "…";
      try {
        const response = await fetch(form.dataset.url + "?" + params, {
          method: "POST",
          headers: { "content-type": "application/x-ndjson", "x-csrf-token": form.dataset.csrf },
          body: file,
        });
        const body = await response.json().catch(() => ({}));
        if (!response.ok) {
          const why = body.detail || response.statusText;
          result.textContent = "Not imported: " + why;
          return;
        }
        const lines = [
          (body.resumed_after_line ? "Went on after line " + body.resumed_after_line + ". " : "") +
            body.read + " posts read, " + body.matched + " matched a query, " + body.stored + " new, " +
            body.skipped + " lines skipped, " + body.alerts + " alerts.",
          ...body.errors,
        ];
        result.replaceChildren(...lines.map((text) => Object.assign(document.createElement("p"), { textContent: text })));
      } catch (e) {
        result.textContent = "Not imported: " + e;
      }
    });
  }

  // Live per-network counters in the composer: the server counts with each
  // network's own rules (graphemes, weights, links as 23), so ask it.
  const composer = document.querySelector("form[data-composer]");
  if (composer) {
    const text = composer.querySelector("textarea[name=text]");
    const box = composer.querySelector("#counters");
    const guide = composer.querySelector("#guide-problems");
    const suggestions = composer.querySelector("#suggestions");
    const csrf = composer.querySelector("input[name=_csrf]").value;
    let timer = null;
    // The card Bluesky will show under the post: fetched when the first link
    // changes (the server reads the page; its picture comes through us too).
    const cardBox = composer.querySelector("#link-card");
    let cardFor = null;
    const el = (tag, props, ...children) => {
      const node = Object.assign(document.createElement(tag), props);
      node.append(...children);
      return node;
    };
    const showCard = async (card) => {
      if (!cardBox) return;
      const key = card ? card.url + "|" + card.networks.join(",") : null;
      if (key === cardFor) return;
      cardFor = key;
      if (!card) { cardBox.hidden = true; cardBox.replaceChildren(); return; }
      const caption = el("figcaption", { textContent: `Link card on ${card.networks.join(", ")}` });
      cardBox.replaceChildren(caption, el("p", { className: "muted", textContent: "Reading the page…" }));
      cardBox.hidden = false;
      try {
        const response = await fetch(cardBox.dataset.previewUrl + "?url=" + encodeURIComponent(card.url));
        const found = await response.json();
        if (cardFor !== key) return;
        if (!response.ok) {
          cardBox.replaceChildren(caption, el("p", { className: "muted", textContent: `No card: ${found.message}. The post goes out without one.` }));
          return;
        }
        const text = el("span", { className: "link-card-text" },
          el("small", { textContent: found.site_name || found.host }),
          el("strong", { textContent: found.title || found.url }),
          el("span", { textContent: found.description }));
        const body = el("a", { className: "link-card-body", href: found.url, target: "_blank", rel: "noopener noreferrer" });
        if (found.picture) body.append(el("img", { src: found.picture, alt: "" }));
        body.append(text);
        cardBox.replaceChildren(caption, body);
      } catch (_) {
        if (cardFor === key) cardBox.hidden = true;
      }
    };
    const refresh = async () => {
      const checked = [...composer.querySelectorAll("input[name=account]:checked")];
      const networks = checked.map((i) => i.dataset.network);
      try {
        const response = await fetch(composer.dataset.checkUrl, {
          method: "POST",
          headers: { "content-type": "application/json", "x-csrf-token": csrf },
          body: JSON.stringify({
            text: text.value,
            networks,
            accounts: checked.map((i) => i.value),
            campaign: composer.querySelector("input[name=campaign]")?.value ?? "",
            sponsored: composer.querySelector("input[name=sponsored]")?.checked ?? false,
            media: [...composer.querySelectorAll("input[name=media]:checked")].map((i) => i.value),
          }),
        });
        if (!response.ok) return;
        const { counters, guide: problems, suggestions: advice, card } = await response.json();
        // Ticked "post without link cards": no card to show.
        showCard(composer.querySelector("input[name=no_link_card]")?.checked ? null : card);
        if (suggestions) {
          suggestions.replaceChildren(...advice.map((s) => Object.assign(document.createElement("li"), { textContent: s })));
          suggestions.hidden = advice.length === 0;
        }
        if (guide) {
          guide.replaceChildren(...problems.map((p) => Object.assign(document.createElement("li"), { textContent: p.message })));
          guide.hidden = problems.length === 0;
        }
        box.replaceChildren(...counters.map((c) => {
          const span = document.createElement("span");
          span.className = "counter" + (c.remaining < 0 ? " over" : "");
          span.textContent = `${c.label} ${c.length}/${c.limit}`;
          if (c.problems.length) span.title = c.problems.join("\n");
          return span;
        }));
      } catch (_) { /* counters are a help, not a gate: the server checks again on save */ }
    };
    const later = () => { clearTimeout(timer); timer = setTimeout(refresh, 150); };
    text.addEventListener("input", later);
    composer.addEventListener("change", later);
    refresh();
  }

  // Drag a scheduled post to another day of the month view (it keeps its
  // time) or to another day and hour of the week view (it keeps its
  // minutes). The list view's Move form does the same from the keyboard.
  const month = document.querySelector("[data-month]");
  if (month) {
    let dragged = null;
    month.addEventListener("dragstart", (e) => {
      dragged = e.target.closest("[data-post]");
      if (dragged) e.dataTransfer.setData("text/plain", dragged.dataset.post);
    });
    month.addEventListener("dragover", (e) => {
      const day = e.target.closest("[data-date]");
      if (dragged && day) { e.preventDefault(); day.classList.add("drop"); }
    });
    month.addEventListener("dragleave", (e) => {
      const day = e.target.closest("[data-date]");
      if (day) day.classList.remove("drop");
    });
    month.addEventListener("drop", (e) => {
      const day = e.target.closest("[data-date]");
      if (!dragged || !day) return;
      e.preventDefault();
      const form = document.createElement("form");
      form.method = "post";
      form.action = `/w/${month.dataset.slug}/posts/${dragged.dataset.post}/reschedule`;
      for (const [name, value] of [["_csrf", month.dataset.csrf], ["date", day.dataset.date], ["time", day.dataset.hour ? `${day.dataset.hour}:${dragged.dataset.time.slice(3)}` : dragged.dataset.time], ["view", month.dataset.view || "month"]]) {
        const input = document.createElement("input");
        input.type = "hidden"; input.name = name; input.value = value;
        form.append(input);
      }
      document.body.append(form);
      form.submit();
    });
  }

  // A chosen CSV file fills the textarea it belongs to.
  for (const input of document.querySelectorAll("input[type=file][data-fills]")) {
    input.addEventListener("change", async () => {
      const target = document.querySelector(input.dataset.fills);
      if (input.files[0] && target) target.value = await input.files[0].text();
    });
  }

  // Inbox keyboard: j/k move, e marks done, r opens the reply, a assigns to me.
  const inbox = document.querySelector("[data-inbox]");
  if (inbox) {
    const items = () => [...inbox.querySelectorAll("[data-item]")];
    document.addEventListener("keydown", (e) => {
      if (e.target.closest("input, textarea, select") || e.ctrlKey || e.metaKey || e.altKey) return;
      const list = items();
      const current = document.activeElement.closest("[data-item]");
      const at = list.indexOf(current);
      if (e.key === "j" || e.key === "k") {
        const next = list[Math.max(0, Math.min(list.length - 1, at + (e.key === "j" ? 1 : -1)))] || list[0];
        if (next) { next.focus(); e.preventDefault(); }
      } else if (current && e.key === "e") {
        current.querySelector("form[data-action=done]")?.requestSubmit();
      } else if (current && e.key === "a") {
        current.querySelector("form[data-action=assign]")?.requestSubmit();
      } else if (current && e.key === "r") {
        const reply = current.querySelector("details[data-action=reply]");
        if (reply) { reply.open = true; reply.querySelector("textarea").focus(); e.preventDefault(); }
      }
    });
  }

  // New messages while the Inbox is open: say how many, and show them on request.
  if (inbox && inbox.dataset.arrivals && window.EventSource) {
    const banner = document.getElementById("inbox-arrivals");
    const events = new EventSource(inbox.dataset.arrivals);
    events.addEventListener("arrived", (e) => {
      const n = Number(e.data);
      if (!n) return;
      banner.querySelector("[data-arrived]").textContent =
        n >= 100 ? "100 or more new messages arrived." : `${n} new message${n === 1 ? "" : "s"} arrived.`;
      banner.hidden = false;
      document.title = `(${n >= 100 ? "100+" : n}) ${document.title.replace(/^\(\d+\+?\) /, "")}`;
    });
    banner.querySelector("[data-show-arrivals]").addEventListener("click", (e) => {
      e.preventDefault();
      events.close();
      window.location.reload();
    });
  }

  // The query editor checks and previews as you type.
  const editor = document.querySelector("form[data-query-editor]");
  if (editor) {
    const input = editor.querySelector("input[name=query]");
    const status = editor.querySelector("#q-status");
    const preview = editor.querySelector("#q-preview");
    const csrf = editor.querySelector("input[name=_csrf]").value;
    let timer = null;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        if (!input.value.trim()) { status.textContent = ""; preview.replaceChildren(); return; }
        try {
          const response = await fetch(editor.dataset.checkUrl, {
            method: "POST",
            headers: { "content-type": "application/json", "x-csrf-token": csrf },
            body: JSON.stringify({ query: input.value }),
          });
          const check = await response.json();
          if (check.error) {
            const span = document.createElement("span");
            span.className = "error";
            span.textContent = `At character ${check.error.position + 1}: ${check.error.message}`;
            status.replaceChildren(span);
            input.setAttribute("aria-invalid", "true");
          } else {
            input.removeAttribute("aria-invalid");
            const stored = check.mentions_previewed
              ? ` and ${check.mentions_matched} of the last ${check.mentions_previewed} public posts stored` : "";
            status.textContent = `Matches ${check.matched} of the last ${check.previewed} messages received${stored}.`;
            preview.replaceChildren(...[...(check.mention_samples || []), ...check.samples].map((s) => {
              const li = document.createElement("li");
              const who = document.createElement("strong");
              who.textContent = s.author + " ";
              li.append(who, s.text);
              return li;
            }));
          }
        } catch (_) { /* the server checks again on save */ }
      }, 200);
    });
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
