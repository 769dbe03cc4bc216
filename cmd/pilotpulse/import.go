package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/tabular"
	"github.com/pilotpulse/pilotpulse/registry"
)

// importTables runs `import WHAT FILE…`: each CSV/XLSX file goes to load,
// which stores it whole or not at all and says what it did (for the audit
// log, whose target names label and the file, and for the user). Errors of
// a rejected file are printed by row and column; the command fails if any
// file was rejected.
func importTables(ctx context.Context, c *cmdContext, what, label string,
	load func(a *app.App, f *os.File, name string) (detail, summary string, err error)) error {
	if len(c.args) == 0 {
		return usageError{"import " + what + " needs at least one FILE"}
	}
	a, err := openAppDB(ctx, c)
	if err != nil {
		return err
	}
	defer a.Close()
	var failed []string
	for _, path := range c.args {
		detail, summary, err := func() (string, string, error) {
			f, err := os.Open(path)
			if err != nil {
				return "", "", err
			}
			defer f.Close()
			return load(a, f, filepath.Base(path))
		}()
		if err != nil {
			var ie tabular.ImportErrors
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
		a.Audit.Record(ctx, audit.Entry{Actor: "cli", Action: audit.Import, Target: label + " " + filepath.Base(path), Detail: detail})
		fmt.Fprintf(c.stdout, "%s: %s\n", path, summary)
	}
	if len(failed) > 0 {
		return fmt.Errorf("nothing imported from %d of %d files (errors above): %v", len(failed), len(c.args), failed)
	}
	return nil
}

// runImportRegistry imports companies or authorities; re-importing updates.
func runImportRegistry(kind string) func(ctx context.Context, c *cmdContext) error {
	return func(ctx context.Context, c *cmdContext) error {
		return importTables(ctx, c, kind, kind, func(a *app.App, f *os.File, name string) (string, string, error) {
			var n registry.Counts
			if kind == "companies" {
				cs, err := registry.ParseCompanies(f, name)
				if err != nil {
					return "", "", err
				}
				if n, err = a.Registry.UpsertCompanies(ctx, cs); err != nil {
					return "", "", err
				}
			} else {
				as, err := registry.ParseAuthorities(f, name)
				if err != nil {
					return "", "", err
				}
				if n, err = a.Registry.UpsertAuthorities(ctx, as); err != nil {
					return "", "", err
				}
			}
			return fmt.Sprintf("created=%d updated=%d unchanged=%d", n.Created, n.Updated, n.Unchanged),
				fmt.Sprintf("%d created, %d updated, %d unchanged", n.Created, n.Updated, n.Unchanged), nil
		})
	}
}

// runImportCalls imports support-call logs (CSV or XLSX); a call imported
// before is skipped.
func runImportCalls(ctx context.Context, c *cmdContext) error {
	return importTables(ctx, c, "calls", "support calls", func(a *app.App, f *os.File, name string) (string, string, error) {
		res, err := a.Support.ImportCalls(ctx, f, name, "cli")
		if err != nil {
			return "", "", err
		}
		return fmt.Sprintf("created=%d skipped=%d", res.Created, res.Skipped),
			fmt.Sprintf("%d calls created, %d already imported", res.Created, res.Skipped), nil
	})
}
