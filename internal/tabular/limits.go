package tabular

// What keeps imports bounded in memory whoever sends the file: a cap on the
// rows, columns and cell data one Table holds, and a cap on how many files
// are read at once in the process.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/problem"
)

const (
	// maxColumns bounds the cells of one row.
	maxColumns = 1000
	// maxTableBytes bounds the cell data one Table holds, counting each
	// cell's text and 16 bytes for the cell itself: a registry of 100,000
	// companies holds about 26 MB, and a CSV file within the 10 MB limit at
	// most 25 MB.
	maxTableBytes = 48 << 20
	// MaxParallel is how many import files are read at once in the process.
	MaxParallel = 2
)

// busyWait is how long Read waits for its turn before it gives up with
// ErrBusy.
var busyWait = 10 * time.Second

// ErrBusy is returned by Read when MaxParallel other files are being read
// and none finished within a short wait (or the context ended meanwhile):
// the caller should try again shortly.
var ErrBusy = errors.New("too many imports at once; try again shortly")

// slots holds a token for each file being read.
var slots = make(chan struct{}, MaxParallel)

// acquire takes a slot, waiting at most busyWait; the caller must release it.
func acquire(ctx context.Context) error {
	select {
	case slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(busyWait)
	defer t.Stop()
	select {
	case slots <- struct{}{}:
		return nil
	case <-t.C:
		return ErrBusy
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrBusy, ctx.Err())
	}
}

func release() { <-slots }

// rowCollector gathers the non-blank rows of a file (the first is the
// header) and fails once they are more than the limits allow.
type rowCollector struct {
	filename string
	maxRows  int
	rows     []Record
	bytes    int
}

// add appends a non-blank row.
func (rc *rowCollector) add(rec Record) ImportErrors {
	if blank(rec.Cells) {
		return nil
	}
	if len(rec.Cells) > maxColumns {
		return ImportErrors{{File: rc.filename, Row: rec.Row, Message: problem.Msg("import.too_many_columns", maxColumns)}}
	}
	if len(rc.rows) > rc.maxRows {
		return FileError(rc.filename, "import.too_many_rows", rc.maxRows)
	}
	for _, c := range rec.Cells {
		rc.bytes += 16 + len(c)
	}
	if rc.bytes > maxTableBytes {
		return FileError(rc.filename, "import.too_much_data", maxTableBytes>>20)
	}
	rc.rows = append(rc.rows, rec)
	return nil
}

// checkCSVColumns fails if a row of a CSV file has more than maxColumns
// cells, before the CSV reader splits it (a line of 10 MB of delimiters
// would otherwise become 10 million cells). Rows are counted as the CSV
// reader numbers them: a line break inside quotes does not end a row.
func checkCSVColumns(data []byte, filename string, comma rune) ImportErrors {
	row, cells, quoted := 1, 1, false
	for _, b := range data {
		switch {
		case b == '"':
			quoted = !quoted
		case quoted:
		case b == '\n':
			row, cells = row+1, 1
		case rune(b) == comma:
			if cells++; cells > maxColumns {
				return ImportErrors{{File: filename, Row: row, Message: problem.Msg("import.too_many_columns", maxColumns)}}
			}
		}
	}
	return nil
}
