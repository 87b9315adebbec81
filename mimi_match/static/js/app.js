// MiMi Match: progressive enhancements only; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // The language menu submits itself on change; its button is only needed without JavaScript.
  document.querySelectorAll("form.js-autosubmit").forEach((form) => {
    form.querySelectorAll(".js-hide-when-scripted").forEach((el) => el.classList.add("visually-hidden"));
    form.querySelectorAll("select").forEach((select) => {
      select.addEventListener("change", () => form.requestSubmit());
    });
  });
});

// Position form: show the fields for the chosen kind only (without JavaScript all are shown).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.position-form");
  if (!form) return;
  const update = () => {
    const kind = form.querySelector("input[name=kind]:checked");
    const micro = kind && kind.value === "micro_internship";
    form.querySelectorAll(".micro-only").forEach((el) => el.classList.toggle("d-none", !micro));
    form.querySelectorAll(".vacancy-only").forEach((el) => el.classList.toggle("d-none", micro));
  };
  form.querySelectorAll("input[name=kind]").forEach((radio) => radio.addEventListener("change", update));
  update();
});

// On a phone the filters start folded so the results come first (unless a search is active).
document.addEventListener("DOMContentLoaded", () => {
  if (window.innerWidth >= 992 || window.location.search) return;
  document.querySelectorAll("details.js-collapse-on-phone").forEach((el) => el.removeAttribute("open"));
});

// Buttons marked data-print open the browser's print dialog (the page has a print stylesheet).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.classList.remove("d-none");
    button.addEventListener("click", () => window.print());
  });
});

// "Select all on this page": shown only with JavaScript; ticks or clears every box of its form.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input.js-select-all").forEach((all) => {
    const form = all.closest("form");
    const boxes = () => form.querySelectorAll(`input[type=checkbox][name="${all.dataset.target}"]`);
    all.closest(".js-select-all-box").classList.remove("d-none");
    all.addEventListener("change", () => boxes().forEach((box) => { box.checked = all.checked; }));
    form.addEventListener("change", (event) => {
      if (event.target === all) return;
      const list = [...boxes()];
      all.checked = list.length > 0 && list.every((box) => box.checked);
      all.indeterminate = !all.checked && list.some((box) => box.checked);
    });
  });
});

// Forms marked js-warn-unsaved: leaving the page with typed changes asks first (a link in the page asks in the
// page's language; closing the tab or going back gets the browser's own question). Saving clears the mark.
document.addEventListener("DOMContentLoaded", () => {
  const forms = [...document.querySelectorAll("form.js-warn-unsaved")];
  if (!forms.length) return;
  const question = document.body.dataset.i18nUnsaved || "You have changes that are not saved. Leave without saving?";
  const initial = new Map(forms.map((form) => [form, new URLSearchParams(new FormData(form)).toString()]));
  let leaving = false;
  const dirty = () => !leaving && forms.some((form) => new URLSearchParams(new FormData(form)).toString() !== initial.get(form));
  forms.forEach((form) => form.addEventListener("submit", () => { leaving = true; }));
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href]");
    if (!link || link.target === "_blank" || link.getAttribute("href").startsWith("#") || !dirty()) return;
    if (window.confirm(question)) { leaving = true; } else { event.preventDefault(); }
  });
  // other forms of the page (remove a skill, change the language) leave it too
  document.addEventListener("submit", (event) => {
    if (forms.includes(event.target) || !dirty()) return;
    if (window.confirm(question)) { leaving = true; } else { event.preventDefault(); }
  }, true);
  window.addEventListener("beforeunload", (event) => {
    if (dirty()) { event.preventDefault(); event.returnValue = ""; }
  });
});

// Multiple choice lists (select multiple): a list of tick boxes, with a filter when the list is long, so nobody
// needs Ctrl-click. The select stays in the form (hidden) and follows the boxes.
document.addEventListener("DOMContentLoaded", () => {
  const filterText = document.body.dataset.i18nFilter || "Filter the list";
  document.querySelectorAll("select[multiple]").forEach((select, n) => {
    const label = select.id ? document.querySelector(`label[for="${select.id}"]`) : null;
    const group = document.createElement("div");
    group.className = "multi-picker border rounded p-2";
    group.setAttribute("role", "group");
    if (label) {
      label.id = label.id || `${select.id}-label`;
      group.setAttribute("aria-labelledby", label.id);
    }
    if (select.getAttribute("aria-describedby")) group.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
    const list = document.createElement("div");
    list.className = "multi-picker-list";
    let search = null;
    if (select.options.length > 8) {
      search = document.createElement("input");
      search.type = "search";
      search.className = "form-control form-control-sm mb-2";
      search.placeholder = filterText;
      search.setAttribute("aria-label", `${filterText}: ${label ? label.textContent.trim() : ""}`);
      search.id = `${select.id || "picker" + n}-filter`;
      group.appendChild(search);
    }
    [...select.options].forEach((option, i) => {
      const row = document.createElement("div");
      row.className = "form-check";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.className = "form-check-input";
      box.id = `${select.id || "picker" + n}-option-${i}`;
      box.checked = option.selected;
      box.addEventListener("change", () => {
        option.selected = box.checked;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      });
      const text = document.createElement("label");
      text.className = "form-check-label";
      text.htmlFor = box.id;
      text.textContent = option.textContent;
      if (option.lang) text.lang = option.lang;
      row.append(box, text);
      list.appendChild(row);
    });
    group.appendChild(list);
    if (search) {
      const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
      search.addEventListener("input", () => {
        const wanted = fold(search.value.trim());
        list.querySelectorAll(".form-check").forEach((row) => {
          row.classList.toggle("d-none", wanted !== "" && !fold(row.textContent).includes(wanted));
        });
      });
    }
    if (label) label.htmlFor = search ? search.id : (list.querySelector("input") || {}).id || "";
    select.classList.add("d-none");
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    select.after(group);
  });
});

// "Read aloud": the browser's built-in speech synthesis reads the page's main text in the page's language.
// Nothing is downloaded; the button stays hidden where the browser has no voice for the language.
document.addEventListener("DOMContentLoaded", () => {
  const buttons = [...document.querySelectorAll("button.js-read-aloud")];
  const synth = window.speechSynthesis;
  if (!buttons.length || !synth || typeof SpeechSynthesisUtterance === "undefined") return;
  const lang = (document.documentElement.lang || "en").toLowerCase();
  const voiceFor = () => synth.getVoices().find((v) => (v.lang || "").toLowerCase().replace("_", "-").split("-")[0] === lang.split("-")[0]);
  const reveal = () => { if (voiceFor()) buttons.forEach((b) => b.classList.remove("d-none")); };
  reveal();
  if (synth.addEventListener) synth.addEventListener("voiceschanged", reveal);
  buttons.forEach((button) => {
    const label = button.querySelector("span");
    const readText = label.textContent;
    const reset = () => { button.setAttribute("aria-pressed", "false"); label.textContent = readText; };
    button.addEventListener("click", () => {
      if (button.getAttribute("aria-pressed") === "true") { synth.cancel(); reset(); return; }
      const parts = [...document.querySelectorAll(button.dataset.target)];
      const text = parts.map((el) => el.innerText).join("\n").trim();
      if (!text) return;
      synth.cancel();
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = lang;
      const voice = voiceFor();
      if (voice) utterance.voice = voice;
      utterance.onend = reset;
      utterance.onerror = reset;
      button.setAttribute("aria-pressed", "true");
      label.textContent = button.dataset.labelStop;
      synth.speak(utterance);
    });
  });
});
