package analyticstest

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/internal/store"
)

// Valid CVRs (modulus 11).
const (
	CVRCompanyA   = "10000009"
	CVRCompanyB   = "10000017"
	CVRAuthorityX = "10000025"
	CVRAuthorityY = "10000033"
)

// QuietLogger logs nothing.
func QuietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// NewDB opens a migrated app database in dir.
func NewDB(t testing.TB, dir string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(dir, "pilotpulse.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// NewCH returns a fresh, migrated ClickHouse database on the 18.16 server
// (Server.NewCH; Engines lists the engines the SQL must run on).
func NewCH(t testing.TB) driver.Conn {
	t.Helper()
	return Server.NewCH(t)
}

// Sent is a message.sent event.
func Sent(id string, at time.Time, company, authority, channel string, meta, deep bool) event.Event {
	return event.Event{EventID: id, OccurredAt: at.UTC(), ReceivedAt: at.UTC(), Type: event.TypeMessageSent, CompanyCVR: company,
		AuthorityCVR: authority, Channel: channel, HasMetadata: &meta, HasDeepLink: &deep}
}

// Figures are every number the tables give: raw and rollups.
type Figures struct {
	Raw, RawMessages, RawMeta, RawDeep          uint64
	RollMessages, RollMeta, RollDeep, RollTotal uint64
}

// ReadFigures reads the Figures of a ClickHouse database.
func ReadFigures(t testing.TB, ch driver.Conn) Figures {
	t.Helper()
	ctx := context.Background()
	var f Figures
	q := func(sql string, dst ...any) {
		if err := ch.QueryRow(ctx, sql).Scan(dst...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	q(`SELECT count(), countIf(type = 'message.sent'), countIf(type = 'message.sent' AND has_metadata = 1),
		countIf(type = 'message.sent' AND has_deep_link = 1) FROM events`, &f.Raw, &f.RawMessages, &f.RawMeta, &f.RawDeep)
	q(`SELECT sum(messages), sum(with_metadata), sum(with_deep_link) FROM rollup_messages_daily`, &f.RollMessages, &f.RollMeta, &f.RollDeep)
	q(`SELECT sum(events) FROM rollup_company_daily`, &f.RollTotal)
	return f
}

// MixedNDJSON is a body of valid, duplicate, empty and invalid lines.
func MixedNDJSON() string {
	lines := []string{
		`{"event_id":"e1","occurred_at":"2012-11-05T09:30:00+01:00","type":"message.sent","company_cvr":"10000009","authority_cvr":"10000025","channel":"digital","has_metadata":true,"has_deep_link":false}`,
		`{"event_id":"e2","occurred_at":"2012-11-05T10:30:00Z","type":"user.login","company_cvr":"10000017","user_ref":"u1","extra":{"ignored":1}}`,
		`{"event_id":"e3","occurred_at":"2012-11-05 10:30","type":"user.login","company_cvr":"10000017"}`,
		``,
		`{"event_id":"e1","occurred_at":"2012-11-05T09:30:00+01:00","type":"message.sent","company_cvr":"10000009","authority_cvr":"10000025","channel":"digital"}`,
		`{"event_id":"e4","occurred_at":"2012-11-06T10:30:00Z","type":"message.sent","company_cvr":"10000008","authority_cvr":"10000025","channel":"digital"}`,
		`{"event_id":"e5","occurred_at":"2012-11-06T10:30:00Z","type":"something.new","company_cvr":"10000009"}`,
		`not json`,
		`{"event_id":"e6","occurred_at":"2012-11-06T11:30:00Z","type":"message.sent","company_cvr":"10000017","authority_cvr":"10000033","channel":"fax"}`,
		`{"event_id":"e7","occurred_at":"2012-11-06T11:30:00Z","type":"message.sent","company_cvr":"10000017","authority_cvr":"10000033","channel":"remote_print","has_deep_link":"yes"}`,
		`{"event_id":"e8","occurred_at":"2012-11-06T11:30:00Z","type":"message.sent","company_cvr":"10000017","authority_cvr":"10000033","channel":"remote_print","has_deep_link":true}`,
	}
	return strings.Join(lines, "\n") + "\n"
}

// DecodeAll decodes a stream into events and line errors.
func DecodeAll(t testing.TB, body string, f event.Format) ([]event.Event, []event.LineError) {
	t.Helper()
	var evs []event.Event
	rej, err := event.Decode(strings.NewReader(body), f, time.Date(2012, 12, 1, 0, 0, 0, 0, time.UTC), func(_ int, ev event.Event) error {
		evs = append(evs, ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs, rej
}
