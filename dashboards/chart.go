package dashboards

import (
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// A dashboard page shows each of its charts next to the table of the same
// numbers. The template dashboards_chart (templates/_dashboards_chart.html)
// writes both: the chart's ECharts options as JSON in a
// <script type="application/json"> (html/template escapes it there, so
// "</script>" in a name cannot end the element) for /static/charts.js to
// draw, a <details> switch between chart and table that needs no
// JavaScript, and the table, which screen readers always find. go-echarts
// builds the options; its own Render output (an inline script, unescaped)
// is never used. A page using charts includes dashboards_chart_scripts once.

// ChartKind is how a WeekChart draws its series.
type ChartKind int

// The kinds of chart.
const (
	BarChart ChartKind = iota
	LineChart
)

// Unit is what a chart's values are.
type Unit string

// The units: counts, percentages (8.5 means 8.5 %), or scores such as a
// mean rating (one decimal).
const (
	Count   Unit = "count"
	Percent Unit = "percent"
	Score   Unit = "score"
)

// Series is one named line or set of bars: a value per week of its chart.
type Series struct {
	Name   string
	Values []float64
}

// WeekChart is a chart of figures per ISO week with the table of its numbers.
type WeekChart struct {
	// ID names the chart's elements; unique on the page.
	ID string
	// Title is the chart's heading, already translated.
	Title string
	Kind  ChartKind
	// Stacked charts add their series up; their table gets a total column.
	Stacked bool
	Unit    Unit
	// Weeks are the x axis (2012-W46); each series has a value per week.
	Weeks  []string
	Series []Series
}

// ChartRow is one week of a chart's table.
type ChartRow struct {
	Week   string
	Values []float64
	Total  float64
}

// Empty reports whether there is nothing to draw: no week, no series, or
// no value other than zero.
func (c WeekChart) Empty() bool {
	for _, s := range c.Series {
		for _, v := range s.Values {
			if v != 0 {
				return false
			}
		}
	}
	return true
}

// Rows are the chart's numbers as table rows, a week each.
func (c WeekChart) Rows() []ChartRow {
	rows := make([]ChartRow, len(c.Weeks))
	for i, w := range c.Weeks {
		rows[i] = ChartRow{Week: w, Values: make([]float64, len(c.Series))}
		for j, s := range c.Series {
			if i < len(s.Values) {
				rows[i].Values[j] = s.Values[i]
				rows[i].Total += s.Values[i]
			}
		}
	}
	return rows
}

// Cell writes one of the chart's numbers in the language, as its unit says.
func (c WeekChart) Cell(lang string, v float64) string {
	switch c.Unit {
	case Percent:
		return web.FormatPercent(lang, v, 1)
	case Score:
		return web.FormatNumber(lang, v, 1)
	}
	return web.FormatNumber(lang, v, 0)
}

// Options are the chart's ECharts options, built by go-echarts, for
// json.Marshal (html/template does it, escaping <, > and &).
func (c WeekChart) Options() map[string]any {
	global := []charts.GlobalOpts{
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "scroll", Bottom: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "16", Bottom: "40", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value"}),
		charts.WithAnimation(false),
	}
	stack := ""
	if c.Stacked {
		stack = "total"
	}
	if c.Kind == LineChart {
		chart := charts.NewLine()
		chart.SetGlobalOptions(global...)
		chart.SetXAxis(c.Weeks)
		series := []charts.SeriesOpts{charts.WithLineChartOpts(opts.LineChart{Stack: stack})}
		if c.Stacked {
			series = append(series, charts.WithAreaStyleOpts(opts.AreaStyle{Opacity: opts.Float(0.3)}))
		}
		for _, s := range c.Series {
			chart.AddSeries(s.Name, points(s.Values, func(v float64) opts.LineData { return opts.LineData{Value: v} }), series...)
		}
		chart.Validate()
		return chart.JSON()
	}
	chart := charts.NewBar()
	chart.SetGlobalOptions(global...)
	chart.SetXAxis(c.Weeks)
	for _, s := range c.Series {
		chart.AddSeries(s.Name, points(s.Values, func(v float64) opts.BarData { return opts.BarData{Value: v} }), charts.WithBarChartOpts(opts.BarChart{Stack: stack}))
	}
	chart.Validate()
	return chart.JSON()
}

// points are a series' values as go-echarts data points of one kind.
func points[P any](values []float64, point func(float64) P) []P {
	out := make([]P, len(values))
	for i, v := range values {
		out[i] = point(v)
	}
	return out
}

// chartPage is embedded in the view of a page with charts.
type chartPage struct{}

// EChartsScript is the URL of ECharts, for dashboards_chart_scripts.
func (chartPage) EChartsScript() string { return web.EChartsScript }

// weekNames are the ISO weeks of r (2012-W46), the x axis of its charts.
func weekNames(r week.Range) []string {
	weeks := r.Weeks()
	names := make([]string, len(weeks))
	for i, w := range weeks {
		names[i] = w.String()
	}
	return names
}
