// Copy buttons: a button with data-copy-from="ID" copies the value of the
// element ID (a read-only textarea) to the clipboard and writes the text of
// its data-copied element's data-text into that element (a live region).
// The button stays hidden without JavaScript: the text can still be
// selected by hand.
(function () {
	"use strict";
	document.querySelectorAll("[data-copy-from]").forEach(function (button) {
		var source = document.getElementById(button.getAttribute("data-copy-from"));
		var status = document.getElementById(button.getAttribute("data-copied"));
		if (!source) {
			return;
		}
		button.hidden = false;
		button.addEventListener("click", function () {
			var done = function () {
				if (status) {
					status.textContent = status.getAttribute("data-text");
				}
			};
			var fallback = function () {
				source.focus();
				source.select();
				if (document.execCommand("copy")) {
					done();
				}
			};
			if (navigator.clipboard && navigator.clipboard.writeText) {
				navigator.clipboard.writeText(source.value).then(done, fallback);
			} else {
				fallback();
			}
		});
	});
})();
