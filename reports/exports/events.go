package exports

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/reports"
)

// eventColumns are the columns of `events` the export reads, in order.
const eventColumns = `occurred_at, type, company_cvr, authority_cvr, channel, has_metadata, has_deep_link, by_rule,
	message_ref, user_ref, rights_model, reason, folder, role, source`

// eventsWhere is the filter of the events export: a period, the
// requester's scope (auth.Scope: an authority user reads its own events
// only) and the authority asked for.
func eventsWhere(spec Spec, scope auth.Scope, from, to time.Time) (string, []any) {
	cond, args := scope.AuthorityFilter("authority_cvr")
	where := ` FROM events WHERE occurred_at >= toDateTime(?, 'UTC') AND occurred_at < toDateTime(?, 'UTC') AND ` + cond
	args = append([]any{from.UTC().Format(time.DateTime), to.UTC().Format(time.DateTime)}, args...)
	if spec.Authority != "" {
		where, args = where+` AND authority_cvr = ?`, append(args, spec.Authority)
	}
	return where, args
}

// blockRows is the most rows ClickHouse sends the export in one block: a
// block is held in memory while its rows are written, so smaller blocks
// keep the export's memory flat (the server's default is 65,536).
const blockRows = 8192

func smallBlocks(ctx context.Context) context.Context {
	return clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"max_block_size": blockRows}))
}

// chunkWeeks is how many weeks of events one query reads: the export asks
// ClickHouse for the period a few weeks at a time, each chunk sorted by
// time, so the server never sorts the whole period at once.
const chunkWeeks = 4

// events reads the usage events of the period from ClickHouse a few weeks
// at a time (in time order, streamed: never all at once),
// with the registry's names of companies and authorities.
func (d Deps) events(ctx context.Context, spec Spec, scope auth.Scope) (source, error) {
	companies, err := RegistryNames(ctx, d.DB, "companies")
	if err != nil {
		return source{}, err
	}
	authorities, err := RegistryNames(ctx, d.DB, "authorities")
	if err != nil {
		return source{}, err
	}
	yes, no := web.Translate(spec.Lang, "reports.yes"), web.Translate(spec.Lang, "reports.no")
	flag := func(v *uint8) any {
		switch {
		case v == nil:
			return nil
		case *v != 0:
			return yes
		}
		return no
	}
	return source{
		sheet: web.Translate(spec.Lang, "reports.sheet.events"),
		cols: columns(spec.Lang, "week", reports.Text, "occurred_at", reports.DateTime, "type", reports.Text,
			"company_cvr", reports.Text, "company", reports.Text, "authority_cvr", reports.Text, "authority", reports.Text,
			"channel", reports.Text, "metadata", reports.Text, "deep_link", reports.Text, "by_rule", reports.Text,
			"message_ref", reports.Text, "user_ref", reports.Text, "rights_model", reports.Text, "reason", reports.Text,
			"folder", reports.Text, "role", reports.Text, "source", reports.Text),
		count: func(ctx context.Context) (int64, error) {
			where, args := eventsWhere(spec, scope, spec.From.Start(), spec.To.End())
			var n uint64
			err := d.CH.QueryRow(ctx, `SELECT count()`+where, args...).Scan(&n)
			return int64(n), err
		},
		each: func(ctx context.Context, emit func([]any) error) error {
			row := make([]any, 18)
			words := eventWords(spec.Lang)
			var (
				at                                                                 time.Time
				typ, company, authority, channel                                   string
				meta, deep, rule                                                   *uint8
				messageRef, userRef, rightsModel, reason, folder, role, sourceName string
			)
			for lo := spec.From; !lo.After(spec.To); lo = lo.Add(chunkWeeks) {
				hi := lo.Add(chunkWeeks - 1)
				if hi.After(spec.To) {
					hi = spec.To
				}
				where, args := eventsWhere(spec, scope, lo.Start(), hi.End())
				rows, err := d.CH.Query(smallBlocks(ctx), `SELECT `+eventColumns+where+` ORDER BY occurred_at, company_cvr`, args...)
				if err != nil {
					return err
				}
				var weekText string
				var weekEnd time.Time
				for rows.Next() {
					if err := rows.Scan(&at, &typ, &company, &authority, &channel, &meta, &deep, &rule,
						&messageRef, &userRef, &rightsModel, &reason, &folder, &role, &sourceName); err != nil {
						rows.Close()
						return err
					}
					if !at.Before(weekEnd) { // rows come in time order: a new week
						w := week.Of(at)
						weekText, weekEnd = w.String(), w.End()
					}
					row[0], row[1], row[2], row[3], row[4], row[5] = weekText, at, word(words, typ), company, companies[company], authority
					row[6], row[7], row[8], row[9], row[10] = authorities[authority], word(words, channel), flag(meta), flag(deep), flag(rule)
					row[11], row[12], row[13], row[14], row[15], row[16], row[17] = messageRef, userRef, rightsModel, reason, folder, role, sourceName
					if err := emit(row); err != nil {
						rows.Close()
						return err
					}
				}
				err = rows.Err()
				rows.Close()
				if err != nil {
					return err
				}
			}
			return nil
		},
	}, nil
}
