// The offline queue: forms filled in with no network (check-ins, notes, problem reports) kept on
// the phone in IndexedDB, files as Blobs, until they can be sent. Each keeps its own UUID and
// the phone's time, so the server records it once however often it is sent. Shared by the pages
// (static/pwa.js) and the service worker (static/sw.js), which sends it on Background Sync.
"use strict";

self.HubQueue = (() => {
  const DB_NAME = "hub-offline";
  const ITEMS = "items";
  const META = "meta";
  const CHANNEL = "hub-queue";
  // The forms that may wait on the phone, by where they post, as [pattern, kind]: the server's
  // list (hub/web/offline.py), in the worker's script or in the page's layout.
  let kinds = null;
  const queueable = () => {
    if (!kinds) {
      const listed = self.HUB?.queueable ||
        JSON.parse(self.document?.querySelector("meta[name=hub-queueable]")?.content || "[]");
      kinds = listed.map(([pattern, kind]) => [new RegExp(pattern), kind]);
    }
    return kinds;
  };
  const kindOf = (path) => queueable().find(([pattern]) => pattern.test(path))?.[1] || null;

  // A form's fields as the queue keeps them: files as Blobs, empty file fields left out.
  const fieldsOf = (formData, kind) => {
    const fields = [];
    for (const [name, value] of formData) {
      if (!(value instanceof Blob) || value.size > 0) {
        fields.push([name, value]);
      }
    }
    if (kind === "report" && !fields.some(([name]) => name === "confirmed_new")) {
      // Nobody is there to answer "is it one of these?" when it is sent.
      fields.push(["confirmed_new", "1"]);
    }
    return fields;
  };

  const open = () =>
    new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(ITEMS, { keyPath: "id" });
        request.result.createObjectStore(META);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });

  // One request on one store, resolved with its result once the transaction is done.
  const use = async (store, mode, act) => {
    const db = await open();
    try {
      return await new Promise((resolve, reject) => {
        const transaction = db.transaction(store, mode);
        const request = act(transaction.objectStore(store));
        transaction.oncomplete = () => resolve(request.result);
        transaction.onerror = () => reject(transaction.error);
        transaction.onabort = () => reject(transaction.error);
      });
    } finally {
      db.close();
    }
  };

  const changed = () => {
    const channel = new BroadcastChannel(CHANNEL);
    channel.postMessage("changed");
    channel.close();
  };

  const all = async () => {
    const items = await use(ITEMS, "readonly", (store) => store.getAll());
    return items.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  };

  const put = async (item) => {
    await use(ITEMS, "readwrite", (store) => store.put(item));
    changed();
  };

  // Change one kept item in a single transaction: two changes at once (a note typed while the
  // page names the item, or a refusal recorded meanwhile) must not undo each other, as writing
  // back an older copy would. `change` takes the stored item and returns it changed; an item
  // gone meanwhile stays gone. Resolves with whether it was there.
  const update = async (id, change) => {
    const found = await use(ITEMS, "readwrite", (store) => {
      const request = store.get(id);
      request.onsuccess = () => {
        if (request.result) {
          store.put(change(request.result));
        }
      };
      return request;
    });
    changed();
    return Boolean(found);
  };

  const remove = async (id) => {
    await use(ITEMS, "readwrite", (store) => store.delete(id));
    changed();
  };

  // What the pages tell the worker: the CSRF token to send with, and the person's language.
  const remember = (key, value) => use(META, "readwrite", (store) => store.put(value, key));
  const recall = (key) => use(META, "readonly", (store) => store.get(key));

  // A refused replay's answer (hub/web/offline.py): its code, and the message in the person's
  // language; an answer without a code (a proxy's, say) has an empty one.
  const refusalOf = async (response) => {
    const code = response.headers.get("X-Hub-Refusal") || "";
    const body = code ? await response.json().catch(() => ({})) : {};
    return { code, message: typeof body.message === "string" ? body.message.slice(0, 300) : "" };
  };

  const bodyOf = (item, token) => {
    const files = item.fields.some(([, value]) => value instanceof Blob);
    const body = files ? new FormData() : new URLSearchParams();
    for (const [name, value] of item.fields) {
      if (name !== "_csrf_token") {
        body.append(name, value);
      }
    }
    body.append("_csrf_token", token);
    return body;
  };

  // Send one item: "sent", "waiting" (no network, the server failed or asks to wait: try again
  // later), or "kept": refused, by the code of the server's answer, either until the person
  // signs in again or for the person to read and remove (the rule said no, the round is over,
  // it is gone, they may no longer, what was sent cannot be saved as it is).
  const send = async (item, token) => {
    let response;
    try {
      response = await fetch(item.url, {
        method: "POST",
        body: bodyOf(item, token),
        credentials: "same-origin",
        headers: { "x-csrftoken": token, "X-Hub-Replay": "1" },
      });
    } catch {
      return "waiting";
    }
    if (response.ok) {
      await remove(item.id);
      return "sent";
    }
    if (response.status >= 500) {
      return "waiting";
    }
    const refusal = await refusalOf(response);
    if (refusal.code === "later") {
      return "waiting";
    }
    if (refusal.code === "sign-in") {
      await update(item.id, (kept) => ({ ...kept, state: "sign-in", reason: "" }));
      return "kept";
    }
    await update(item.id, (kept) => ({ ...kept, state: "refused", reason: refusal.message }));
    return "kept";
  };

  let flushing = null;
  // Send everything waiting, oldest first; stops at the first sign of no network. Pages and
  // the worker may both try at once: the server keeps each item once, and a lock (where the
  // browser has one) spares the double work.
  const flush = (token) => {
    const run = async () => {
      const csrf = token || (await recall("csrf")) || "";
      let sent = 0;
      for (const item of await all()) {
        if (item.state === "refused") {
          continue; // kept for the person to read and remove, never sent again
        }
        const outcome = await send(item, csrf);
        if (outcome === "waiting") {
          break;
        }
        sent += outcome === "sent" ? 1 : 0;
      }
      return sent;
    };
    if (!flushing) {
      const locked = self.navigator.locks
        ? self.navigator.locks.request("hub-queue", run)
        : run();
      flushing = locked.finally(() => {
        flushing = null;
      });
    }
    return flushing;
  };

  return { CHANNEL, kindOf, fieldsOf, all, put, update, remove, remember, recall, flush };
})();
