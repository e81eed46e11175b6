// Service worker of the offline verifier (/verify). It keeps the page and its scripts so that
// /verify opens with no network, and answers for nothing else: every other request of the site
// (forms, personal pages, the lists, which the page keeps itself) goes to the network untouched.
// It never fetches "/verify?lang=..." itself: that would switch the user's language (a cookie).
"use strict";
const SHELL_CACHE = "opcert-verify-shell-v2";
const SHELL = [
  "/verify",
  "/verify.webmanifest",
  "/static/web/site.css",
  "/static/web/favicon.svg",
  "/static/web/offline/app.js",
  "/static/web/offline/verifier.js",
  "/static/web/offline/codec.js",
  "/static/web/offline/tlog.js",
  "/static/web/vendor/cborg.js",
  "/static/web/vendor/noble-ed25519.js",
  "/static/web/vendor/jsQR.js",
  "/static/web/scan.js",
];
const PATHS = new Set(SHELL.map((url) => url.split("?")[0]));

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("opcert-verify-shell-") && n !== SHELL_CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || !PATHS.has(url.pathname)) {
    return; // not ours: the browser fetches it as if there were no service worker
  }
  // Network first (a fresh page and scripts when online), the kept copy when offline.
  event.respondWith(
    fetch(event.request).then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(SHELL_CACHE).then((cache) => cache.put(event.request, copy));
      }
      return response;
    }).catch(() => caches.open(SHELL_CACHE).then((cache) =>
      cache.match(event.request).then((hit) => hit || cache.match(event.request, { ignoreSearch: true }))
    ).then((hit) => hit || Response.error()))
  );
});
