// Service worker of the holder's QR pages (scope /holder/). It answers only for a QR page and
// the two files it needs: network first, and the copy the page kept (holder-qr.js) when the
// network is gone. Every other request goes to the network untouched. A page the server no
// longer gives (logged out, not yours) is dropped from the copy; logout clears everything
// (Clear-Site-Data), and the login page empties the cache for the next person on the phone.
"use strict";
const CACHE = "opcert-holder-qr";
const QR_PAGE = /^\/holder\/certificates\/[^/]+\/[^/]+\/qr$/;
const FILES = new Set(["/static/web/site.css", "/static/web/holder-qr.js"]);

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!QR_PAGE.test(url.pathname) && !FILES.has(url.pathname)) return;
  event.respondWith(
    fetch(event.request).then((response) => {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => {
        if (response.ok && !response.redirected) return cache.put(url.pathname, copy);
        if (QR_PAGE.test(url.pathname)) return cache.delete(url.pathname);
        return undefined;
      });
      return response;
    }).catch(() => caches.open(CACHE)
      .then((cache) => cache.match(url.pathname))
      .then((hit) => hit || Response.error()))
  );
});
