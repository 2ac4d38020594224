// The browser's time zone, for the server to show times in: kept in the "tz"
// cookie (web/pages/timezone.py checks it against the tz database).  On the first
// visit the page was drawn in UTC, so a page fetched by GET is drawn again, once.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone) {
    return;
  }
  var found = document.cookie.match(/(?:^|;\s*)tz=([^;]*)/);
  if (found && decodeURIComponent(found[1]) === zone) {
    return;
  }
  document.cookie =
    "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax" +
    (location.protocol === "https:" ? "; secure" : "");
  var shown = document.querySelector('meta[name="time-zone"]');
  if (!found && shown && shown.hasAttribute("data-redraw") && shown.content !== zone) {
    location.reload();
  }
})();
