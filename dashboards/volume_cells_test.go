package dashboards

import (
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/web"
)

// The ranking's number cells, written in Go: what the template's .Number
// and .Percent wrote per cell, in the head's order, each escaped.
func TestRankCells(t *testing.T) {
	share, target := 8.5, int64(1000)
	r := VolumeRank{Messages: 1234, Digital: 1000, RemotePrint: 234, MetadataShare: &share, WeeklyTarget: &target, PreviousRank: 4}
	td := func(s string) string { return `<td class="num">` + s + `</td>` }
	for lang, want := range map[string]string{
		"da": td("1.234") + td("+5 &lt;") + td("4") + td("1.000") + td("234") + td("8,5 %") + td("") + td("1.000") + td(""),
		"en": td("1,234") + td("+5 &lt;") + td("4") + td("1,000") + td("234") + td("8.5%") + td("") + td("1,000") + td(""),
	} {
		if got := string(rankCellsOf(web.PageData{Lang: lang}, r, "+5 <")); got != want {
			t.Errorf("%s:\n%s\nwant\n%s", lang, got, want)
		}
	}
}
