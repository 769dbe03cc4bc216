// Progressive enhancement of the respondent form: hide questions whose
// condition does not hold ("show B only if A = yes"). Without JavaScript
// every question shows, with a note saying when to answer it; the server
// ignores answers to questions whose condition does not hold.
(function () {
  "use strict";
  var form = document.querySelector("form.survey-form");
  if (!form) { return; }
  var questions = Array.prototype.slice.call(form.querySelectorAll("[data-key]"));
  function chosen(key) {
    var out = [];
    var inputs = form.querySelectorAll('[name="q_' + key + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if ((el.type === "radio" || el.type === "checkbox") ? el.checked : el.value.trim() !== "") {
        out.push(el.value.trim());
      }
    }
    return out;
  }
  function update() {
    var shown = {};
    questions.forEach(function (q) {
      var key = q.getAttribute("data-key");
      var dep = q.getAttribute("data-show-if");
      var visible = true;
      if (dep) {
        visible = shown[dep] === true && chosen(dep).indexOf(q.getAttribute("data-equals")) >= 0;
      }
      shown[key] = visible;
      q.hidden = !visible;
      var note = q.querySelector(".condition");
      if (note) { note.hidden = true; }
    });
  }
  form.addEventListener("change", update);
  update();
})();
