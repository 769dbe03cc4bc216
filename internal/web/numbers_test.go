package web

import (
	"math"
	"testing"
)

func TestNumbersInTheReadersLanguage(t *testing.T) {
	da, en := PageData{Lang: "da"}, PageData{Lang: "en"}
	target := int64(1234567)
	for _, c := range []struct{ got, want string }{
		{da.Number(1234), "1.234"}, {en.Number(1234), "1,234"},
		{da.Number(uint64(999)), "999"}, {en.Number(int64(-1000)), "-1,000"},
		{da.Number(&target), "1.234.567"}, {da.Number((*int64)(nil)), ""},
		{da.Number(uint64(math.MaxUint64)), "18.446.744.073.709.551.615"},
		{da.Number(1234.56), "1.234,6"}, {en.Number(1234.56), "1,234.6"},
		{da.Percent(8.5), "8,5 %"}, {en.Percent(8.5), "8.5%"},
		{da.Percent(66.66666), "66,7 %"}, {en.Percent(100.0), "100.0%"},
		{da.Percent((*float64)(nil)), ""},
		{FormatNumber("da", -0.04, 1), "0,0"}, {FormatNumber("en", -1234.5, 1), "-1,234.5"},
		{FormatNumber("da", math.NaN(), 1), ""}, {FormatCount("da", 0), "0"},
		{FormatPercent("en", 12345.678, 2), "12,345.68%"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
