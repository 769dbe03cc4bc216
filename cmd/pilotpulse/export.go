package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/reports/exports"
	"github.com/pilotpulse/pilotpulse/reports/jobs"
)

func init() {
	for _, kind := range exports.Kinds {
		commandFlags["export "+kind] = exportFlags
	}
}

func exportFlags(fs *flag.FlagSet) {
	fs.String("from", "", "first week (ISO, e.g. 2012-W40)")
	fs.String("to", "", "last week (ISO, e.g. 2012-W46), included")
	fs.String("authority", "", "events only: one authority's CVR")
	fs.String("lang", "da", "da or en: the language of headers, questions and labels")
	fs.String("o", "", "the file to write: FILE.xlsx or FILE.csv")
}

// runExport writes a raw export (pilotpulse export events|answers|calls)
// synchronously with the writer of the /reports jobs, as the operator
// (every authority).
func runExport(kind string) func(ctx context.Context, c *cmdContext) error {
	return func(ctx context.Context, c *cmdContext) error {
		if len(c.args) > 0 {
			return usageError{"export " + kind + " takes no arguments besides its flags"}
		}
		out := c.flag("o")
		format := strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
		if out == "" || (format != "xlsx" && format != "csv") {
			return usageError{"-o must name a file ending in .xlsx or .csv"}
		}
		lang := c.flag("lang")
		if lang != "da" && lang != "en" {
			return usageError{"--lang must be da or en"}
		}
		a, err := app.Open(ctx, c.cfg, c.logger, app.Options{ClickHouse: kind == exports.Events})
		if err != nil {
			return err
		}
		defer a.Close()
		d := a.ExportDeps()
		spec, err := d.Check(ctx, exports.Input{Kind: kind, Format: format, From: c.flag("from"), To: c.flag("to"), Authority: c.flag("authority")}, jobs.System, lang)
		if fields, ok := problem.AsFields(err); ok {
			return usageError{fields.Error()}
		}
		if err != nil {
			return err
		}
		part := out + ".part"
		f, err := os.Create(part)
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(f, 256<<10)
		rows, err := d.Write(ctx, spec, jobs.System.Scope(), w, nil)
		if err == nil {
			err = w.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(part, out)
		}
		state := "done"
		if err != nil {
			os.Remove(part)
			state = "failed"
		}
		a.Audit.Record(ctx, audit.Entry{Actor: "cli", Action: audit.Export, Target: filepath.Base(out), Detail: fmt.Sprintf("%s; %s; %d rows", spec.Summary(), state, rows)})
		if err != nil {
			return errors.Join(fmt.Errorf("export %s", kind), err)
		}
		fmt.Fprintf(c.stdout, "%s: %d rows\n", out, rows)
		return nil
	}
}
