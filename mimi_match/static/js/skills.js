// Skill inputs: a textarea with one skill per line becomes a list of chips and a search box with
// suggestions from the shared vocabulary. Without JavaScript the plain textarea still works.
// A suggestion chosen from the list is remembered with its concept in the form's hidden field
// "skill_concepts" (JSON: {"skill as shown": "concept URI"}), so the server saves exactly that concept
// even when two concepts share the label; words typed without choosing are matched on the server.
(function () {
  "use strict";
  const body = document.body;
  const url = body.dataset.skillsUrl;
  const removeText = body.dataset.i18nRemove || "Remove";
  const addText = body.dataset.i18nAddSkill || "Add a skill";
  if (!url) return;

  function lines(textarea) {
    return textarea.value.split(/\n/).map((s) => s.trim()).filter(Boolean);
  }

  function same(a, b) {
    return a.trim().toLowerCase() === b.trim().toLowerCase();
  }

  // the concepts chosen in one form (shared by its skill fields): kept in its hidden "skill_concepts" field
  const forms = new Map();
  function choices(form) {
    if (!forms.has(form)) forms.set(form, readChoices(form));
    return forms.get(form);
  }

  function readChoices(form) {
    const store = form ? form.querySelector('input[name="skill_concepts"]') : null;
    let chosen = {};
    if (store && store.value) {
      try { chosen = JSON.parse(store.value) || {}; } catch (error) { chosen = {}; }
    }
    return {
      set(skill, uri) {
        Object.keys(chosen).filter((k) => same(k, skill)).forEach((k) => delete chosen[k]);
        if (uri) chosen[skill] = uri;
        this.save();
      },
      save() {
        if (!store) return;
        // forget choices for skills no longer listed in any skill field of the form
        const listed = [...form.querySelectorAll("textarea[data-skills]")].flatMap(lines);
        Object.keys(chosen).filter((k) => !listed.some((l) => same(l, k))).forEach((k) => delete chosen[k]);
        store.value = Object.keys(chosen).length ? JSON.stringify(chosen) : "";
      },
    };
  }

  function enhance(textarea, index) {
    const wrapper = document.createElement("div");
    wrapper.className = "skill-field";
    const chips = document.createElement("ul");
    chips.className = "skill-chips list-unstyled d-flex flex-wrap gap-1 mb-2";
    const input = document.createElement("input");
    input.type = "text";
    input.className = "form-control";
    input.placeholder = addText;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    const listId = `skill-suggestions-${index}`;
    input.setAttribute("aria-controls", listId);
    if (textarea.getAttribute("aria-describedby")) input.setAttribute("aria-describedby", textarea.getAttribute("aria-describedby"));
    // the help text describes the control shown: chips now, not lines of a text area
    const help = document.getElementById(`${textarea.id}-help`);
    if (help && textarea.dataset.helpChips) help.textContent = textarea.dataset.helpChips;
    const label = document.querySelector(`label[for="${textarea.id}"]`);
    if (label) { input.id = `${textarea.id}-search`; label.htmlFor = input.id; }
    const list = document.createElement("ul");
    list.id = listId;
    list.className = "skill-suggestions list-group shadow-sm d-none";
    list.setAttribute("role", "listbox");
    wrapper.append(chips, input, list);
    textarea.after(wrapper);
    textarea.classList.add("d-none");
    textarea.setAttribute("aria-hidden", "true");
    textarea.tabIndex = -1;

    let active = -1;
    let timer = null;
    let controller = null;
    let offered = [];
    const chosen = choices(textarea.form);

    function render() {
      chips.replaceChildren();
      lines(textarea).forEach((skill, i) => {
        const li = document.createElement("li");
        const badge = document.createElement("span");
        badge.className = "badge rounded-pill text-bg-light border";
        badge.textContent = skill;
        const button = document.createElement("button");
        button.type = "button";
        button.className = "btn-close";
        button.setAttribute("aria-label", `${removeText}: ${skill}`);
        button.addEventListener("click", () => {
          const all = lines(textarea);
          all.splice(i, 1);
          textarea.value = all.join("\n");
          chosen.save();
          render();
          input.focus();
        });
        badge.append(button);
        li.append(badge);
        chips.append(li);
      });
    }

    // a skill typed (uri empty) or chosen from the suggestions (with its concept)
    function add(skill, uri) {
      skill = skill.trim();
      if (!skill) return;
      const all = lines(textarea);
      if (!all.some((s) => same(s, skill))) all.push(skill);
      textarea.value = all.join("\n");
      chosen.set(skill, uri || "");
      input.value = "";
      close();
      render();
    }

    function close() {
      list.classList.add("d-none");
      list.replaceChildren();
      offered = [];
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(i) {
      const items = list.querySelectorAll("[role=option]");
      items.forEach((el, j) => {
        el.classList.toggle("active", j === i);
        el.setAttribute("aria-selected", j === i ? "true" : "false");
      });
      active = i;
      if (items[i]) input.setAttribute("aria-activedescendant", items[i].id);
    }

    async function suggest() {
      const q = input.value.trim();
      if (q.length < 2) { close(); return; }
      if (controller) controller.abort();
      controller = new AbortController();
      try {
        const response = await fetch(`${url}?q=${encodeURIComponent(q)}`, { signal: controller.signal, headers: { Accept: "application/json" } });
        if (!response.ok) { close(); return; }
        const data = await response.json();
        list.replaceChildren();
        offered = data.results;
        data.results.forEach((item, i) => {
          const li = document.createElement("li");
          li.id = `${listId}-${i}`;
          li.className = "list-group-item list-group-item-action";
          li.setAttribute("role", "option");
          li.textContent = item.label;
          if (item.matched && item.matched !== item.label) {
            const small = document.createElement("small");
            small.className = "text-body-secondary ms-2";
            small.textContent = item.matched;
            li.append(small);
          }
          if (item.hint) {  // the same label twice in the list: what tells this one apart
            const hint = document.createElement("small");
            hint.className = "skill-hint d-block text-body-secondary";
            hint.textContent = item.hint;
            li.append(hint);
          }
          li.addEventListener("mousedown", (event) => { event.preventDefault(); add(item.label, item.uri); });
          list.append(li);
        });
        const open = data.results.length > 0;
        list.classList.toggle("d-none", !open);
        input.setAttribute("aria-expanded", open ? "true" : "false");
        active = -1;
      } catch (error) {
        if (error.name !== "AbortError") close();
      }
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(suggest, 120);
    });
    input.addEventListener("keydown", (event) => {
      const items = list.querySelectorAll("[role=option]");
      if (event.key === "ArrowDown" && items.length) { event.preventDefault(); highlight((active + 1) % items.length); }
      else if (event.key === "ArrowUp" && items.length) { event.preventDefault(); highlight((active - 1 + items.length) % items.length); }
      else if (event.key === "Enter" || event.key === ",") {
        if (event.key === "Enter" || input.value.trim()) event.preventDefault();
        if (active >= 0 && offered[active]) add(offered[active].label, offered[active].uri);
        else add(input.value);
      } else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", () => { if (input.value.trim()) add(input.value); else close(); });
    render();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("textarea[data-skills]").forEach(enhance);
  });
})();
