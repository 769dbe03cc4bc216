// Draws the charts of a page with ECharts (load /static/echarts-*.min.js
// before this file). A chart is an element with data-chart-options naming
// the <script type="application/json"> that holds its ECharts options, as
// the server wrote them; data-unit="percent" marks values in percent. The
// numbers on the axis and in the tooltip are written in the page's language.
// Nothing here builds HTML, and the tooltip is drawn on the canvas.
(function () {
	"use strict";
	if (typeof echarts === "undefined") {
		return;
	}
	var root = document.documentElement;
	var locale = root.lang === "en" ? "en" : "da";
	var count = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
	var percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
	var formatters = {
		count: function (v) { return typeof v === "number" ? count.format(v) : ""; },
		percent: function (v) { return typeof v === "number" ? percent.format(v / 100) : ""; }
	};

	function asList(v) {
		return Array.isArray(v) ? v : (v ? [v] : []);
	}

	// Shown from here on: the CSS hides the chart boxes of a page without
	// this class (no JavaScript) and shows their tables instead.
	root.classList.add("charts-on");

	var drawn = [];
	document.querySelectorAll("[data-chart-options]").forEach(function (el) {
		var source = document.getElementById(el.getAttribute("data-chart-options"));
		if (!source) {
			return;
		}
		var options = JSON.parse(source.textContent);
		var format = formatters[el.getAttribute("data-unit")] || formatters.count;
		asList(options.yAxis).forEach(function (axis) {
			axis.axisLabel = Object.assign({}, axis.axisLabel, { formatter: format });
		});
		// The tooltip is drawn on the canvas (richText), not as HTML: ECharts'
		// HTML tooltip writes style attributes, which the CSP (style-src
		// 'self') blocks, and no name becomes markup.
		options.tooltip = Object.assign({}, options.tooltip, { valueFormatter: format, renderMode: "richText", confine: true });
		var chart = echarts.init(el);
		chart.setOption(options);
		drawn.push(chart);
	});

	function resize() {
		drawn.forEach(function (chart) { chart.resize(); });
	}
	window.addEventListener("resize", resize);
	// A chart hidden behind its table has the old size when it comes back.
	document.addEventListener("toggle", resize, true);
})();
