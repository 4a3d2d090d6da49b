// The app on the phone: registers the service worker, keeps forms filled in with no network in
// the offline queue (static/offline-queue.js), shows what waits to be sent, and sends it when
// the network is back (the `online` event, the next page load, "Send now", Background Sync).
"use strict";

(() => {
  const queue = self.HubQueue;
  const SYNC_TAG = "hub-outbox";
  const SENT_FLAG = "hub-queue-sent";

  const box = () => document.getElementById("outbox");
  const words = (key) => box()?.dataset[key] || "";
  const language = () => (document.documentElement.lang.startsWith("en") ? "en" : "zh");
  const csrfToken = () => {
    try {
      return JSON.parse(document.body.getAttribute("data-hx-headers") || "{}")["x-csrftoken"] || "";
    } catch {
      return "";
    }
  };
  // A version 4 UUID (randomUUID exists only on https and localhost).
  const newId = () => {
    if (self.crypto.randomUUID) {
      return self.crypto.randomUUID();
    }
    const bytes = self.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };

  // The service worker ------------------------------------------------------------------------

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
    navigator.serviceWorker.ready.then((registration) =>
      registration.active?.postMessage({ type: "page", language: language() }),
    );
  }
  if (document.body.hasAttribute("data-hx-headers")) {
    queue.remember("csrf", csrfToken()).catch(() => {});
    queue.remember("language", language()).catch(() => {});
  }

  const askForSync = () => {
    if (!("serviceWorker" in navigator)) {
      return;
    }
    navigator.serviceWorker.ready
      .then((registration) => registration.sync?.register(SYNC_TAG))
      .catch(() => {});
  };

  // What waits, shown ---------------------------------------------------------------------------

  let status = "";
  const say = (text) => {
    status = text;
    const line = box()?.querySelector(".outbox-status");
    if (line) {
      line.textContent = text;
    }
  };

  const timeOf = (iso) =>
    new Date(iso).toLocaleTimeString(document.documentElement.lang, {
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });

  const stateOf = (item) => {
    if (item.state === "refused") {
      return item.reason ? `${words("refused")}: ${item.reason}` : words("refused");
    }
    return item.state === "sign-in" ? words("signIn") : words("waiting");
  };

  const renderList = (items) => {
    const section = box();
    const template = document.getElementById("outbox-item");
    if (!section || !template) {
      return;
    }
    const list = section.querySelector(".outbox-items");
    list.replaceChildren(
      ...items.map((item) => {
        const row = template.content.firstElementChild.cloneNode(true);
        const kind = {
          "check-in": "kindCheckIn",
          note: "kindNote",
          photo: "kindPhoto",
          report: "kindReport",
        };
        row.querySelector(".outbox-what").textContent =
          [words(kind[item.kind]), item.label].filter(Boolean).join(": ");
        row.querySelector(".outbox-when").textContent = timeOf(item.deviceTime);
        row.querySelector(".outbox-state").textContent = stateOf(item);
        row.classList.toggle("refused", item.state === "refused");
        const remove = row.querySelector("[data-outbox-remove]");
        remove.hidden = item.state !== "refused";
        remove.dataset.outboxRemove = item.id;
        return row;
      }),
    );
    // What waits is counted apart from what the server refused: those are never sent again.
    const waiting = items.filter((item) => item.state !== "refused").length;
    section.querySelector(".outbox-count").textContent = waiting
      ? words("count").replace("{count}", String(waiting))
      : words("countRefused").replace("{count}", String(items.length));
    section.querySelector("[data-outbox-send]").hidden = !waiting;
    section.querySelector(".outbox-status").textContent = status;
    section.hidden = items.length === 0 && !status;
    section.querySelector(".outbox-details").hidden = items.length === 0;
  };

  // The check-in of a checkpoint waiting on the phone, however it was made: "I'm here" on the
  // round page or the checkpoint's poster (both forms carry the checkpoint's id).
  const checkpointOf = (fields) => fields.find(([name]) => name === "checkpoint_id")?.[1];
  const waitingCheckIn = (items, checkpoint) =>
    checkpoint &&
    items.find(
      (it) => it.kind === "check-in" && it.state !== "refused" && checkpointOf(it.fields) === checkpoint,
    );

  // On the round page, a check-in that waits marks its checkpoint as done on the phone, and
  // takes a note.
  const markCheckpoints = (items) => {
    const badge = document.getElementById("outbox-queued-checkin");
    const noteForm = document.getElementById("outbox-queued-note");
    for (const form of document.querySelectorAll("form[action$='/checkins']")) {
      const item = waitingCheckIn(items, form.querySelector("[name=checkpoint_id]")?.value);
      const row = form.closest("li");
      if (!item || !row || row.classList.contains("queued")) {
        continue;
      }
      row.classList.remove("next");
      row.classList.add("queued");
      row.dataset.queued = item.id;
      form.hidden = true;
      for (const skip of row.querySelectorAll(".skip-label, input[name^='skip-']")) {
        skip.hidden = true;
      }
      for (const state of row.querySelectorAll(".round-checkpoint-head .state")) {
        state.remove();
      }
      row.querySelector(".round-checkpoint-head")?.append(badge.content.cloneNode(true));
      const note = noteForm.content.firstElementChild.cloneNode(true);
      const field = note.querySelector("textarea");
      field.id = `queued-note-${item.id}`;
      field.value = item.fields.find(([name]) => name === "note")?.[1] || "";
      const label = note.querySelector("label");
      label.htmlFor = field.id;
      const name = row.querySelector("strong")?.textContent.trim() || "";
      label.textContent = label.textContent.replace("{name}", name);
      if (!item.label && name) {
        // Kept by the service worker, which cannot read the page: named here.
        queue.update(item.id, (kept) => ({ ...kept, label: kept.label || name }));
      }
      note.dataset.queuedNote = item.id;
      form.after(note);
    }
  };

  // On a checkpoint's poster page, a check-in that waits replaces the button: it is saved, and
  // another tap would be the same check-in. Once sent, the page says so.
  const markPosters = (items) => {
    const saved = document.getElementById("outbox-saved-check-in");
    for (const form of document.querySelectorAll("form.check-in-form")) {
      const item = waitingCheckIn(items, form.querySelector("[name=checkpoint_id]")?.value);
      const notice = form.parentElement.querySelector(".saved-here");
      if (item && !notice) {
        form.hidden = true;
        form.after(saved.content.firstElementChild.cloneNode(true));
      } else if (!item && notice) {
        notice.textContent = notice.dataset.sent;
      }
    }
  };

  // Once nothing waits: "All sent" only when it is true, else how many the server refused (the
  // list says why).
  const sentStatus = (items) =>
    items.length ? words("countRefused").replace("{count}", String(items.length)) : words("sent");

  let waitingBefore = 0;
  let reloading = false;
  const render = async () => {
    const items = await queue.all().catch(() => []);
    const waiting = items.filter((item) => item.state !== "refused").length;
    if (waitingBefore && !waiting) {
      say(sentStatus(items));
    }
    waitingBefore = waiting;
    if (!waiting && document.querySelector(".round-checkpoint.queued")) {
      // All sent (by this page or the service worker): the round page shows what the server
      // has now. Not before the last one, or the page could miss one sent while it loads.
      // Once: the page's own sending and the service worker's may both end here, and a second
      // reload would abort the first.
      if (!reloading) {
        reloading = true;
        sessionStorage.setItem(SENT_FLAG, "1");
        location.reload();
      }
      return items;
    }
    renderList(items);
    markCheckpoints(items);
    markPosters(items);
    return items;
  };

  // Keeping a form on the phone -------------------------------------------------------------

  const kindOf = (form) => {
    if (!(form instanceof HTMLFormElement) || form.method !== "post") {
      return null;
    }
    const url = new URL(form.action, location.href);
    if (url.origin !== location.origin) {
      return null;
    }
    return queue.kindOf(url.pathname);
  };

  const labelOf = (form, kind) => {
    if (kind === "report") {
      return form.elements.title?.value.trim() || "";
    }
    const name = form.closest("li")?.querySelector("strong") || document.querySelector("main h1");
    return name?.textContent.trim() || "";
  };

  // One UUID per check-in, report or photo as the page shows it, made when it is shown: a page
  // kept for offline use, opened again, makes new ones, while two taps on the same button send
  // the same one, which the server (and the queue, by its id) keep once.
  const giveIds = (root) => {
    for (const form of root.querySelectorAll("form")) {
      const input = form.querySelector("input[name=client_uuid]");
      if (input && kindOf(form)) {
        input.defaultValue = newId();
        input.value = input.defaultValue;
      }
    }
  };

  const withNote = (item, note) => ({
    ...item,
    fields: [...item.fields.filter(([name]) => name !== "note"), ["note", note]],
  });

  // A form kept on the phone, under its UUID. A check-in of a checkpoint whose check-in already
  // waits is that check-in (a tap again, the poster scanned again): it only adds its note.
  const keep = async (form, submitter, kind) => {
    const now = new Date().toISOString();
    for (const input of form.querySelectorAll("input[data-device-time]")) {
      input.value = now;
    }
    const fields = queue.fieldsOf(new FormData(form, submitter), kind);
    const uuid = fields.find(([name]) => name === "client_uuid")?.[1] || newId();
    const waiting = kind === "check-in" && waitingCheckIn(await queue.all(), checkpointOf(fields));
    if (waiting) {
      const note = fields.find(([name]) => name === "note")?.[1]?.trim();
      const hasNote = (item) => item.fields.some(([name, value]) => name === "note" && value.trim());
      if (note) {
        await queue.update(waiting.id, (kept) => (hasNote(kept) ? kept : withNote(kept, note)));
      }
      say(words("saved"));
      await render();
      return;
    }
    await queue.put({
      id: uuid,
      url: new URL(form.action, location.href).pathname,
      kind,
      label: labelOf(form, kind),
      fields,
      deviceTime: now,
      queuedAt: now,
      state: "waiting",
      reason: "",
    });
    say(words("saved"));
    if (kind === "report" || kind === "photo") {
      form.reset(); // ready for the next report or photo, which is another one
      giveIds(form.parentElement || document);
    }
    await render();
    box()?.scrollIntoView({ block: "nearest" });
    askForSync();
  };

  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (form instanceof HTMLFormElement && form.dataset.queuedNote !== undefined) {
        event.preventDefault();
        saveQueuedNote(form);
        return;
      }
      const kind = kindOf(form);
      if (!kind || navigator.onLine) {
        return;
      }
      // Before htmx or the browser send it: there is no network to send it to.
      event.preventDefault();
      event.stopImmediatePropagation();
      keep(form, event.submitter, kind);
    },
    true,
  );

  const saveQueuedNote = async (form) => {
    const note = form.elements.note.value.trim();
    if (!(await queue.update(form.dataset.queuedNote, (item) => withNote(item, note)))) {
      return;
    }
    say(words("saved"));
    renderList(await queue.all());
  };

  // The network failed under htmx: a form is kept, a page is opened the plain way, so the
  // service worker answers with its kept copy or the offline page.
  document.addEventListener("htmx:sendError", (event) => {
    const element = event.detail.elt;
    const verb = event.detail.requestConfig?.verb;
    const form = element instanceof HTMLFormElement ? element : element?.closest?.("form");
    const kind = kindOf(form);
    if (verb === "post" && kind) {
      keep(form, null, kind);
    } else if (verb === "get") {
      location.assign(event.detail.pathInfo?.finalRequestPath || event.detail.requestConfig.path);
    }
  });

  document.addEventListener("htmx:beforeRequest", (event) => {
    const config = event.detail.requestConfig;
    if (!navigator.onLine && config?.verb === "get" && event.detail.boosted) {
      event.preventDefault();
      location.assign(config.path);
    }
  });

  // Sending -------------------------------------------------------------------------------------

  const send = async () => {
    const waiting = (await queue.all()).filter((item) => item.state !== "refused");
    if (!waiting.length || !navigator.onLine) {
      return;
    }
    say(words("sending"));
    await render();
    await queue.flush(csrfToken());
    const kept = await queue.all();
    say(kept.some((item) => item.state !== "refused") ? "" : sentStatus(kept));
    await render();
  };

  document.addEventListener("click", async (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (target?.closest("[data-outbox-send]")) {
      send();
    }
    const remove = target?.closest("[data-outbox-remove]");
    if (remove) {
      await queue.remove(remove.dataset.outboxRemove);
      render();
    }
    if (target?.closest("[data-reload]")) {
      location.reload();
    }
  });

  window.addEventListener("online", send);
  window.addEventListener("offline", () => {
    say(words("offline"));
    render();
  });
  new BroadcastChannel(queue.CHANNEL).addEventListener("message", render);
  document.addEventListener("htmx:afterSettle", (event) => {
    giveIds(event.detail.target || document); // a page back from the history has no target
    render();
  });
  giveIds(document);

  if (sessionStorage.getItem(SENT_FLAG)) {
    sessionStorage.removeItem(SENT_FLAG);
    queue.all().then((items) => say(sentStatus(items)), () => say(words("sent")));
  }
  render().then(send);
})();
