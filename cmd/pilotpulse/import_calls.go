package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/support"
)

// runImportCalls imports support-call logs (CSV or XLSX). Each file is
// stored whole or not at all; a call imported before is skipped; the
// command fails if any file was rejected.
func runImportCalls(ctx context.Context, c *cmdContext) error {
	if len(c.args) == 0 {
		return usageError{"import calls needs at least one FILE"}
	}
	a, err := openAppDB(ctx, c)
	if err != nil {
		return err
	}
	defer a.Close()
	st := support.NewStore(a.DB)
	var failed []string
	for _, path := range c.args {
		res, err := importCallsFile(ctx, st, path)
		if err != nil {
			var ie support.ImportErrors
			if errors.As(err, &ie) {
				for _, e := range ie {
					fmt.Fprintln(c.stderr, e.Error())
				}
			} else {
				fmt.Fprintf(c.stderr, "%s: %v\n", path, err)
			}
			failed = append(failed, path)
			continue
		}
		a.Audit.Record(ctx, audit.Entry{Actor: "cli", Action: audit.Import, Target: "support calls " + filepath.Base(path),
			Detail: fmt.Sprintf("created=%d skipped=%d", res.Created, res.Skipped)})
		fmt.Fprintf(c.stdout, "%s: %d calls created, %d already imported\n", path, res.Created, res.Skipped)
	}
	if len(failed) > 0 {
		return fmt.Errorf("nothing imported from %d of %d files (errors above): %v", len(failed), len(c.args), failed)
	}
	return nil
}

func importCallsFile(ctx context.Context, st *support.Store, path string) (support.ImportResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return support.ImportResult{}, err
	}
	defer f.Close()
	return st.ImportCalls(ctx, f, filepath.Base(path), "cli")
}
