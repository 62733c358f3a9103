// For a page that waits on something outside the browser (AWS confirming a subscription, the
// service coming back): looks again every data-refresh seconds and reloads only when the page
// changed. A <meta> refresh would reload on a timer whatever happens, under the reader's eyes and
// screen reader (WCAG 2.2.1); it stays only inside <noscript>, for browsers without this script.
(function () {
  'use strict';

  var marker = document.querySelector('[data-refresh]');
  var seconds = marker ? Number(marker.dataset.refresh) : 0;
  if (!(seconds > 0)) { return; }
  var key = marker.dataset.refreshKey || '';
  // Each look that found nothing new waits half again as long, up to ten times the first wait and
  // at most 30 s; it never stops (AWS may take hours to confirm).
  var wait = seconds * 1000;
  var longest = Math.min(30000, wait * 10);

  async function look() {
    if (!document.hidden) {
      try {
        var res = await fetch(location.href, {
          credentials: 'same-origin', cache: 'no-store', headers: {Accept: 'text/html'}
        });
        var doc = new DOMParser().parseFromString(await res.text(), 'text/html');
        var next = doc.querySelector('[data-refresh]');
        if (!next || (next.dataset.refreshKey || '') !== key) { location.reload(); return; }
      } catch (offline) {
        // The network or the api is away for a moment: look again later.
      }
    }
    wait = Math.min(wait * 1.5, longest);
    setTimeout(look, wait);
  }

  setTimeout(look, wait);
})();
