// Camera scanning and photo reading with the locally served jsQR decoder, which loads only when
// the camera opens or a photo is chosen. The decoded text goes to the paste form: verified in
// the page when the offline verifier is ready (offline/app.js), else posted to /verify.
(function () {
  "use strict";
  var start = document.getElementById("scan-start");
  var stop = document.getElementById("scan-stop");
  var video = document.getElementById("scan-video");
  var canvas = document.getElementById("scan-canvas");
  var status = document.getElementById("scan-status");
  var form = document.getElementById("paste-form");
  var photo = document.getElementById("f-photo");
  var stream = null;
  var decoder = null;
  if (!start) { return; }
  function say(key) { status.textContent = status.getAttribute("data-" + key); }
  function loadDecoder() {
    if (!decoder) {
      decoder = new Promise(function (resolve, reject) {
        if (window.jsQR) { resolve(window.jsQR); return; }
        var script = document.createElement("script");
        script.src = "/static/web/vendor/jsQR.js";
        script.onload = function () { resolve(window.jsQR); };
        script.onerror = function () { decoder = null; reject(new Error("jsQR")); };
        document.head.appendChild(script);
      });
    }
    return decoder;
  }
  function found(data) {
    form.elements.payload.value = data;
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }
  function halt() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null; video.hidden = true; stop.hidden = true; start.hidden = false;
  }
  function tick() {
    if (!stream) { return; }
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      canvas.width = video.videoWidth; canvas.height = video.videoHeight;
      var g = canvas.getContext("2d");
      g.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = g.getImageData(0, 0, canvas.width, canvas.height);
      var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (code && code.data) { say("found"); halt(); found(code.data); return; }
    }
    window.requestAnimationFrame(tick);
  }
  start.addEventListener("click", function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { say("no-camera"); return; }
    Promise.all([loadDecoder(), navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } })]).then(function (got) {
      stream = got[1]; video.srcObject = stream; video.hidden = false; stop.hidden = false; start.hidden = true;
      video.play(); say("scanning"); window.requestAnimationFrame(tick);
    }).catch(function () { say("no-camera"); });
  });
  stop.addEventListener("click", halt);
  // A chosen photo is read here too: its QR text fills the paste form and is verified in the page
  // (offline/app.js) when that is ready. The photo form still uploads it (the server reads PDFs).
  if (photo && window.createImageBitmap) {
    photo.addEventListener("change", function () {
      var file = photo.files && photo.files[0];
      if (!file) { return; }
      Promise.all([loadDecoder(), window.createImageBitmap(file)]).then(function (got) {
        canvas.width = got[1].width; canvas.height = got[1].height;
        var g = canvas.getContext("2d");
        g.drawImage(got[1], 0, 0);
        var image = g.getImageData(0, 0, canvas.width, canvas.height);
        var code = got[0](image.data, image.width, image.height);
        if (code && code.data) {
          say("found");
          form.elements.payload.value = code.data;
          document.dispatchEvent(new CustomEvent("opcert:photo-read", { detail: code.data }));
        }
      }).catch(function () { /* not an image the browser reads: the upload still works */ });
    });
  }
})();
