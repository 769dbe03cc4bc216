package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/registry"
)

// runImportRegistry imports companies or authorities. Each file is stored
// whole or not at all; the command fails if any file was rejected.
func runImportRegistry(kind string) func(ctx context.Context, c *cmdContext) error {
	return func(ctx context.Context, c *cmdContext) error {
		if len(c.args) == 0 {
			return usageError{"import " + kind + " needs at least one FILE"}
		}
		a, err := openAppDB(ctx, c)
		if err != nil {
			return err
		}
		defer a.Close()
		var failed []string
		for _, path := range c.args {
			n, err := importRegistryFile(ctx, a.Registry, kind, path)
			if err != nil {
				var ie registry.ImportErrors
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
			a.Audit.Record(ctx, audit.Entry{Actor: "cli", Action: audit.Import, Target: kind + " " + filepath.Base(path),
				Detail: fmt.Sprintf("created=%d updated=%d unchanged=%d", n.Created, n.Updated, n.Unchanged)})
			fmt.Fprintf(c.stdout, "%s: %d created, %d updated, %d unchanged\n", path, n.Created, n.Updated, n.Unchanged)
		}
		if len(failed) > 0 {
			return fmt.Errorf("nothing imported from %d of %d files (errors above): %v", len(failed), len(c.args), failed)
		}
		return nil
	}
}

func importRegistryFile(ctx context.Context, st *registry.Store, kind, path string) (registry.Counts, error) {
	f, err := os.Open(path)
	if err != nil {
		return registry.Counts{}, err
	}
	defer f.Close()
	if kind == "companies" {
		cs, err := registry.ParseCompanies(f, filepath.Base(path))
		if err != nil {
			return registry.Counts{}, err
		}
		return st.UpsertCompanies(ctx, cs)
	}
	as, err := registry.ParseAuthorities(f, filepath.Base(path))
	if err != nil {
		return registry.Counts{}, err
	}
	return st.UpsertAuthorities(ctx, as)
}
