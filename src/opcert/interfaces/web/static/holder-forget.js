// The holder login page: whoever logs in next on this phone must not find the previous holder's
// kept QR pages. Empty the QR cache and remove its service worker (logout does the same by
// Clear-Site-Data; this covers a session that simply ran out).
(function () {
  "use strict";
  if ("caches" in window) caches.delete("opcert-holder-qr").catch(function () {});
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.getRegistrations().then(function (registrations) {
      registrations.forEach(function (registration) {
        if (new URL(registration.scope).pathname === "/holder/") registration.unregister();
      });
    }).catch(function () {});
  }
})();
