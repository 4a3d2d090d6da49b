// Hub's service worker. /sw.js serves this file after a line that sets self.HUB: the version
// (a digest of the app shell), the shell's files, the words of a notification whose message
// cannot be read, the routes whose forms the offline queue keeps and the pages kept for offline
// use. It keeps the shell and the offline page, keeps the pages a volunteer needs on a round
// (network first, the kept copy without network), shows every other page offline as the
// offline page, shows push notifications, and sends the offline queue on Background Sync.
"use strict";

importScripts(self.HUB.queue);

const { version, shell, texts } = self.HUB;
const SHELL = `hub-shell-${version}`;
const PAGES = "hub-pages"; // kept across versions: a round in progress must survive an update
const OFFLINE = "/offline";
// The pages kept for a round without network, as the server lists them (hub/web/offline.py).
const KEPT_PAGES = self.HUB.kept.map((pattern) => new RegExp(pattern));
const SYNC_TAG = "hub-outbox";

const kept = (url) => KEPT_PAGES.some((pattern) => pattern.test(url.pathname));

const keepOfflinePage = async () => {
  const response = await fetch(OFFLINE, { cache: "no-store", credentials: "same-origin" });
  if (response.ok) {
    await (await caches.open(SHELL)).put(OFFLINE, response);
  }
};

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      // Versioned URLs: what the page just loaded is in the browser's cache, and taken from there.
      await cache.addAll(shell);
      await keepOfflinePage();
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("hub-shell-") && name !== SHELL) {
          await caches.delete(name);
        }
      }
      await self.clients.claim();
    })(),
  );
});

// A page says which language it is in: the offline page is fetched again when that changed.
self.addEventListener("message", (event) => {
  if (event.data?.type !== "page") {
    return;
  }
  event.waitUntil(
    (async () => {
      const offline = await (await caches.open(SHELL)).match(OFFLINE);
      if (!offline || offline.headers.get("Content-Language") !== event.data.language) {
        await keepOfflinePage().catch(() => {});
      }
    })(),
  );
});

// A static file: the kept copy of that very version, else the network; offline, any kept
// version of the file is better than none.
const fromShell = async (request) => {
  const cached = await caches.match(request);
  if (cached) {
    return cached;
  }
  try {
    return await fetch(request);
  } catch (error) {
    const older = await caches.match(request, { ignoreSearch: true });
    if (older) {
      return older;
    }
    throw error;
  }
};

const navigate = async (request) => {
  const url = new URL(request.url);
  try {
    const response = await fetch(request);
    if (kept(url) && response.ok && response.type === "basic") {
      const copy = response.clone();
      await (await caches.open(PAGES)).put(url.pathname, copy);
    }
    return response;
  } catch {
    const copy = await (await caches.open(PAGES)).match(url.pathname);
    return copy || (await caches.match(OFFLINE)) || Response.error();
  }
};

// A form sent the plain way while the phone believed it was online, and the network failed:
// kept in the queue like one filled in offline, and back to the page it was sent from. Its UUID
// stays, since the request may have arrived: the server keeps it once.
const postOrKeep = async (request, kind) => {
  const copy = request.clone();
  try {
    return await fetch(request);
  } catch {
    const fields = self.HubQueue.fieldsOf(await copy.formData(), kind);
    const now = new Date().toISOString();
    const uuid = fields.find(([name]) => name === "client_uuid")?.[1];
    const time = fields.find(([name]) => name === "device_time")?.[1];
    await self.HubQueue.put({
      id: uuid || `${Date.now()}-${Math.random()}`,
      url: new URL(request.url).pathname,
      kind,
      label: "",
      fields,
      deviceTime: time || now,
      queuedAt: now,
      state: "waiting",
      reason: "",
    });
    await self.registration.sync?.register(SYNC_TAG).catch(() => {});
    return Response.redirect(request.referrer || "/", 303);
  }
};

// A page reached through htmx came as a fragment: keep the whole page too, for later offline.
const keepWholePage = async (url) => {
  try {
    const response = await fetch(url.pathname, { credentials: "same-origin" });
    if (response.ok && !response.redirected) {
      await (await caches.open(PAGES)).put(url.pathname, response);
    }
  } catch {
    // no network: the copy kept before stays
  }
};

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method === "POST" && url.pathname === "/logout") {
    // A shared phone: nobody else sees the pages kept for the person signing out.
    event.waitUntil(caches.delete(PAGES));
    return;
  }
  const kind = self.HubQueue.kindOf(url.pathname);
  if (request.method === "POST" && request.mode === "navigate" && kind) {
    event.respondWith(postOrKeep(request, kind));
    return;
  }
  if (request.method !== "GET") {
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(fromShell(request));
  } else if (request.mode === "navigate") {
    event.respondWith(navigate(request));
  } else if (request.headers.get("HX-Request") && kept(url)) {
    event.waitUntil(keepWholePage(url));
  }
});

// Push --------------------------------------------------------------------------------------

const readPush = (event) => {
  try {
    const data = event.data ? event.data.json() : null;
    return data && typeof data === "object" ? data : {};
  } catch {
    return {};
  }
};

const languageFor = async (data) => {
  if (data.lang in texts) {
    return data.lang;
  }
  const remembered = await self.HubQueue.recall("language").catch(() => "");
  if (remembered in texts) {
    return remembered;
  }
  return (self.navigator.language || "").toLowerCase().startsWith("en") ? "en" : "zh";
};

self.addEventListener("push", (event) => {
  event.waitUntil(
    (async () => {
      const data = readPush(event);
      const language = await languageFor(data);
      const fallback = texts[language];
      const readable = typeof data.title === "string" && data.title !== "";
      const title = readable ? data.title : fallback.title;
      const body = readable ? String(data.body || "") : fallback.body;
      const url = typeof data.url === "string" && data.url.startsWith("/") ? data.url : "/";
      const options = {
        body,
        icon: "/static/icons/icon-192.png",
        badge: "/static/icons/badge-96.png",
        lang: language === "zh" ? "zh-Hans" : "en",
        data: { url, kind: data.kind || "" },
      };
      if (typeof data.tag === "string" && data.tag) {
        options.tag = data.tag;
        options.renotify = true;
      }
      await self.registration.showNotification(title, options);
    })(),
  );
});

// A tap opens the notification's page, in the Hub window already open when there is one.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const path = event.notification.data?.url || "/";
  const target = new URL(path.startsWith("/") && !path.startsWith("//") ? path : "/", self.location.origin);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = windows.find((client) => new URL(client.url).origin === target.origin);
      if (open) {
        await open.focus();
        if (new URL(open.url).href !== target.href) {
          const navigated = await open.navigate(target.href).catch(() => null);
          if (navigated) {
            return;
          }
          await self.clients.openWindow(target.href);
        }
        return;
      }
      await self.clients.openWindow(target.href);
    })(),
  );
});

// The offline queue ---------------------------------------------------------------------------

self.addEventListener("sync", (event) => {
  if (event.tag === SYNC_TAG) {
    event.waitUntil(
      (async () => {
        await self.HubQueue.flush();
        const left = (await self.HubQueue.all()).filter((item) => item.state !== "refused");
        if (left.length) {
          throw new Error("still waiting: the browser tries again later");
        }
      })(),
    );
  }
});
