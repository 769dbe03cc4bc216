package figures

// The volume figures at national scale (docs/figures.md#weekly-volume-figures).
// rollup_messages_daily keeps a row per authority, company, day and channel:
// at national scale about one row per message, so summing it on every view
// costs as much as scanning the raw events. The figures per authority and
// week (counts and the exact number of companies reached) are therefore
// computed once into volume_weekly, and recomputed only for the weeks a new
// ingest batch touched:
//
//   - every stored ingest batch (SQLite ingest_batches: id, state,
//     min_occurred, max_occurred) touches the weeks from its oldest to its
//     newest event;
//   - the refresher (Refresh, run by the app's jobs) keeps a cursor, the
//     batch id up to which those weeks have been recomputed, in SQLite
//     figure_refresh; it recomputes the weeks of the stored batches after
//     the cursor and moves it, never past a batch still pending (a lower id
//     may be stored after a higher one);
//   - a reader treats the weeks of every batch after the cursor (stored or
//     pending) as dirty and computes them from the daily rollup, the others
//     from volume_weekly: a figure is exact and never stale, whether the
//     refresher has run or not.

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/store"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// volumeRefresher names the cursor row of the refresher in figure_refresh.
const volumeRefresher = "volume_weekly"

// refreshBatches is how many ingest batches one refresh step reads.
const refreshBatches = 5000

// Volume reads the volume figures (per authority and week) from
// volume_weekly and the daily rollup, and keeps volume_weekly up to date.
type Volume struct {
	db *store.DB
	ch driver.Conn
	mu sync.Mutex // one refresh at a time in this process
	// checked: the cursor was compared with volume_weekly once (a
	// ClickHouse database replaced under a kept app database).
	checked bool
	kept    weeklyKept // volume_weekly_kept.go
}

// NewVolume returns the volume figures of the app database db (its ingest
// batches) and ClickHouse ch.
func NewVolume(db *store.DB, ch driver.Conn) *Volume { return &Volume{db: db, ch: ch} }

// weekSpan is the weeks from From to To, inclusive.
type weekSpan struct{ From, To week.Week }

// days is the span as ClickHouse dates: its first Monday and the Monday
// after its last week.
func (s weekSpan) days() (string, string) {
	return s.From.Monday().Format(time.DateOnly), s.To.End().Format(time.DateOnly)
}

// mergeSpans sorts spans and joins those that overlap or touch.
func mergeSpans(spans []weekSpan) []weekSpan {
	slices.SortFunc(spans, func(a, b weekSpan) int { return a.From.Compare(b.From) })
	var out []weekSpan
	for _, s := range spans {
		if n := len(out); n > 0 && !s.From.After(out[n-1].To.Next()) {
			if s.To.After(out[n-1].To) {
				out[n-1].To = s.To
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// clip keeps the parts of spans inside r.
func clip(spans []weekSpan, r week.Range) []weekSpan {
	var out []weekSpan
	for _, s := range spans {
		if s.To.Before(r.From) || s.From.After(r.To) {
			continue
		}
		if s.From.Before(r.From) {
			s.From = r.From
		}
		if s.To.After(r.To) {
			s.To = r.To
		}
		out = append(out, s)
	}
	return out
}

// covers reports whether w lies in one of spans.
func covers(spans []weekSpan, w week.Week) bool {
	for _, s := range spans {
		if !w.Before(s.From) && !w.After(s.To) {
			return true
		}
	}
	return false
}

// batchSpan is the weeks of an ingest batch's events (unix seconds).
func batchSpan(lo, hi int64) weekSpan {
	return weekSpan{From: week.Of(time.Unix(lo, 0)), To: week.Of(time.Unix(hi, 0))}
}

// dirty are the weeks of the ingest batches after the cursor, stored or
// pending: volume_weekly may not have them yet. One statement, so the
// cursor and the batches are one snapshot.
func (v *Volume) dirty(ctx context.Context) ([]weekSpan, error) {
	rows, err := v.db.QueryContext(ctx, `SELECT min_occurred, max_occurred FROM ingest_batches
		WHERE id > coalesce((SELECT batch_id FROM figure_refresh WHERE name = ?), 0)`, volumeRefresher)
	if err != nil {
		return nil, fmt.Errorf("volume: dirty weeks: %w", err)
	}
	defer rows.Close()
	var spans []weekSpan
	for rows.Next() {
		var lo, hi int64
		if err := rows.Scan(&lo, &hi); err != nil {
			return nil, fmt.Errorf("volume: dirty weeks: %w", err)
		}
		spans = append(spans, batchSpan(lo, hi))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("volume: dirty weeks: %w", err)
	}
	return mergeSpans(spans), nil
}

// daysCondition is a ClickHouse condition keeping the days of spans
// (column day), with its arguments; "1 = 0" for none.
func daysCondition(spans []weekSpan) (string, []any) {
	if len(spans) == 0 {
		return "1 = 0", nil
	}
	parts := make([]string, len(spans))
	var args []any
	for i, s := range spans {
		lo, hi := s.days()
		parts[i] = "(day >= toDate(?) AND day < toDate(?))"
		args = append(args, lo, hi)
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// weeklyFromRollup is the statement computing the figures per authority
// and week from the daily rollup, for the days cond keeps. Its columns are
// those of volume_weekly but version.
const weeklyFromRollup = `SELECT toMonday(day) AS monday, authority_cvr,
		sum(messages), sumIf(messages, channel = 'digital'), sumIf(messages, channel = 'remote_print'),
		sum(with_metadata), sum(with_deep_link), uniqExact(company_cvr)
	FROM rollup_messages_daily
	WHERE %s
	GROUP BY authority_cvr, monday`

// PerAuthorityWeek returns message.sent volume per authority and ISO week
// for the weeks of r, restricted to the scope: the same rows as
// VolumePerAuthorityWeek (which sums the rollup), read from volume_weekly
// for the weeks refreshed and from the rollup for the dirty ones.
func (v *Volume) PerAuthorityWeek(ctx context.Context, scope auth.Scope, r week.Range) ([]WeekVolume, error) {
	dirty, err := v.dirty(ctx)
	if err != nil {
		return nil, err
	}
	dirty = clip(dirty, r)
	weekly, err := v.weekly(ctx)
	if err != nil {
		return nil, err
	}
	lo, hi := weekSpan{r.From, r.To}.days() // dates as Monday writes them
	var out []WeekVolume
	for _, w := range weekly {
		if w.Monday >= lo && w.Monday < hi && scope.Allows(w.AuthorityCVR) {
			out = append(out, w)
		}
	}
	if len(dirty) > 0 {
		out = slices.DeleteFunc(out, func(w WeekVolume) bool { return covers(dirty, week.MustParse(w.Week)) })
		days, dargs := daysCondition(dirty)
		filter, args := scope.AuthorityFilter("authority_cvr")
		fresh, err := scanWeekVolumes(v.ch.Query(ctx, fmt.Sprintf(weeklyFromRollup, filter+" AND "+days), append(args, dargs...)...))
		if err != nil {
			return nil, err
		}
		out = append(out, fresh...)
		sortWeekVolumes(out)
	}
	return out, nil
}

// sortWeekVolumes orders rows by authority, then week.
func sortWeekVolumes(rows []WeekVolume) {
	slices.SortFunc(rows, func(a, b WeekVolume) int {
		if c := strings.Compare(a.AuthorityCVR, b.AuthorityCVR); c != 0 {
			return c
		}
		return strings.Compare(a.Monday, b.Monday)
	})
}

// scanWeekVolumes reads rows of (monday, authority, messages, digital,
// remote print, metadata, deep link, companies).
func scanWeekVolumes(rows driver.Rows, err error) ([]WeekVolume, error) {
	if err != nil {
		return nil, queryError("volume per authority", err)
	}
	defer rows.Close()
	var out []WeekVolume
	names := map[int64][2]string{} // a Monday's week and date, written once (300 rows a week)
	for rows.Next() {
		var v WeekVolume
		var monday time.Time
		if err := rows.Scan(&monday, &v.AuthorityCVR, &v.Messages, &v.Digital, &v.RemotePrint, &v.WithMetadata, &v.WithDeepLink, &v.Companies); err != nil {
			return nil, queryError("volume per authority", err)
		}
		n, ok := names[monday.Unix()]
		if !ok {
			n = [2]string{weekOfDate(monday).String(), monday.Format(time.DateOnly)}
			names[monday.Unix()] = n
		}
		v.Week, v.Monday = n[0], n[1]
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, queryError("volume per authority", err)
	}
	return out, nil
}

// Span is the first and the newest week with messages in the scope; ok is
// false when there is none.
func (v *Volume) Span(ctx context.Context, scope auth.Scope) (first, last week.Week, ok bool, err error) {
	dirty, err := v.dirty(ctx)
	if err != nil {
		return first, last, false, err
	}
	filter, args := scope.AuthorityFilter("authority_cvr")
	days, dargs := daysCondition(dirty)
	// A week once in volume_weekly keeps messages (events are never
	// deleted), so its rows count even when the week is dirty.
	var lo1, hi1, lo2, hi2 time.Time
	var n1, n2 uint64
	weekly, err := v.weekly(ctx)
	if err != nil {
		return first, last, false, err
	}
	var loDay, hiDay string // dates order as their names do
	for _, w := range weekly {
		if !scope.Allows(w.AuthorityCVR) {
			continue
		}
		if n1 == 0 || w.Monday < loDay {
			loDay = w.Monday
		}
		if n1 == 0 || w.Monday > hiDay {
			hiDay = w.Monday
		}
		n1++
	}
	if n1 > 0 {
		if lo1, err = time.Parse(time.DateOnly, loDay); err == nil {
			hi1, err = time.Parse(time.DateOnly, hiDay)
		}
		if err != nil {
			return first, last, false, err
		}
	}
	if len(dirty) > 0 {
		if err := v.ch.QueryRow(ctx, `SELECT min(day), max(day), count() FROM rollup_messages_daily WHERE `+filter+` AND `+days,
			append(slices.Clone(args), dargs...)...).Scan(&lo2, &hi2, &n2); err != nil {
			return first, last, false, queryError("span of messages", err)
		}
	}
	for _, s := range []struct {
		lo, hi time.Time
		n      uint64
	}{{lo1, hi1, n1}, {lo2, hi2, n2}} {
		if s.n == 0 {
			continue
		}
		f, l := weekOfDate(s.lo), weekOfDate(s.hi)
		if !ok || f.Before(first) {
			first = f
		}
		if !ok || l.After(last) {
			last = l
		}
		ok = true
	}
	return first, last, ok, nil
}

// CompanyVolume is what one authority sent to one company in a period.
type CompanyVolume struct {
	CompanyCVR   string `json:"company_cvr"`
	Messages     uint64 `json:"messages"`
	Digital      uint64 `json:"digital"`
	RemotePrint  uint64 `json:"remote_print"`
	WithMetadata uint64 `json:"with_metadata"`
	WithDeepLink uint64 `json:"with_deep_link"`
	Weeks        uint64 `json:"weeks"` // weeks of the period with a message to the company
}

// CompaniesReached lists the companies the authority sent messages to in
// the weeks of r, most messages first (then by CVR), at most limit of them,
// and the exact number of companies reached in r. It reads the daily rollup
// by its key (one authority, a range of days): cheap at national scale.
// See docs/figures.md#companies-reached-in-the-period.
func (v *Volume) CompaniesReached(ctx context.Context, authority string, r week.Range, limit int) ([]CompanyVolume, uint64, error) {
	lo, hi := weekSpan{r.From, r.To}.days()
	var total uint64
	if err := v.ch.QueryRow(ctx, `SELECT uniqExact(company_cvr) FROM rollup_messages_daily
		WHERE authority_cvr = ? AND day >= toDate(?) AND day < toDate(?)`, authority, lo, hi).Scan(&total); err != nil {
		return nil, 0, queryError("companies reached", err)
	}
	rows, err := v.ch.Query(ctx, `SELECT company_cvr, sum(messages) AS m, sumIf(messages, channel = 'digital'), sumIf(messages, channel = 'remote_print'),
			sum(with_metadata), sum(with_deep_link), uniqExact(toMonday(day))
		FROM rollup_messages_daily
		WHERE authority_cvr = ? AND day >= toDate(?) AND day < toDate(?)
		GROUP BY company_cvr
		ORDER BY m DESC, company_cvr
		LIMIT `+fmt.Sprint(max(limit, 0)), authority, lo, hi)
	if err != nil {
		return nil, 0, queryError("companies reached", err)
	}
	defer rows.Close()
	out := []CompanyVolume{}
	for rows.Next() {
		var c CompanyVolume
		if err := rows.Scan(&c.CompanyCVR, &c.Messages, &c.Digital, &c.RemotePrint, &c.WithMetadata, &c.WithDeepLink, &c.Weeks); err != nil {
			return nil, 0, queryError("companies reached", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, queryError("companies reached", err)
	}
	return out, total, nil
}

// RefreshReport says what a refresh did.
type RefreshReport struct {
	Batches int   // stored ingest batches whose weeks were recomputed
	Weeks   int   // weeks recomputed
	Cursor  int64 // the cursor after the refresh
}

// Refresh recomputes into volume_weekly the weeks of the ingest batches
// stored since the cursor, up to the first batch still pending, and moves
// the cursor past them.
func (v *Volume) Refresh(ctx context.Context) (RefreshReport, error) {
	return v.refresh(ctx, false)
}

// Rebuild recomputes every week with messages in the daily rollup, and
// moves the cursor like Refresh: for data loaded into ClickHouse without
// the ingester (a benchmark), or a volume_weekly lost.
func (v *Volume) Rebuild(ctx context.Context) (RefreshReport, error) {
	return v.refresh(ctx, true)
}

func (v *Volume) refresh(ctx context.Context, all bool) (RefreshReport, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	var rep RefreshReport
	cursor, err := v.cursor(ctx)
	if err != nil {
		return rep, err
	}
	if !v.checked && cursor > 0 {
		// A cursor without any row in volume_weekly: the ClickHouse
		// database was replaced (or emptied) under this app database.
		var n uint64
		if err := v.ch.QueryRow(ctx, `SELECT count() FROM volume_weekly`).Scan(&n); err != nil {
			return rep, queryError("volume_weekly rows", err)
		}
		if n == 0 {
			all = true
		}
	}
	rep.Cursor = cursor
	var spans []weekSpan
	for {
		next, more, err := v.storedBatches(ctx, rep.Cursor, &spans, &rep.Batches)
		if err != nil {
			return rep, err
		}
		rep.Cursor = next
		if !more {
			break
		}
	}
	if all {
		var lo, hi time.Time
		var n uint64
		if err := v.ch.QueryRow(ctx, `SELECT min(day), max(day), count() FROM rollup_messages_daily`).Scan(&lo, &hi, &n); err != nil {
			return rep, queryError("span of messages", err)
		}
		spans = nil
		if n > 0 {
			spans = []weekSpan{{weekOfDate(lo), weekOfDate(hi)}}
		}
	}
	spans = mergeSpans(spans)
	// The version is taken before the rollup is read: a later computation
	// read at least as much and wins.
	version := uint64(time.Now().UnixNano())
	for _, s := range spans {
		days, args := daysCondition([]weekSpan{s})
		if err := v.ch.Exec(ctx, `INSERT INTO volume_weekly (monday, authority_cvr, messages, digital, remote_print, with_metadata, with_deep_link, companies, version)
			SELECT *, toUInt64(?) FROM (`+fmt.Sprintf(weeklyFromRollup, days)+`)`, append([]any{version}, args...)...); err != nil {
			return rep, queryError("recompute weekly volume", err)
		}
		rep.Weeks += week.Range{From: s.From, To: s.To}.Len()
	}
	if rep.Cursor != cursor || all {
		if _, err := v.db.ExecContext(ctx, `INSERT INTO figure_refresh (name, batch_id) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET batch_id = excluded.batch_id`, volumeRefresher, rep.Cursor); err != nil {
			return rep, fmt.Errorf("volume: move the cursor: %w", err)
		}
	}
	v.checked = true
	return rep, nil
}

// cursor is the batch id up to which volume_weekly is refreshed.
func (v *Volume) cursor(ctx context.Context) (int64, error) {
	var c int64
	err := v.db.QueryRowContext(ctx, `SELECT batch_id FROM figure_refresh WHERE name = ?`, volumeRefresher).Scan(&c)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("volume: read the cursor: %w", err)
	}
	return c, nil
}

// storedBatches adds to spans the weeks of up to refreshBatches batches
// after cursor, stopping before the first pending one, and returns the id
// of the last batch taken (cursor if none) and whether more may follow.
func (v *Volume) storedBatches(ctx context.Context, cursor int64, spans *[]weekSpan, n *int) (int64, bool, error) {
	rows, err := v.db.QueryContext(ctx, `SELECT id, state, min_occurred, max_occurred FROM ingest_batches WHERE id > ? ORDER BY id LIMIT ?`, cursor, refreshBatches)
	if err != nil {
		return cursor, false, fmt.Errorf("volume: read ingest batches: %w", err)
	}
	defer rows.Close()
	read := 0
	for rows.Next() {
		var id, lo, hi int64
		var state string
		if err := rows.Scan(&id, &state, &lo, &hi); err != nil {
			return cursor, false, fmt.Errorf("volume: read ingest batches: %w", err)
		}
		read++
		if state != "stored" { // never past a pending batch
			return cursor, false, rows.Close()
		}
		*spans = append(*spans, batchSpan(lo, hi))
		*n++
		cursor = id
	}
	if err := rows.Err(); err != nil {
		return cursor, false, fmt.Errorf("volume: read ingest batches: %w", err)
	}
	return cursor, read == refreshBatches, nil
}

// Run refreshes every interval until ctx ends (the app's job
// volume-refresh); a failure is logged and retried at the next tick.
func (v *Volume) Run(ctx context.Context, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if rep, err := v.refreshAndKeep(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			logger.Warn("refreshing the weekly volume figures failed; retried", "err", err)
		} else if rep.Batches > 0 {
			logger.Debug("weekly volume figures refreshed", "batches", rep.Batches, "weeks", rep.Weeks, "cursor", rep.Cursor)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
