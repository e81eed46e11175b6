// Camera scanning with the locally served jsQR decoder; the decoded text is posted to /verify.
(function () {
  "use strict";
  var start = document.getElementById("scan-start");
  var stop = document.getElementById("scan-stop");
  var video = document.getElementById("scan-video");
  var canvas = document.getElementById("scan-canvas");
  var status = document.getElementById("scan-status");
  var form = document.getElementById("paste-form");
  var stream = null;
  if (!start) { return; }
  function say(key) { status.textContent = status.getAttribute("data-" + key); }
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
      if (code && code.data) {
        say("found"); halt();
        form.elements.payload.value = code.data;
        form.submit();
        return;
      }
    }
    window.requestAnimationFrame(tick);
  }
  start.addEventListener("click", function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { say("no-camera"); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
      stream = s; video.srcObject = s; video.hidden = false; stop.hidden = false; start.hidden = true;
      video.play(); say("scanning"); window.requestAnimationFrame(tick);
    }).catch(function () { say("no-camera"); });
  });
  stop.addEventListener("click", halt);
})();
