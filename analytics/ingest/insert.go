// Step 2: inserting. The new events of claimed batches go to ClickHouse in
// one INSERT, each row tagged with its batch; the rollups are materialized
// views fed by that insert.

package ingest

import (
	"context"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/pilotpulse/pilotpulse/analytics/event"
)

const insertEventsSQL = `INSERT INTO events (source, event_id, occurred_at, received_at, type, company_cvr, authority_cvr, channel,
	has_metadata, has_deep_link, by_rule, message_ref, user_ref, rights_model, reason, folder, role, batch_id, origin)`

// insert writes the new events of the flights to ClickHouse in one INSERT,
// each row tagged with its flight's batch. The rows go in blocks of at most
// insertBlockRows (the server joins them into one part per partition: it
// squashes blocks up to min_insert_block_size_rows), so the client's
// column buffers stay small and are reused from block to block.
func (i *Ingester) insert(ctx context.Context, source string, flights []*flight) error {
	n := 0
	for _, f := range flights {
		n += f.rows
	}
	if n == 0 {
		return nil
	}
	if i.beforeInsert != nil {
		ids := make([]int64, 0, len(flights))
		for _, f := range flights {
			if f.rows > 0 {
				ids = append(ids, f.batchID)
			}
		}
		if err := i.beforeInsert(ids); err != nil {
			return err
		}
	}
	size := min(n, insertBlockRows)
	var (
		src, id, typ, company, authority, channel = make([]string, size), make([]string, size), make([]string, size), make([]string, size), make([]string, size), make([]string, size)
		msg, user, rights, reason, folder, role   = make([]string, size), make([]string, size), make([]string, size), make([]string, size), make([]string, size), make([]string, size)
		occurred, received                        = make([]time.Time, size), make([]time.Time, size)
		meta, deep, rule                          = make([]*uint8, size), make([]*uint8, size), make([]*uint8, size)
		batch                                     = make([]uint64, size)
		origin                                    = make([]string, size)
	)
	b, err := i.ch.PrepareBatch(i.insertContext(clickhouse.Context(ctx, clickhouse.WithQueryID(insertQueryID(source)))), insertEventsSQL)
	if err != nil {
		return err
	}
	j := 0
	flush := func(last bool) error {
		cols := []any{src[:j], id[:j], occurred[:j], received[:j], typ[:j], company[:j], authority[:j], channel[:j],
			meta[:j], deep[:j], rule[:j], msg[:j], user[:j], rights[:j], reason[:j], folder[:j], role[:j], batch[:j], origin[:j]}
		for c, v := range cols {
			if err := b.Column(c).Append(v); err != nil {
				return err
			}
		}
		j = 0
		if last {
			return b.Send()
		}
		return b.Flush()
	}
	for _, f := range flights {
		if f.rows == 0 {
			continue
		}
		// The strings point into the payload; the columns copy them.
		err := scanSpool(f.payload, true, func(ev *event.Event) error {
			if j == size {
				if err := flush(false); err != nil {
					return err
				}
			}
			src[j], id[j], typ[j], company[j], authority[j], channel[j] = source, ev.EventID, ev.Type, ev.CompanyCVR, ev.AuthorityCVR, ev.Channel
			msg[j], user[j], rights[j], reason[j], folder[j], role[j] = ev.MessageRef, ev.UserRef, ev.RightsModel, ev.Reason, ev.Folder, ev.Role
			occurred[j], received[j] = ev.OccurredAt, ev.ReceivedAt
			meta[j], deep[j], rule[j] = boolByte(ev.HasMetadata), boolByte(ev.HasDeepLink), boolByte(ev.ByRule)
			batch[j], origin[j] = uint64(f.batchID), f.origin
			j++
			return nil
		})
		if err != nil {
			_ = b.Abort()
			return err
		}
	}
	if err := flush(true); err != nil {
		_ = b.Abort()
		return err
	}
	return nil
}

// An insert of a source's events is named in ClickHouse's process list
// (system.processes) by its query id: insertQueryPrefix(source) and a
// random part. An insert whose connection broke (an outage, a crash of this
// process) may still be finishing on the server for a moment; settling
// waits until none is listed before it looks at what ClickHouse holds
// (awaitOrphanInserts, settle.go), or it would insert those rows again.
func insertQueryPrefix(source string) string {
	return "pilotpulse-insert-" + hex.EncodeToString([]byte(keyPrefix(source))) + "-"
}

func insertQueryID(source string) string {
	return fmt.Sprintf("%s%016x", insertQueryPrefix(source), rand.Uint64())
}

// insertContext carries the settings of an insert. ClickHouse 19.x and
// later refuse an insert that spans more than max_partitions_per_insert_block
// (default 100) months; an insert here joins many calls (a backfill may span
// years), and refusing it would hold its batches pending for ever, so the
// limit is lifted where the server has it (18.16 has no such limit, and
// refuses unknown settings).
func (i *Ingester) insertContext(ctx context.Context) context.Context {
	i.mu.Lock()
	known, settings := i.settingsKnown, i.insertSettings
	i.mu.Unlock()
	if !known { // asked until the server answers
		var n uint64
		qctx, cancel := context.WithTimeout(ctx, pingTimeout)
		err := i.ch.QueryRow(qctx, `SELECT count() FROM system.settings WHERE name = 'max_partitions_per_insert_block'`).Scan(&n)
		cancel()
		if err == nil {
			if n > 0 {
				settings = clickhouse.Settings{"max_partitions_per_insert_block": 0}
			}
			i.mu.Lock()
			i.settingsKnown, i.insertSettings = true, settings
			i.mu.Unlock()
		}
	}
	if settings == nil {
		return ctx
	}
	return clickhouse.Context(ctx, clickhouse.WithSettings(settings))
}

// insertBlockRows is the most rows one block of an insert carries.
const insertBlockRows = 16384

var (
	byteFalse, byteTrue = uint8(0), uint8(1)
)

func boolByte(b *bool) *uint8 {
	switch {
	case b == nil:
		return nil
	case *b:
		return &byteTrue
	default:
		return &byteFalse
	}
}
