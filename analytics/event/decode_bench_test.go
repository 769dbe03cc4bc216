package event_test

import (
	"bytes"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/event"
)

// BenchmarkDecodeNDJSON decodes a push body of the shape cmd/bench-ingest
// sends (the fast path): go test -bench DecodeNDJSON ./analytics/event
func BenchmarkDecodeNDJSON(b *testing.B) {
	var body bytes.Buffer
	const n = 10_000
	for i := range n {
		at := time.Date(2012, 11, 5, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second).Format(time.RFC3339)
		fmt.Fprintf(&body, `{"event_id":"ev-%d","occurred_at":"%s","type":"message.sent","company_cvr":"10000009","authority_cvr":"10000025","channel":"digital","has_metadata":true,"has_deep_link":false,"message_ref":"msg-%d"}`+"\n", i, at, i)
	}
	received := time.Date(2012, 12, 1, 0, 0, 0, 0, time.UTC)
	b.SetBytes(int64(body.Len()))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		got := 0
		err := event.DecodeEach(bytes.NewReader(body.Bytes()), event.FormatNDJSON, received,
			func(int, event.Event) error { got++; return nil },
			func(le event.LineError) error { return fmt.Errorf("rejected: %v", le) })
		if err != nil || got != n {
			b.Fatalf("decoded %d of %d: %v", got, n, err)
		}
	}
	// CPU, not wall time: the machine may be shared.
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1e6/float64(b.N*n), "cpu-s/Mevents")
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
