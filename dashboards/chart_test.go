package dashboards

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/week"
)

// A WeekChart's options, table rows, cells and empty state, for both kinds.
func TestWeekChart(t *testing.T) {
	c := WeekChart{ID: "c", Kind: LineChart, Stacked: true, Unit: Percent, Weeks: []string{"2012-W52", "2013-W01"},
		Series: []Series{{Name: "a", Values: []float64{8.5, 0}}, {Name: "b", Values: []float64{1, 2}}}}
	b, err := json.Marshal(c.Options())
	if err != nil {
		t.Fatal(err)
	}
	var opts struct {
		XAxis  []struct{ Data []string } `json:"xAxis"`
		Series []struct {
			Type, Stack string
			AreaStyle   map[string]any `json:"areaStyle"`
		} `json:"series"`
	}
	if err := json.Unmarshal(b, &opts); err != nil {
		t.Fatal(err)
	}
	if len(opts.Series) != 2 || opts.Series[1].Type != "line" || opts.Series[1].Stack == "" || opts.Series[1].AreaStyle == nil ||
		strings.Join(opts.XAxis[0].Data, ",") != "2012-W52,2013-W01" {
		t.Errorf("stacked line options: %s", b)
	}
	rows := c.Rows()
	if len(rows) != 2 || rows[0].Total != 9.5 || rows[1].Values[1] != 2 {
		t.Errorf("rows: %+v", rows)
	}
	if got := c.Cell("da", rows[0].Total); got != "9,5 %" {
		t.Errorf("percent cell %q", got)
	}
	c.Kind, c.Stacked, c.Unit = BarChart, false, Count
	b, _ = json.Marshal(c.Options())
	if !strings.Contains(string(b), `"type":"bar"`) || strings.Contains(string(b), `"stack"`) {
		t.Errorf("unstacked bar options: %s", b)
	}
	if got := c.Cell("en", 1234); got != "1,234" {
		t.Errorf("count cell %q", got)
	}
	if c.Empty() {
		t.Error("a chart with values is empty")
	}
	for _, s := range c.Series {
		clear(s.Values)
	}
	if !c.Empty() || !(WeekChart{}).Empty() {
		t.Error("a chart of zeros or of nothing is not empty")
	}
	// ISO weeks from the week of from to the week of to, across a year.
	got := weekNames(week.Range{From: week.Of(time.Date(2012, 12, 26, 0, 0, 0, 0, time.UTC)), To: week.Of(time.Date(2013, 1, 7, 0, 0, 0, 0, time.UTC))})
	if strings.Join(got, " ") != "2012-W52 2013-W01 2013-W02" {
		t.Errorf("weeks: %v", got)
	}
}
