// Package spreadsheet holds the one rule for text from users in spreadsheet
// cells (workbooks and CSV), used by every download: the reports, the
// survey's invitation lists, the legal-notice CSV.
package spreadsheet

import "strings"

// A cell whose text comes from users (names, free text, call notes) and
// starts with = + - @, a tab or a carriage return could be read as a formula
// by Excel or LibreOffice ("formula injection"). In a workbook such text is
// always written as a string cell, never as a formula, so it is shown as
// text (Book does this for every text value). A CSV file has no cell types:
// there the text gets a leading apostrophe, which the programs show as text
// (CSVText).

// Risky says whether s, as a cell's text, could be read as a formula.
func Risky(s string) bool {
	return s != "" && strings.ContainsAny(s[:1], "=+-@\t\r")
}

// CSVText is s as a CSV cell: a risky text gets a leading apostrophe.
func CSVText(s string) string {
	if Risky(s) {
		return "'" + s
	}
	return s
}
