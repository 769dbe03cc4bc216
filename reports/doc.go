// Package reports writes the spreadsheets and CSV files Pilotpulse hands out:
// the weekly pilot workbook, the authority volume report, the legal-notice
// list and the raw exports. Every file follows the conventions of Book
// (book.go): a frozen header row, column widths fitted to the content,
// counts, decimals and percentages as real numbers with number formats (never
// text), and text from users written so that no spreadsheet program
// evaluates it (cell.go). The figures come from the same functions as the
// dashboards, with the same scoping.
package reports
