// 重新发送: disable the button and count down the seconds the server gave (data-wait). The
// server enforces the interval; without this script the button stays usable and an early
// press is refused with the seconds left.
(function () {
  "use strict";
  var button = document.getElementById("resend-button");
  var label = document.getElementById("resend-countdown");
  if (!button || !label) return;
  var template = label.getAttribute("data-template") || "{n}";
  var until = Date.now() + (parseInt(button.getAttribute("data-wait"), 10) || 0) * 1000;
  function tick() {
    var left = Math.ceil((until - Date.now()) / 1000);
    if (left > 0) {
      button.disabled = true;
      label.textContent = template.replace("{n}", String(left));
      window.setTimeout(tick, 250);
    } else {
      button.disabled = false;
      label.textContent = "";
    }
  }
  tick();
})();
