package web

import (
	"math"
	"strconv"
	"strings"
)

// The numbers a page shows are written in the reader's language: Danish
// groups thousands with a point and writes a decimal comma (1.234 and
// 8,5 %), English the other way round (1,234 and 8.5%). Pages use
// PageData.Number and PageData.Percent; code that writes numbers for a
// language it knows uses FormatCount, FormatNumber and FormatPercent.

// separators returns the thousands separator and decimal mark of lang.
func separators(lang string) (group, point string) {
	if lang == "en" {
		return ",", "."
	}
	return ".", ","
}

// grouped writes a string of digits with the separator every three digits.
func grouped(digits, sep string) string {
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FormatCount writes a whole number: 1.234.567 (da), 1,234,567 (en).
func FormatCount(lang string, n int64) string {
	group, _ := separators(lang)
	if n < 0 {
		return "-" + grouped(strconv.FormatUint(uint64(-n), 10), group)
	}
	return grouped(strconv.FormatInt(n, 10), group)
}

// FormatNumber writes v rounded to decimals places: 1.234,5 (da), 1,234.5 (en).
func FormatNumber(lang string, v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	group, point := separators(lang)
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	out := grouped(whole, group)
	if frac != "" {
		out += point + frac
	}
	if v < 0 && strings.Trim(s, "0.") != "" { // no "-0,0"
		out = "-" + out
	}
	return out
}

// FormatPercent writes a percentage (8.5 means 8.5 %) rounded to decimals
// places: 8,5 % (da), 8.5% (en).
func FormatPercent(lang string, pct float64, decimals int) string {
	s := FormatNumber(lang, pct, decimals)
	if s == "" {
		return ""
	}
	if lang == "en" {
		return s + "%"
	}
	return s + " %"
}

// Number writes a count or measure in the page's language: whole numbers
// as they are, fractions with one decimal; a nil pointer is empty.
func (p PageData) Number(v any) string {
	switch n := v.(type) {
	case int:
		return FormatCount(p.Lang, int64(n))
	case int64:
		return FormatCount(p.Lang, n)
	case *int64:
		if n == nil {
			return ""
		}
		return FormatCount(p.Lang, *n)
	case uint64:
		group, _ := separators(p.Lang)
		return grouped(strconv.FormatUint(n, 10), group)
	case float64:
		return FormatNumber(p.Lang, n, 1)
	}
	return ""
}

// Percent writes a percentage (8.5 means 8.5 %) with one decimal in the
// page's language; a nil pointer is empty.
func (p PageData) Percent(pct any) string {
	switch v := pct.(type) {
	case float64:
		return FormatPercent(p.Lang, v, 1)
	case *float64:
		if v != nil {
			return FormatPercent(p.Lang, *v, 1)
		}
	}
	return ""
}
