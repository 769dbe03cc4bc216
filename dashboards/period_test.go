package dashboards

import (
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

func TestResolvePeriod(t *testing.T) {
	first, latest := week.MustParse("2012-W45"), week.MustParse("2012-W52")
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, week.Copenhagen)
	for _, tc := range []struct {
		name                     string
		q                        PeriodQuery
		first, latest            week.Week
		preset, from, to, pf, pt string
	}{
		{"default is the newest week with data", PeriodQuery{}, first, latest, PresetLatest, "2012-W52", "2012-W52", "2012-W51", "2012-W51"},
		{"four weeks", PeriodQuery{Preset: "4w"}, first, latest, PresetFour, "2012-W49", "2012-W52", "2012-W45", "2012-W48"},
		{"whole pilot", PeriodQuery{Preset: "pilot"}, first, latest, PresetPilot, "2012-W45", "2012-W52", "2012-W37", "2012-W44"},
		{"custom across the year", PeriodQuery{From: "2012-W52", To: "2013-01-07"}, first, latest, PresetCustom, "2012-W52", "2013-W02", "2012-W49", "2012-W51"},
		{"custom from only ends at the newest week", PeriodQuery{From: "2012-W50"}, first, latest, PresetCustom, "2012-W50", "2012-W52", "2012-W47", "2012-W49"},
		{"custom to only is one week", PeriodQuery{To: "2012-W47"}, first, latest, PresetCustom, "2012-W47", "2012-W47", "2012-W46", "2012-W46"},
		{"no data: this week", PeriodQuery{Preset: "pilot"}, week.Week{}, week.Week{}, PresetPilot, "2026-W48", "2026-W48", "2026-W47", "2026-W47"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ResolvePeriod(tc.q, tc.first, tc.latest, now)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{p.Preset, p.From.String(), p.To.String(), p.PreviousFrom.String(), p.PreviousTo.String()}
			want := []string{tc.preset, tc.from, tc.to, tc.pf, tc.pt}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("got %v, want %v", got, want)
				}
			}
			if p.Range().Len() != p.Previous().Len() {
				t.Errorf("previous period %v is not as long as %v", p.Previous(), p.Range())
			}
		})
	}
}

func TestResolvePeriodErrors(t *testing.T) {
	latest := week.MustParse("2012-W52")
	for _, tc := range []struct {
		q     PeriodQuery
		field string
	}{
		{PeriodQuery{Preset: "year"}, "period"},
		{PeriodQuery{Preset: "4w", From: "2012-W40"}, "period"},
		{PeriodQuery{From: "2012-W99"}, "from"},
		{PeriodQuery{To: "9999-12-31"}, "to"},
		{PeriodQuery{From: "2012-W50", To: "2012-W40"}, "to"},
		{PeriodQuery{From: "2005-W01", To: "2012-W40"}, "from"},
	} {
		_, err := ResolvePeriod(tc.q, latest, latest, time.Now())
		fs, ok := problem.AsFields(err)
		if !ok || len(fs) == 0 || fs[0].Field != tc.field {
			t.Errorf("%+v: got %v, want a field error on %s", tc.q, err, tc.field)
		}
	}
}
