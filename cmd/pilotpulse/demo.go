package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/demopilot"
)

func demoFlags(fs *flag.FlagSet) {
	fs.String("seed", "1", "seed of the synthetic pilot: the same seed gives the same pilot")
	fs.String("weeks", "8", "weeks of the pilot from 2012-W45 (one questionnaire wave each)")
}

// runDemo loads the demo pilot (package demopilot): the registry, the
// questionnaire waves and answers of 2012, support calls, interviews, the
// usage events pulled from the demo feed, and the demo users, whose
// logins it prints. Running it again adds nothing.
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
	res, err := demopilot.Load(ctx, a, demopilot.Options{Seed: seed, Weeks: weeks})
	if err != nil {
		return err
	}
	a.Audit.Record(ctx, audit.Entry{Actor: "cli", Action: audit.Import, Target: "demo pilot",
		Detail: fmt.Sprintf("seed=%d weeks=%d waves new=%d calls new=%d events new=%d already=%d", seed, weeks, res.Waves.New, res.Calls.New,
			res.Events.New, res.Events.Total-res.Events.New)})
	fmt.Fprintf(c.stdout, "demo pilot loaded (seed %d): %d companies (%d new), %d authorities (%d new), %s questionnaire waves with %s answers, %s support calls, %s interviews, %d usage events pulled by source %s (%d new, %d already there)\n",
		seed, res.Companies.Total, res.Companies.New, res.Authorities.Total, res.Authorities.New, res.Waves, res.Answers, res.Calls, res.Interviews,
		res.Events.Total, res.Source, res.Events.New, res.Events.Total-res.Events.New)
	fmt.Fprintf(c.stdout, "Demo logins (kept in %s):\n", filepath.Join(c.cfg.DataDir, app.DemoLoginsFile))
	for _, l := range res.Logins {
		fmt.Fprintf(c.stdout, "  %s\n", l)
	}
	return nil
}
