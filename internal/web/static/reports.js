// The report job page (/reports/jobs/ID): polls the job's JSON status
// (data-job-status) every second and moves the <progress> bar; once the
// job is done or failed it reloads the page, which then offers the
// download (or says why it failed). Without JavaScript the page refreshes
// itself instead (<noscript><meta http-equiv="refresh">). Loaded with
// <script src> only (CSP script-src 'self').
(function () {
  'use strict';
  var section = document.querySelector('[data-job-status]');
  if (!section || !window.fetch) {
    return;
  }
  var state = section.getAttribute('data-state');
  if (state === 'done' || state === 'failed') {
    return;
  }
  var bar = section.querySelector('progress');
  var rows = section.querySelector('[data-rows-text]');
  var texts = document.getElementById('job-texts');
  var word = texts ? texts.getAttribute('data-rows-word') : '';
  var format = new Intl.NumberFormat(texts && texts.getAttribute('data-lang') === 'en' ? 'en-GB' : 'da-DK');
  function show(s) {
    bar.value = s.percent;
    bar.textContent = s.percent + ' %';
    var text = format.format(s.rows_written);
    if (s.rows_total !== null && s.rows_total !== undefined) {
      text += ' / ' + format.format(s.rows_total);
    }
    rows.textContent = text + ' ' + word;
    section.setAttribute('data-percent', String(s.percent));
  }
  function poll() {
    fetch(section.getAttribute('data-job-status'), { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) {
        if (!r.ok) {
          throw new Error('status ' + r.status);
        }
        return r.json();
      })
      .then(function (s) {
        show(s);
        if (s.state === 'done' || s.state === 'failed') {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 3000);
      });
  }
  window.setTimeout(poll, 500);
})();
