package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/config"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/survey"
)

const surveyUsage = "survey tick | survey wave WEEK | survey export yaml|json | survey publish FILE"

// runSurvey runs the questionnaire's operator commands:
//
//	survey tick            the scheduled work once (create this week's wave when due,
//	                       invite new contacts, send invitations and due reminders)
//	survey wave 2012-W46   create the wave of an ISO week now
//	survey export yaml     print the current questionnaire (yaml or json)
//	survey publish FILE    publish a questionnaire from a YAML or JSON file
func runSurvey(ctx context.Context, c *cmdContext) error {
	if len(c.args) == 0 {
		return usageError{"survey needs a subcommand: " + surveyUsage}
	}
	sub := c.args[0]
	// Flags may also follow the subcommand: parse them and reload the configuration.
	rest, args := c.args[1:], []string{}
	for len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		args, rest = append(args, rest[0]), rest[1:]
	}
	if err := c.fs.Parse(rest); err != nil {
		return usageError{err.Error()}
	}
	cfg, err := config.Load(c.fs, c.getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	c.cfg = cfg
	args = append(args, c.fs.Args()...)
	want := map[string]int{"tick": 0, "wave": 1, "export": 1, "publish": 1}
	n, ok := want[sub]
	if !ok {
		return usageError{fmt.Sprintf("unknown survey subcommand %q: %s", sub, surveyUsage)}
	}
	if len(args) != n {
		return usageError{fmt.Sprintf("survey %s takes %d argument(s): %s", sub, n, surveyUsage)}
	}
	a, err := openAppDB(ctx, c)
	if err != nil {
		return err
	}
	defer a.Close()
	snd := a.Survey
	switch sub {
	case "tick":
		r, err := snd.Tick(ctx, time.Now().UTC())
		if err != nil {
			return err
		}
		b, _ := json.Marshal(r)
		fmt.Fprintln(c.stdout, string(b))
	case "wave":
		w, invited, err := snd.Store.CreateWave(ctx, args[0], "cli")
		if errors.Is(err, survey.ErrExists) {
			return fmt.Errorf("week %s has a wave already; waves are never overwritten", args[0])
		}
		if err != nil {
			return err
		}
		a.Audit.Record(ctx, audit.Entry{Actor: "cli", Action: audit.RecordCreated, Target: "survey wave " + w.ID, Detail: fmt.Sprintf("%d invitations", invited)})
		fmt.Fprintf(c.stdout, "wave %s: opens %s, closes %s, %d invitations\n", w.ID,
			w.OpensAt.In(week.Copenhagen).Format("2006-01-02 15:04"), w.ClosesAt.In(week.Copenhagen).Format("2006-01-02 15:04"), invited)
	case "export":
		if args[0] != "yaml" && args[0] != "json" {
			return usageError{"survey export: want yaml or json"}
		}
		v, err := snd.Store.Current(ctx, survey.DefaultSlug)
		if err != nil {
			return err
		}
		b, err := survey.MarshalDefinition(v.Definition, args[0])
		if err != nil {
			return err
		}
		c.stdout.Write(b)
	case "publish":
		data, err := os.ReadFile(args[0])
		if err != nil {
			return err
		}
		def, err := survey.ParseDefinition(data, "")
		if err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		before, _ := snd.Store.Current(ctx, def.Slug)
		v, err := snd.Store.Publish(ctx, def, "cli")
		if err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		if v.ID == before.ID {
			fmt.Fprintf(c.stdout, "unchanged: %s version %d still applies\n", v.Slug, v.Version)
			return nil
		}
		a.Audit.Record(ctx, audit.Entry{Actor: "cli", Action: audit.RecordCreated, Target: fmt.Sprintf("survey questionnaire %s v%d", v.Slug, v.Version)})
		fmt.Fprintf(c.stdout, "published %s version %d\n", v.Slug, v.Version)
	}
	return nil
}
