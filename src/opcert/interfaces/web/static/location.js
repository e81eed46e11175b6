// "Use my location": fills latitude and longitude from the browser, then submits the filter.
(function () {
  "use strict";
  var button = document.getElementById("use-location");
  if (!button || !navigator.geolocation) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (p) {
      document.getElementById("f-lat").value = p.coords.latitude.toFixed(4);
      document.getElementById("f-lon").value = p.coords.longitude.toFixed(4);
      document.getElementById("f-place").value = "";
      button.form.submit();
    });
  });
})();
