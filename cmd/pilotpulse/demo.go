package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/demofeed"
	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/audit"
)

// demoSource is the ingestion source the demo pilot's events are stored under.
const demoSource = "demo"

func demoFlags(fs *flag.FlagSet) {
	fs.String("seed", "1", "seed of the synthetic pilot")
	fs.String("weeks", "8", "weeks of the pilot (one questionnaire wave each)")
}

// runDemo loads the demo pilot: the companies and authorities of the
// synthetic pilot into the registry, and its usage events into ClickHouse.
// Running it again changes nothing (the registry is upserted and events are
// stored exactly once).
func runDemo(ctx context.Context, c *cmdContext) error {
	seed, err1 := strconv.ParseUint(c.flag("seed"), 10, 64)
	weeks, err2 := strconv.Atoi(c.flag("weeks"))
	if err1 != nil || err2 != nil || weeks < 1 || weeks > 52 {
		return usageError{"demo: --seed takes a whole number, --weeks 1 to 52"}
	}
	a, err := app.Open(ctx, c.cfg, c.logger, app.Options{ClickHouse: true})
	if err != nil {
		return err
	}
	defer a.Close()
	d := demofeed.DemoEvents(seed, 30, weeks)
	na, err := a.Registry.UpsertAuthorities(ctx, d.Authorities)
	if err != nil {
		return fmt.Errorf("demo authorities: %w", err)
	}
	nc, err := a.Registry.UpsertCompanies(ctx, d.Companies)
	if err != nil {
		return fmt.Errorf("demo companies: %w", err)
	}
	events, err := d.ParsedEvents(time.Now().UTC())
	if err != nil {
		return err
	}
	var accepted, duplicates int
	const chunk = 5000
	for start := 0; start < len(events); start += chunk {
		n, dup, err := a.Ingester.Spool(ctx, demoSource, events[start:min(start+chunk, len(events))])
		if err != nil {
			return fmt.Errorf("storing demo events: %w", err)
		}
		accepted, duplicates = accepted+n, duplicates+dup
	}
	if err := a.Ingester.Flush(ctx); err != nil {
		return fmt.Errorf("storing demo events: %w", err)
	}
	a.Audit.Record(ctx, audit.Entry{Actor: "cli", Action: audit.Import, Target: "demo pilot",
		Detail: fmt.Sprintf("seed=%d weeks=%d events new=%d already=%d", seed, weeks, accepted, duplicates)})
	fmt.Fprintf(c.stdout, "demo pilot loaded: %d companies (%d new), %d authorities (%d new), %d usage events (%d new, %d already there)\n",
		len(d.Companies), nc.Created, len(d.Authorities), na.Created, len(d.Events), accepted, duplicates)
	return nil
}
