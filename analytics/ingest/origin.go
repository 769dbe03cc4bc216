// Origins: an event's identity is its origin (the upstream a source
// carries; by default the source itself) plus its event_id, so the sources
// of one origin deduplicate against each other. Overlapping ids across
// different origins (one upstream sent under two origins, counted twice)
// are looked for in a sample of each claimed batch and recorded for the
// sources page.

package ingest

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/pilotpulse/pilotpulse/analytics/event"
)

// originOf is the origin of a source: the one its row in sources names, or
// the source itself (no origin set, or no row: a CLI import's source).
func (i *Ingester) originOf(ctx context.Context, source string) (string, error) {
	var origin string
	err := i.queryRowFixed(ctx, nil, `SELECT coalesce(nullif(origin, ''), name) FROM sources WHERE name = ?`, source).Scan(&origin)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return source, nil
	case err != nil:
		return "", fmt.Errorf("analytics: origin of source %s: %w", source, err)
	}
	return origin, nil
}

// overlapSample is how many of a batch's new ids are looked up under the
// other origins; maxOverlapOrigins bounds how many other origins are asked.
// A batch costs at most overlapSample x maxOverlapOrigins primary-key
// lookups in the ledger, in statements of overlapSample keys.
const (
	overlapSample     = 64
	maxOverlapOrigins = 100
)

// overlapSampleOf copies the ids and times of a sample of a claimed
// batch's new events (events[fresh], evenly spread) for checkOverlap.
func overlapSampleOf(events []*event.Event, fresh []int) []event.Event {
	n := min(len(fresh), overlapSample)
	sample := make([]event.Event, n)
	for k := range n {
		ev := events[fresh[k*len(fresh)/n]]
		sample[k] = event.Event{EventID: ev.EventID, OccurredAt: ev.OccurredAt}
	}
	return sample
}

// checkOverlap looks a sample of a claimed batch's new ids
// (overlapSampleOf) up under the other origins of the sources table, and
// records the origins that had some of them already (origin_overlaps).
// It only reads the ledger (no write lock) unless it finds an overlap, and
// a failure only loses the warning: it is logged, not returned.
func (i *Ingester) checkOverlap(ctx context.Context, source, origin string, sample []event.Event) {
	if len(sample) == 0 {
		return
	}
	if err := i.recordOverlaps(ctx, source, origin, sample); err != nil && ctx.Err() == nil {
		i.logger.Warn("checking a batch's ids against other origins failed", "source", source, "err", err)
	}
}

func (i *Ingester) recordOverlaps(ctx context.Context, source, origin string, sample []event.Event) error {
	others, err := i.otherOrigins(ctx, origin)
	if err != nil || len(others) == 0 {
		return err
	}
	n := len(sample)
	tables, err := dayTables(ctx, i.db)
	if err != nil {
		return err
	}
	now := i.now().UTC()
	for _, other := range others {
		seen, err := i.knownUnder(ctx, other, sample, tables)
		if err != nil {
			return err
		}
		if seen == 0 {
			continue
		}
		i.logger.Warn("event ids of another origin: these events are counted twice", "source", source, "origin", origin,
			"other_origin", other, "seen", seen, "sampled", n)
		// On the ledger's connection, between its claims (see originNumber).
		err = i.ledgerTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO origin_overlaps (source, origin, other_origin, seen, sampled, first_seen_at, last_seen_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (source, other_origin) DO UPDATE SET origin = excluded.origin, seen = seen + excluded.seen,
				sampled = sampled + excluded.sampled, last_seen_at = excluded.last_seen_at`,
				source, origin, other, seen, n, now, now)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// knownUnder counts the events of sample whose keys the ledger has under
// origin: in the day tables there are (tables) and in the table from
// before them.
func (i *Ingester) knownUnder(ctx context.Context, origin string, sample []event.Event, tables map[int64]string) (int, error) {
	legacy := keyPrefix(origin)
	args := make([]any, 0, 2*len(sample))
	for _, ev := range sample {
		args = append(args, []byte(legacy+ev.EventID))
	}
	parts := []string{`SELECT k FROM event_keys WHERE k IN (?` + strings.Repeat(",?", len(sample)-1) + `)`}
	id, err := i.originNumber(ctx, origin, false)
	if err != nil {
		return 0, err
	}
	if id != 0 {
		prefix := string(binary.AppendUvarint(nil, id))
		byDay := map[int64][]string{}
		for _, ev := range sample {
			d := dayOf(ev.OccurredAt)
			if _, ok := tables[d]; ok {
				byDay[d] = append(byDay[d], prefix+ev.EventID)
			}
		}
		for d, keys := range byDay {
			parts = append(parts, `SELECT k FROM `+tables[d]+` WHERE k IN (?`+strings.Repeat(",?", len(keys)-1)+`)`)
			for _, k := range keys {
				args = append(args, []byte(k))
			}
		}
	}
	var seen int
	err = i.db.QueryRowContext(ctx, `SELECT count(*) FROM (`+strings.Join(parts, " UNION ALL ")+`)`, args...).Scan(&seen)
	return seen, err
}

// otherOrigins lists the origins of the sources table other than origin.
func (i *Ingester) otherOrigins(ctx context.Context, origin string) ([]string, error) {
	rows, err := i.db.QueryContext(ctx, `SELECT DISTINCT coalesce(nullif(origin, ''), name) AS o FROM sources
		WHERE o <> ? ORDER BY o LIMIT ?`, origin, maxOverlapOrigins)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
