// Small enhancements on top of pages that work without JavaScript.
"use strict";

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (target) {
    event.preventDefault();
    window.print();
  }
});

// The building switcher submits as soon as a building is picked; its button stays for no-JS use.
document.addEventListener("change", (event) => {
  const select = event.target;
  if (select instanceof HTMLSelectElement && select.dataset.autosubmit !== undefined) {
    select.form?.requestSubmit();
  }
});

// After an htmx navigation, move focus to the new content so screen readers announce it.
document.addEventListener("htmx:afterSettle", (event) => {
  const main = document.getElementById("main");
  if (main && event.detail.target === main) {
    const heading = main.querySelector("h1");
    (heading || main).setAttribute("tabindex", "-1");
    (heading || main).focus({ preventScroll: true });
  }
});

// A check-in carries the phone's own time, so a late-sent one keeps when it really happened.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement) {
    for (const input of form.querySelectorAll("input[data-device-time]")) {
      input.value = new Date().toISOString();
    }
  }
});

// "Add my location": asked only when the volunteer ticks the box, never required. The box is
// hidden without JavaScript or where the phone cannot tell its location.
const revealLocationBoxes = () => {
  for (const box of document.querySelectorAll("[data-share-location-box]")) {
    box.hidden = !("geolocation" in navigator);
  }
};
revealLocationBoxes();
document.addEventListener("htmx:afterSettle", revealLocationBoxes);
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || box.dataset.shareLocation === undefined) {
    return;
  }
  const form = box.form;
  const fill = (latitude, longitude) => {
    form.querySelector("[data-geo=latitude]").value = latitude;
    form.querySelector("[data-geo=longitude]").value = longitude;
  };
  if (!box.checked) {
    fill("", "");
    return;
  }
  navigator.geolocation.getCurrentPosition(
    (position) => fill(position.coords.latitude, position.coords.longitude),
    () => {
      box.checked = false;
      fill("", "");
    },
    { enableHighAccuracy: true, timeout: 10000 },
  );
});
