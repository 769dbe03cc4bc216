package sources

import (
	"context"
	"slices"
	"time"
)

// Overlap warns that events of a source share event ids with another
// origin's: the same upstream events under two origins, counted twice.
// analytics/ingest looks a sample of each claimed batch's new ids up under
// the other origins and records what it finds (origin_overlaps); giving the
// sources one origin makes their next events count once.
type Overlap struct {
	// OtherOrigin had some of the ids already; OtherSources are its sources.
	OtherOrigin  string   `json:"other_origin"`
	OtherSources []string `json:"other_sources"`
	// Seen of the Sampled ids (sampled in the batches that overlapped)
	// were known under the other origin.
	Seen        int64     `json:"seen"`
	Sampled     int64     `json:"sampled"`
	FirstSeenAt time.Time `json:"first_seen_at"`
	LastSeenAt  time.Time `json:"last_seen_at"`
}

// overlapRow is a row of origin_overlaps.
type overlapRow struct {
	source, origin, other string
	seen, sampled         int64
	first, last           time.Time
}

// attachOverlaps sets the Overlaps of srcs. An overlap recorded for source
// A (origin a) with origin b shows on A (with b's sources) and on the
// sources of origin b (with A); it is no longer shown once A's origin is b.
func (s *Sources) attachOverlaps(ctx context.Context, srcs []Source) error {
	for n := range srcs {
		srcs[n].Overlaps = []Overlap{}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT source, origin, other_origin, seen, sampled, first_seen_at, last_seen_at FROM origin_overlaps`)
	if err != nil {
		return err
	}
	var recorded []overlapRow
	for rows.Next() {
		var r overlapRow
		if err := rows.Scan(&r.source, &r.origin, &r.other, &r.seen, &r.sampled, &r.first, &r.last); err != nil {
			rows.Close()
			return err
		}
		recorded = append(recorded, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(recorded) == 0 {
		return err
	}
	originOf, byOrigin, err := s.origins(ctx)
	if err != nil {
		return err
	}
	for n := range srcs {
		src := &srcs[n]
		for _, r := range recorded {
			cur, ok := originOf[r.source]
			if !ok {
				cur = r.origin
			}
			if cur == r.other {
				continue // one origin now
			}
			var o Overlap
			switch {
			case r.source == src.Name:
				o = Overlap{OtherOrigin: r.other, OtherSources: byOrigin[r.other]}
			case src.Origin == r.other:
				o = Overlap{OtherOrigin: cur, OtherSources: []string{r.source}}
			default:
				continue
			}
			o.Seen, o.Sampled, o.FirstSeenAt, o.LastSeenAt = r.seen, r.sampled, r.first.UTC(), r.last.UTC()
			src.Overlaps = mergeOverlap(src.Overlaps, o)
		}
		slices.SortFunc(src.Overlaps, func(a, b Overlap) int { return b.LastSeenAt.Compare(a.LastSeenAt) })
	}
	return nil
}

// mergeOverlap adds o to list, summed into an entry of the same origin.
func mergeOverlap(list []Overlap, o Overlap) []Overlap {
	for n := range list {
		l := &list[n]
		if l.OtherOrigin != o.OtherOrigin {
			continue
		}
		l.Seen += o.Seen
		l.Sampled += o.Sampled
		if o.FirstSeenAt.Before(l.FirstSeenAt) {
			l.FirstSeenAt = o.FirstSeenAt
		}
		if o.LastSeenAt.After(l.LastSeenAt) {
			l.LastSeenAt = o.LastSeenAt
		}
		for _, name := range o.OtherSources {
			if !slices.Contains(l.OtherSources, name) {
				l.OtherSources = append(l.OtherSources, name)
			}
		}
		slices.Sort(l.OtherSources)
		return list
	}
	o.OtherSources = slices.Clone(o.OtherSources)
	if o.OtherSources == nil {
		o.OtherSources = []string{}
	}
	return append(list, o)
}

// origins maps each source to its origin, and each origin to its sources.
func (s *Sources) origins(ctx context.Context) (map[string]string, map[string][]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, coalesce(nullif(origin, ''), name) FROM sources ORDER BY name`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	originOf, byOrigin := map[string]string{}, map[string][]string{}
	for rows.Next() {
		var name, origin string
		if err := rows.Scan(&name, &origin); err != nil {
			return nil, nil, err
		}
		originOf[name] = origin
		byOrigin[origin] = append(byOrigin[origin], name)
	}
	return originOf, byOrigin, rows.Err()
}
