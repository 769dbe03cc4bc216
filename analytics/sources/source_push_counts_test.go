package sources_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/sources"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
)

// metricValue is the value of the /metrics line that starts with series.
func metricValue(t *testing.T, metrics, series string) float64 {
	t.Helper()
	for _, line := range strings.Split(metrics, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %q", series, line)
			}
			return f
		}
	}
	t.Fatalf("/metrics lacks %s", series)
	return 0
}

// Push sources show what their pushes brought: new events, duplicates and
// rejected lines (the sum of the answers), the last push, the lag and the
// newest event, on the sources page, the source's page, in the API and in
// /metrics (issue 13 #8: they showed 0 pulled and 0 duplicates).
func TestPushSourcesShowTheirCounts(t *testing.T) {
	env := apptest.New(t)
	c := env.Bearer(env.SourceToken("feed-a"))
	env.SourceToken("quiet") // a push source nothing was pushed to
	before := time.Now().UTC().Add(-time.Second)
	result(t, post(c, "", "application/x-ndjson", "", []byte(pushBatch))) // 3 new, 1 duplicate, 2 rejected
	result(t, post(c, "", "application/x-ndjson", "", []byte(pushBatch))) // 0 new, 4 duplicates, 2 rejected
	admin := env.As(auth.RoleAdmin, "")
	result(t, post(env.Bearer(env.TokenFor(env.User(auth.RoleAdmin, ""))), "?source=feed-a", "application/x-ndjson", "",
		[]byte(eventLine("admin-1")+eventLine("e2")))) // 1 new, 1 duplicate

	var list []sources.Source
	admin.Get("/api/v1/sources").JSON(t, &list)
	if len(list) != 2 || list[0].Name != "feed-a" || list[1].Name != "quiet" {
		t.Fatalf("list: %+v", list)
	}
	st := list[0].Status
	newest := time.Date(2012, 11, 6, 10, 30, 0, 0, time.UTC)
	if st.Pushed.Accepted != 4 || st.Pushed.Duplicates != 6 || st.Pushed.Rejected != 4 || st.Pushed.LastAt == nil || st.Pushed.LastAt.Before(before) ||
		st.NewestEventAt == nil || !st.NewestEventAt.Equal(newest) || st.LagSeconds == nil || *st.LagSeconds < 0 {
		t.Fatalf("feed-a status: %+v", st)
	}
	if q := list[1].Status; q.Pushed.Accepted != 0 || q.Pushed.LastAt != nil || q.LagSeconds != nil {
		t.Fatalf("quiet status: %+v", q)
	}

	en := env.As(auth.RoleAdmin, "")
	if r := en.PostForm("/lang", url.Values{"lang": {"en"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("choose English: %d", r.StatusCode)
	}
	page := en.Get("/sources")
	want := `4 new <span class="muted">(6 duplicates, 4 rejected)</span>`
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, want) || !strings.Contains(page.Body, `0 new <span class="muted">(0 duplicates, 0 rejected)`) {
		t.Fatalf("sources page: %d, want %q in %s", page.StatusCode, want, page.Body)
	}
	one := en.Get("/sources/" + strconv.FormatInt(list[0].ID, 10))
	if one.StatusCode != http.StatusOK || !strings.Contains(one.Body, `id="push-status"`) || !strings.Contains(one.Body, want) || !strings.Contains(one.Body, "Last pushed") {
		t.Fatalf("source page: %d %s", one.StatusCode, one.Body)
	}

	metrics := env.Anonymous().Get("/metrics").Body
	for outcome, n := range map[string]float64{"accepted": 4, "duplicate": 6, "rejected": 4} {
		if got := metricValue(t, metrics, `pilotpulse_source_events_pushed_total{kind="push",outcome="`+outcome+`",source="feed-a"}`); got != n {
			t.Errorf("pushed %s: %v, want %v", outcome, got, n)
		}
	}
	if got := metricValue(t, metrics, `pilotpulse_source_newest_event_timestamp_seconds{kind="push",source="feed-a"}`); got != float64(newest.Unix()) {
		t.Errorf("newest event: %v, want %d", got, newest.Unix())
	}
	if got := metricValue(t, metrics, `pilotpulse_source_lag_seconds{kind="push",source="feed-a"}`); got < 0 {
		t.Errorf("lag: %v", got)
	}
	if got := metricValue(t, metrics, `pilotpulse_source_events_pushed_total{kind="push",outcome="accepted",source="quiet"}`); got != 0 {
		t.Errorf("quiet: %v", got)
	}
	if strings.Contains(metrics, `pilotpulse_source_lag_seconds{kind="push",source="quiet"}`) {
		t.Error("a source never pushed to has a lag")
	}
}
