package problem_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/pilotpulse/pilotpulse/internal/problem"
)

// TestUnavailableClassifiesRealDriverErrors: an outage is what the drivers
// say when a store does not answer; anything else is not one.
func TestUnavailableClassifiesRealDriverErrors(t *testing.T) {
	// A connection refused: listen, take the port, close it, dial it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, refused := net.Dial("tcp", addr)
	if refused == nil {
		t.Fatal("dialing a closed port succeeded")
	}

	// SQLite busy: one connection holds the write lock, another with no
	// busy timeout wants it.
	path := filepath.Join(t.TempDir(), "busy.db")
	holder, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.Exec(`CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	tx, err := holder.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, busy := other.Exec(`INSERT INTO t VALUES (2)`)
	if busy == nil {
		t.Fatal("a second writer got the lock")
	}

	// A closed database is our fault, not an outage; so is a bad query.
	closed, _ := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "closed.db"))
	closed.Close()
	_, closedErr := closed.Exec(`SELECT 1`)
	_, syntax := other.Exec(`SELEC nonsense`)

	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", fmt.Errorf("query: %w", refused), true},
		{"sqlite busy", fmt.Errorf("save: %w", busy), true},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), true},
		{"marked unavailable", fmt.Errorf("%w: ClickHouse", problem.ErrUnavailable), true},
		{"closed database", closedErr, false},
		{"sql syntax", syntax, false},
		{"a bug", errors.New("index out of range"), false},
		{"not found", problem.NotFound("error.not_found_record"), false},
		{"nil", nil, false},
	} {
		if got := problem.Unavailable(tc.err); got != tc.want {
			t.Errorf("%s (%v): Unavailable = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

func TestMessagesAndFields(t *testing.T) {
	var fs problem.Fields
	fs.Add("cvr", "field.required")
	fs.AddOnce("cvr", "ignored")
	fs.AddErr("name", problem.Reason("too long by %d", 3))
	if fs.Error() != "cvr: field.required; name: too long by 3" {
		t.Fatalf("Error() = %q", fs.Error())
	}
	if err := (problem.Fields{}).Err(); err != nil {
		t.Fatalf("empty Fields.Err() = %v", err)
	}
	var got problem.Fields
	if !errors.As(fmt.Errorf("wrapped: %w", fs), &got) || len(got) != 2 {
		t.Fatalf("Fields not found through wrapping")
	}
	// An argument with a text per language is shown in the reader's.
	if got := problem.Msg("%s!", bilingual{"hej", "hello"}).In("da"); got != "hej!" {
		t.Errorf("a Localized argument in Danish: %q", got)
	}
	if got := problem.Join(" % ", bilingual{"ja", "yes"}, "x").In("en"); got != "yes % x" {
		t.Errorf("Join: %q", got)
	}
	if !errors.Is(problem.Conflict("x"), problem.ErrConflict) || !errors.Is(problem.NotFound("x"), problem.ErrNotFound) {
		t.Fatal("kinds are not found by errors.Is")
	}
}

type bilingual struct{ da, en string }

func (b bilingual) In(lang string) string {
	if lang == "en" {
		return b.en
	}
	return b.da
}
