package demofeed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// FeedOptions tune the demo feed server.
type FeedOptions struct {
	DefaultLimit int           // events per page when the client names no limit (default 500)
	MaxLimit     int           // the largest page served (default 5000)
	Delay        time.Duration // wait before answering each page (a slow upstream)
}

// FeedHandler serves events by the http-feed contract
// (docs/events.md#http-feed):
// GET /events?after=CURSOR&limit=N answers
// {"events": […], "next": "CURSOR", "has_more": bool}. The cursor is the
// number of events before the next page, as text; no "after" starts at the
// beginning. The same events always give the same pages.
func FeedHandler(events []FeedEvent, opt FeedOptions) http.Handler {
	if opt.DefaultLimit <= 0 {
		opt.DefaultLimit = 500
	}
	if opt.MaxLimit <= 0 {
		opt.MaxLimit = 5000
	}
	lines := make([][]byte, len(events))
	for i, e := range events {
		b, err := json.Marshal(e)
		if err != nil {
			panic(err) // plain strings and bools: cannot fail
		}
		lines[i] = b
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		from := 0
		if q.Has("after") {
			n, err := strconv.Atoi(q.Get("after"))
			if err != nil || n < 0 || n > len(lines) || strconv.Itoa(n) != q.Get("after") {
				feedError(w, http.StatusBadRequest, "after: unknown cursor")
				return
			}
			from = n
		}
		limit := opt.DefaultLimit
		if q.Has("limit") {
			n, err := strconv.Atoi(q.Get("limit"))
			if err != nil || n < 1 {
				feedError(w, http.StatusBadRequest, "limit: want a whole number of at least 1")
				return
			}
			limit = min(n, opt.MaxLimit)
		}
		if opt.Delay > 0 {
			select {
			case <-time.After(opt.Delay):
			case <-r.Context().Done():
				return
			}
		}
		to := min(from+limit, len(lines))
		var buf bytes.Buffer
		buf.WriteString(`{"events":[`)
		for i := from; i < to; i++ {
			if i > from {
				buf.WriteByte(',')
			}
			buf.Write(lines[i])
		}
		fmt.Fprintf(&buf, `],"next":%q,"has_more":%t}`, strconv.Itoa(to), to < len(lines))
		w.Header().Set("Content-Type", "application/json")
		w.Write(buf.Bytes())
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "Pilotpulse demo upstream feed: %d events.\nGET /events?after=CURSOR&limit=N -> {\"events\": [...], \"next\": \"CURSOR\", \"has_more\": bool}\n", len(lines))
	})
	return mux
}

func feedError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
