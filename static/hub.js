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

// After an htmx navigation, move focus to the new content so screen readers announce it: its
// heading, or the field the page asks to type in next (a form kept open for another entry).
document.addEventListener("htmx:afterSettle", (event) => {
  const main = document.getElementById("main");
  if (main && event.detail.target === main) {
    const field = main.querySelector("[autofocus]");
    if (field) {
      field.focus();
      return;
    }
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

// A link to pass on (the join link): the phone's share sheet where there is one, on a touch
// screen; elsewhere a copy to paste. The button stays hidden without JavaScript.
const revealShareButtons = () => {
  const phone = "share" in navigator && matchMedia("(pointer: coarse)").matches;
  for (const button of document.querySelectorAll("[data-share]")) {
    button.dataset.mode = phone ? "share" : "copy";
    button.textContent = phone ? button.dataset.labelShare : button.dataset.labelCopy;
    button.closest("[data-share-box]").hidden = false;
  }
};
revealShareButtons();
document.addEventListener("htmx:afterSettle", revealShareButtons);

const copyLink = async (button, status) => {
  try {
    await navigator.clipboard.writeText(button.dataset.share);
    status.textContent = button.dataset.copied;
  } catch {
    const link = document.querySelector(`a[href="${CSS.escape(button.dataset.share)}"]`);
    if (link) {
      const range = document.createRange();
      range.selectNodeContents(link);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
    }
    status.textContent = button.dataset.notCopied;
  }
};

document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-share]") : null;
  if (!button) {
    return;
  }
  const status = button.closest("[data-share-box]").querySelector(".share-status");
  status.textContent = "";
  if (button.dataset.mode !== "share") {
    await copyLink(button, status);
    return;
  }
  const { share: url, shareTitle: title, shareText: text } = button.dataset;
  try {
    await navigator.share({ title, text, url });
  } catch (error) {
    if (error?.name !== "AbortError") {
      await copyLink(button, status); // the share sheet failed: a copy instead
    }
  }
});
