// The holder's QR page: 全屏显示 (Fullscreen API), the screen kept on (Screen Wake Lock, taken
// again when the page comes back into view), and a copy kept for offline use by the service
// worker /holder/qr-sw.js. Every feature is detected first: where one is missing, its control
// stays hidden and nothing fails. The QR itself is inline SVG in the page: no further fetch.
(function () {
  "use strict";
  var card = document.getElementById("qr-card");
  var button = document.getElementById("qr-fullscreen");
  var awake = document.getElementById("qr-awake");
  if (!card) return;

  // -- full screen -----------------------------------------------------------------------
  if (button && document.fullscreenEnabled && card.requestFullscreen) {
    button.hidden = false;
    button.addEventListener("click", function () {
      card.requestFullscreen({ navigationUI: "hide" }).catch(function () {});
    });
    card.addEventListener("click", function () {
      if (document.fullscreenElement === card) document.exitFullscreen().catch(function () {});
    });
  }

  // -- screen wake lock ------------------------------------------------------------------
  var lock = null;
  function keepAwake() {
    if (!("wakeLock" in navigator) || document.visibilityState !== "visible") return;
    if (lock && !lock.released) return;
    navigator.wakeLock.request("screen").then(function (sentinel) {
      lock = sentinel;
      window.opcertWakeLock = sentinel;
      if (awake) awake.hidden = false;
      sentinel.addEventListener("release", function () { if (awake) awake.hidden = true; });
    }).catch(function () { /* refused (battery saver, policy): the page works without it */ });
  }
  document.addEventListener("visibilitychange", keepAwake);
  keepAwake();

  // -- offline copy ----------------------------------------------------------------------
  if ("serviceWorker" in navigator && "caches" in window) {
    navigator.serviceWorker.register("/holder/qr-sw.js", { scope: "/holder/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      // This very page, fetched again with the session cookie into the worker's cache.
      return caches.open("opcert-holder-qr").then(function (cache) {
        return Promise.all([cache.add(location.pathname), cache.add("/static/web/site.css"), cache.add("/static/web/holder-qr.js")]);
      });
    }).then(function () {
      var note = document.getElementById("qr-offline-note");
      if (note) note.hidden = false;
      document.documentElement.setAttribute("data-offline-ready", "1");
    }).catch(function () {});
  }
})();
