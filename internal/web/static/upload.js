// Upload forms with a progress bar: a form marked data-upload-progress="N"
// sends a file of N bytes or more with XMLHttpRequest, so that its
// <progress> shows how much has been sent; the answer (the result page)
// then replaces the page. Without JavaScript (or for a small file) the form
// posts as usual. Loaded with <script src> only (CSP script-src 'self').
(function () {
  'use strict';
  function show(form, bar, status, loaded, total) {
    bar.hidden = false;
    bar.max = total;
    bar.value = loaded;
    if (status) {
      status.hidden = false;
      status.textContent = Math.floor(loaded * 100 / total) + ' %';
    }
  }
  function bind(form) {
    form.addEventListener('submit', function (ev) {
      var input = form.querySelector('input[type=file]');
      var bar = form.querySelector('progress');
      var status = form.querySelector('.upload-status');
      var min = Number(form.getAttribute('data-upload-progress')) || 0;
      if (!input || !input.files || !input.files.length || !bar || !window.FormData) {
        return;
      }
      if (input.files[0].size < min) {
        return;
      }
      ev.preventDefault();
      var data = new FormData(form);
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.upload.addEventListener('progress', function (e) {
        if (e.lengthComputable) {
          show(form, bar, status, e.loaded, e.total);
        }
      });
      xhr.upload.addEventListener('load', function () {
        form.setAttribute('data-upload-state', 'sent');
      });
      xhr.addEventListener('load', function () {
        form.setAttribute('data-upload-state', 'done');
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener('error', function () {
        // The connection broke: post the form the ordinary way.
        form.setAttribute('data-upload-state', 'error');
        form.submit();
      });
      Array.prototype.forEach.call(form.querySelectorAll('button'), function (b) { b.disabled = true; });
      form.setAttribute('data-upload-state', 'sending');
      show(form, bar, status, 0, input.files[0].size || 1);
      xhr.send(data);
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll('form[data-upload-progress]'), bind);
})();
