// The sign-up page's only script. The server renders every state of the onboarding; this script
// polls GET /api/onboardings/{id}, and when the state changed it fetches the page again and swaps
// its content in place (no full reload, focus moves to the new heading). It also sends the
// organization choice to the JSON API with the CSRF header and shows a refusal next to the form.
(function () {
  'use strict';

  var root = function () { return document.getElementById('signup'); };
  if (!root()) { return; }
  var onboarding = root().dataset.onboarding;
  var timer = null;
  var busy = false;
  // Looks that found nothing new in a row: each waits half again as long as the one before, up
  // to ten times the page's own interval and at most 30 s, and never stops (AWS may take hours).
  var unchanged = 0;

  function keyOf(step, outcome, subscription, message) {
    return [step || '', outcome || '', subscription || '', message || ''].join('|');
  }

  function pageKey() {
    var d = root().dataset;
    return keyOf(d.step, d.outcome, d.subscription, d.message);
  }

  function viewKey(view) {
    return keyOf(view.step, view.outcome, view.subscription && view.subscription.status, view.message);
  }

  function schedule(ms) {
    clearTimeout(timer);
    var base = Number(root().dataset.poll || 0);
    var wait = ms !== undefined ? ms
      : Math.min(base * Math.pow(1.5, unchanged), Math.min(30000, base * 10));
    if (wait > 0) { timer = setTimeout(poll, wait); }
  }

  async function poll() {
    if (busy) { schedule(); return; }
    if (document.hidden) { schedule(); return; }
    try {
      var res = await fetch('/api/onboardings/' + encodeURIComponent(onboarding), {
        credentials: 'same-origin', cache: 'no-store', headers: {Accept: 'application/json'}
      });
      if (res.status === 404) { location.reload(); return; }
      if (res.ok && viewKey(await res.json()) !== pageKey()) { await refresh(); return; }
    } catch (offline) {
      // The network or the api is away for a moment: look again later.
    }
    unchanged++;
    schedule();
  }

  // Fetches the page as the server renders it now and puts its content in place of ours.
  async function refresh() {
    try {
      var res = await fetch(location.pathname, {
        credentials: 'same-origin', cache: 'no-store', headers: {Accept: 'text/html'}
      });
      var doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      var next = doc.getElementById('signup');
      if (!next) { schedule(3000); return; }
      root().replaceWith(document.adoptNode(next));
      unchanged = 0;
      document.title = doc.title;
      var heading = root().querySelector('h1');
      if (heading) { heading.focus(); }
    } catch (failed) {
      schedule(3000);
      return;
    }
    schedule();
  }

  function showError(form, message, field) {
    var error = document.getElementById('connect-error');
    error.textContent = message;
    form.querySelectorAll('[aria-invalid]').forEach(function (el) { el.removeAttribute('aria-invalid'); });
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    }
  }

  async function connect(form) {
    var picked = form.querySelector('input[name=choice]:checked');
    var name = form.elements.newName;
    if (!picked) { showError(form, 'Choose an organization, or create a new one.'); return; }
    var body;
    if (picked.value === 'new') {
      if (!name.value.trim()) { showError(form, 'Enter a name for the new organization.', name); return; }
      body = {newOrganizationName: name.value};
    } else {
      body = {organizationId: picked.value};
    }
    var button = form.querySelector('button[type=submit]');
    var label = button.textContent;
    showError(form, '');
    busy = true;
    button.disabled = true;
    button.textContent = 'Connecting\u2026';
    form.setAttribute('aria-busy', 'true');
    var message = 'Something went wrong; please try again.';
    var field = null;
    try {
      var res = await fetch('/api/onboardings/' + encodeURIComponent(onboarding) + '/connect', {
        method: 'POST', credentials: 'same-origin', cache: 'no-store',
        headers: {'Content-Type': 'application/json', 'X-CSRF-Token': form.dataset.csrf},
        body: JSON.stringify(body)
      });
      if (res.status === 200 || res.status === 202) {
        busy = false;
        await refresh();
        return;
      }
      if (res.status === 404) { location.reload(); return; }
      if (res.status === 403) {
        message = 'This page has expired. Reload it and try again.';
      } else {
        try {
          var json = await res.json();
          if (json && typeof json.message === 'string') { message = json.message; }
        } catch (notJson) {
          // Keep the general message.
        }
        if (res.status === 422 && picked.value === 'new') { field = name; }
      }
    } catch (offline) {
      message = 'We could not reach the server. Check your connection and try again.';
    }
    busy = false;
    button.disabled = false;
    button.textContent = label;
    form.removeAttribute('aria-busy');
    showError(form, message, field);
  }

  document.addEventListener('submit', function (event) {
    if (event.target.id !== 'connect') { return; }
    event.preventDefault();
    if (!busy) { connect(event.target); }
  });

  // Typing a name means "create a new organization".
  document.addEventListener('input', function (event) {
    if (event.target.id === 'new-name' && event.target.value) {
      var radio = document.getElementById('choice-new');
      if (radio) { radio.checked = true; }
    }
  });

  // "Use another sign-in method" links open the section they point to.
  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[href="#switch-method"]');
    var details = link && document.getElementById('switch-method');
    if (details) { details.open = true; }
  });

  // Coming back with the back button may show a stale copy: look at once.
  window.addEventListener('pageshow', function (event) { if (event.persisted) { poll(); } });
  document.addEventListener('visibilitychange', function () { if (!document.hidden) { poll(); } });

  schedule();
})();
