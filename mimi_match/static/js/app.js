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
