package support

// The call import reads its CSV or XLSX file through internal/tabular, as
// the registry does (header row, rows numbered as a spreadsheet shows them,
// errors naming row and column).

import (
	"context"
	"io"

	"github.com/pilotpulse/pilotpulse/internal/tabular"
)

// Import limits.
const (
	MaxImportBytes = 10 << 20
	MaxImportRows  = 50_000
)

// ImportError is one problem in an import file; see package tabular.
type ImportError = tabular.ImportError

// ImportErrors is every problem of one file, by row.
type ImportErrors = tabular.ImportErrors

// readTable reads a .csv or .xlsx call log and checks its header; aliases
// maps other accepted header names to column names. XLSX cells are read raw
// (a date cell is its serial number; see parseImportTime).
func readTable(ctx context.Context, r io.Reader, filename string, accepted, required []string, aliases map[string]string, maxCell int) (*tabular.Table, error) {
	return tabular.Read(ctx, r, filename, tabular.Spec{Accepted: accepted, Required: required, Aliases: aliases,
		MaxBytes: MaxImportBytes, MaxRows: MaxImportRows, MaxCell: maxCell, RawXLSX: true})
}
