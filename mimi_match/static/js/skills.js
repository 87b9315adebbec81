// Skill inputs: a textarea with one skill per line becomes a list of chips and a search box with
// suggestions from the shared vocabulary. Without JavaScript the plain textarea still works.
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
          render();
          input.focus();
        });
        badge.append(button);
        li.append(badge);
        chips.append(li);
      });
    }

    function add(skill) {
      skill = skill.trim();
      if (!skill) return;
      const all = lines(textarea);
      if (!all.some((s) => s.toLowerCase() === skill.toLowerCase())) all.push(skill);
      textarea.value = all.join("\n");
      input.value = "";
      close();
      render();
    }

    function close() {
      list.classList.add("d-none");
      list.replaceChildren();
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
          li.addEventListener("mousedown", (event) => { event.preventDefault(); add(item.label); });
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
        if (active >= 0 && items[active]) add(items[active].firstChild.textContent);
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
