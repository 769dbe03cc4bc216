package sources

import (
	"context"
	"time"
)

// RecordRounds records pull rounds on a source as the puller does, one per
// byte of outcomes, oldest first: '+' a success, '-' a failure.
func RecordRounds(ctx context.Context, s *Sources, id int64, outcomes string) error {
	for _, o := range []byte(outcomes) {
		now := time.Now()
		var err error
		if o == pullFailed {
			_, err = s.recordFailure(ctx, id, "feed answered 502 Bad Gateway", func(int) time.Duration { return time.Second })
		} else {
			err = s.recordRound(ctx, id, now, now.Add(time.Minute), "")
		}
		if err != nil {
			return err
		}
	}
	return nil
}
