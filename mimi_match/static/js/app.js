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
