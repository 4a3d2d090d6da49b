/* Settings > Notifications: turn on Web Push on this device.
   Asks the browser's permission only after the tap, subscribes through the service worker
   (registered by the base layout) with the VAPID key from data-vapid-key, and posts the
   subscription with a device label and the CSRF header. Every step has a time limit
   (data-wait-seconds) and each failure says which step failed and what to do, in the words the
   page carries as data-msg-* (with {detail} standing for the browser's own reason). */
(function () {
  "use strict";
  if (window.hubPush) {
    window.hubPush.init(document);
    return;
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function deviceLabel() {
    var ua = navigator.userAgent;
    var device = /iPhone/.test(ua) ? "iPhone" : /iPad/.test(ua) ? "iPad"
      : /Android/.test(ua) ? "Android" : /Windows/.test(ua) ? "Windows"
      : /Mac OS X/.test(ua) ? "Mac" : /Linux/.test(ua) ? "Linux" : "";
    var browser = /EdgA?\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox"
      : /MicroMessenger/.test(ua) ? "WeChat" : /(Chrome|CriOS)\//.test(ua) ? "Chrome"
      : /Safari\//.test(ua) ? "Safari" : "";
    return [device, browser].filter(Boolean).join(" · ");
  }

  function isAppleMobile() {
    return /iPhone|iPad|iPod/.test(navigator.userAgent) ||
      (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  }

  function isStandalone() {
    return navigator.standalone === true ||
      window.matchMedia("(display-mode: standalone)").matches;
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("data-hx-headers") || "{}")["x-csrftoken"] || "";
    } catch (error) {
      return "";
    }
  }

  function show(panel, state) {
    panel.querySelectorAll("[data-push-state]").forEach(function (element) {
      element.hidden = element.getAttribute("data-push-state") !== state;
    });
  }

  function say(panel, name, text) {
    var message = panel.querySelector("[data-push-message]");
    message.textContent = text || message.getAttribute("data-msg-" + name) || "";
    message.setAttribute("data-said", name);
  }

  function sayWhy(panel, name, detail) {
    var message = panel.querySelector("[data-push-message]");
    var text = message.getAttribute("data-msg-" + name) || "";
    say(panel, name, text.replace("{detail}", detail || "?"));
  }

  /* The promise, or a rejection named `step` when it takes longer than `seconds`. */
  function within(seconds, promise, step) {
    var timer;
    var late = new Promise(function (resolve, reject) {
      timer = window.setTimeout(function () {
        var error = new Error(step);
        error.step = step;
        reject(error);
      }, seconds * 1000);
    });
    return Promise.race([promise, late]).finally(function () { window.clearTimeout(timer); });
  }

  function reasonOf(error) {
    return [error && error.name, error && error.message].filter(Boolean).join(": ");
  }

  function registration(seconds) {
    if (!navigator.serviceWorker) return Promise.resolve(null);
    return within(seconds, navigator.serviceWorker.ready, "worker").catch(function () {
      return null;
    });
  }

  function replaceDevices(html) {
    var devices = document.getElementById("devices");
    if (!devices) return;
    if (window.htmx) {
      window.htmx.swap(devices, html, { swapStyle: "outerHTML" });
    } else {
      window.location.reload();
    }
  }

  async function subscribe(panel, seconds) {
    var ready = await registration(seconds);
    if (!ready || !ready.pushManager) { say(panel, "no-worker"); return null; }
    say(panel, "subscribing");
    try {
      return await within(seconds, ready.pushManager.getSubscription().then(function (found) {
        return found || ready.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(panel.getAttribute("data-vapid-key")),
        });
      }), "subscribe");
    } catch (error) {
      if (error && error.step === "subscribe") say(panel, "subscribe-timeout");
      else sayWhy(panel, "subscribe-failed", reasonOf(error));
      return null;
    }
  }

  async function save(panel, subscription, seconds) {
    var label = panel.querySelector("#device-label");
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && window.setTimeout(function () { controller.abort(); }, seconds * 1000);
    say(panel, "saving");
    try {
      var response = await fetch(panel.getAttribute("data-subscribe-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "x-csrftoken": csrfToken() },
        body: JSON.stringify({ subscription: subscription.toJSON(), label: label ? label.value : "" }),
        signal: controller ? controller.signal : undefined,
      });
      var html = await response.text();
      if (!response.ok) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        sayWhy(panel, "refused", holder.textContent.trim() || String(response.status));
        return false;
      }
      replaceDevices(html);
      return true;
    } catch (error) {
      say(panel, "unreachable");
      return false;
    } finally {
      if (timer) window.clearTimeout(timer);
    }
  }

  async function turnOn(panel, button) {
    var seconds = Number(panel.getAttribute("data-wait-seconds")) || 20;
    button.disabled = true;
    say(panel, "asking");
    try {
      var permission;
      try {
        permission = await within(3 * seconds, Notification.requestPermission(), "permission");
      } catch (error) {
        say(panel, "permission-timeout");
        return;
      }
      if (permission === "denied") { say(panel, "", ""); show(panel, "denied"); return; }
      if (permission !== "granted") { say(panel, "dismissed"); return; }
      var subscription = await subscribe(panel, seconds);
      if (!subscription) return;
      if (!await save(panel, subscription, seconds)) return;
      show(panel, "on");
      say(panel, "done");
    } catch (error) {
      sayWhy(panel, "failed", reasonOf(error));
    } finally {
      button.disabled = false;
    }
  }

  async function prepare(panel) {
    if (panel.hasAttribute("data-push-ready")) return;
    panel.setAttribute("data-push-ready", "");
    var pushable = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
    if (!pushable) {
      show(panel, isAppleMobile() && !isStandalone() ? "install" : "unsupported");
      return;
    }
    if (Notification.permission === "denied") { show(panel, "denied"); return; }
    var label = panel.querySelector("#device-label");
    if (label && !label.value) label.value = deviceLabel();
    var button = panel.querySelector("[data-push-enable]");
    button.addEventListener("click", function () { turnOn(panel, button); });
    show(panel, "ready");
    if (Notification.permission === "granted" && navigator.serviceWorker.getRegistration) {
      var existing = await navigator.serviceWorker.getRegistration();
      var subscription = existing && existing.pushManager && await existing.pushManager.getSubscription();
      if (subscription) show(panel, "on");
    }
  }

  function init(root) {
    (root || document).querySelectorAll("[data-push-panel]").forEach(function (panel) {
      prepare(panel).catch(function () { show(panel, "unsupported"); });
    });
  }

  window.hubPush = { init: init };
  document.addEventListener("htmx:load", function (event) { init(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
