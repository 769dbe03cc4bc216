package tabular_test

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/tabular"
	"github.com/pilotpulse/pilotpulse/internal/tabular/tabulartest"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
)

func TestMain(m *testing.M) { warehousetest.Main(m) }

var callHeader = []string{"company", "caller_name", "received_at", "desk", "channel", "category", "description", "resolution"}

// Eight support users upload hostile files at once through the real import
// route: each gets a 4xx answer with a message, and the server's heap stays
// bounded.
func TestHostileUploads(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	files := tabulartest.HostileFiles(callHeader)
	// Each kind of hostile file, those that cost the most twice.
	names := []string{"amplify.xlsx", "amplify.xlsx", "cell.xlsx", "commas.csv", "sheet.xlsx", "sheet.xlsx", "strings.xlsx", "strings.xlsx"}
	for name := range files {
		if !slices.Contains(names, name) {
			t.Fatalf("%s is not uploaded", name)
		}
	}
	clients := make([]*apptest.Client, len(names))
	for i := range clients {
		clients[i] = env.As(auth.RoleSupport, "")
	}
	responses := make([]apptest.Response, len(clients))
	growth := tabular.HeapGrowth(func() {
		var wg sync.WaitGroup
		for i, c := range clients {
			wg.Go(func() {
				responses[i] = c.Upload("/api/v1/support/calls/import", names[i], files[names[i]])
			})
		}
		wg.Wait()
	})
	for i, r := range responses {
		name := names[i]
		switch {
		case r.StatusCode == 400 && (strings.Contains(r.Body, `"error":"`+name+`: `) || strings.Contains(r.Body, `"error":"`+name+`, række `)):
		case r.StatusCode == 429 && strings.Contains(r.Body, "For mange importer"):
		default:
			t.Errorf("%s: %d %.300s", name, r.StatusCode, r.Body)
		}
	}
	t.Logf("8 hostile uploads grew the heap by %d MB", growth>>20)
	if growth > 300<<20 {
		t.Errorf("8 hostile uploads grew the heap by %d MB", growth>>20)
	}
}

// An upload that finds every import slot taken gets 429 with Retry-After,
// in the user's language; once a slot is free the same file imports.
func TestUploadBusy(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	sup := env.As(auth.RoleSupport, "")
	csv := []byte(strings.Join(callHeader, ",") + "\n")
	undo := tabular.HoldSlots(time.Millisecond)
	r := sup.Upload("/api/v1/support/calls/import", "calls.csv", csv)
	undo()
	if r.StatusCode != 429 || r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "For mange importer på én gang") {
		t.Fatalf("busy: %d %v %s", r.StatusCode, r.Header, r.Body)
	}
	if r := sup.Upload("/api/v1/support/calls/import", "calls.csv", csv); r.StatusCode != 400 || !strings.Contains(r.Body, "calls.csv: ingen rækker med data") {
		t.Fatalf("after: %d %s", r.StatusCode, r.Body)
	}

	admin := env.As(auth.RoleAdmin, "")
	undo = tabular.HoldSlots(time.Millisecond)
	r = admin.Upload("/api/v1/companies/import", "companies.csv", []byte("cvr,name,kind\n"))
	undo()
	if r.StatusCode != 429 || r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "For mange importer på én gang") {
		t.Fatalf("busy registry: %d %v %s", r.StatusCode, r.Header, r.Body)
	}
}

// The import forms (companies, authorities, support calls) answer a busy
// import as the API does, 429 with Retry-After, and show the form again
// with what happened and when to try again, in the user's language.
func TestUploadFormsBusy(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	admin := env.As(auth.RoleAdmin, "")
	for _, f := range []struct{ path, file, header string }{
		{"/companies/import", "companies.csv", "cvr,name,kind\n"},
		{"/authorities/import", "authorities.csv", "cvr,name,kind\n"},
		{"/support/calls/import", "calls.csv", strings.Join(callHeader, ",") + "\n"},
	} {
		undo := tabular.HoldSlots(time.Millisecond)
		r := admin.Upload(f.path, f.file, []byte(f.header))
		undo()
		if r.StatusCode != 429 || r.Header.Get("Retry-After") != strconv.Itoa(tabular.RetryAfter) ||
			!strings.Contains(r.Body, `action="`+f.path+`"`) ||
			!strings.Contains(r.Body, "For mange importer på én gang: filen blev ikke læst. Prøv igen om 10 sekunder.") {
			t.Errorf("%s busy: %d %v %s", f.path, r.StatusCode, r.Header, r.Body)
		}
	}
}
