package sources

import (
	"context"
	"fmt"
	"time"
)

// PullOnce pulls one source now, in the caller's process: its feed to the
// end (or its folder's files), storing the events and recording the round
// (or the failure) as the running pullers do. It pulls a disabled source
// too, which the running pullers leave alone: `pilotpulse demo` fills its
// switched-off demo source this way from the feed it serves while it runs.
func (p *Puller) PullOnce(ctx context.Context, id int64) error {
	src, err := p.sources.Get(ctx, id)
	if err != nil {
		return err
	}
	if !src.Pulled() {
		return fmt.Errorf("source %s is a push source: nothing to pull", src.Name)
	}
	started := time.Now().UTC()
	warning, err := p.round(ctx, src)
	if err != nil {
		if _, rerr := p.sources.recordFailure(ctx, id, err.Error(), p.backoff); rerr != nil {
			p.log.Error("pull: recording a failure", "source", src.Name, "err", rerr)
		}
		return err
	}
	return p.sources.recordRound(ctx, id, started, time.Now().Add(src.Interval()), warning)
}
