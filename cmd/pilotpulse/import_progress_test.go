package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// The import's progress, on constructed reading: without a terminal one
// line every 5 s; on a terminal a line redrawn in place; both with the
// share, lines, events per second and time left.
func TestImportProgress(t *testing.T) {
	start := time.Date(2012, 11, 5, 9, 0, 0, 0, time.UTC)
	for _, terminal := range []bool{false, true} {
		var out bytes.Buffer
		clock := start
		var read int64
		p := newImportProgress(&out, terminal, "export.ndjson", 4<<20, func() int64 { return read }, func() time.Time { return clock })
		// 1,024 events a second, 256 KiB a second: 16 s for the 4 MiB file.
		for i := 1; i <= 1024*12; i++ {
			if i%256 == 0 {
				clock = clock.Add(250 * time.Millisecond)
				read += 64 << 10
			}
			p.event(i)
		}
		p.done()
		got := out.String()
		if terminal {
			frames := strings.Split(got, "\r")
			// Redrawn at most every 200 ms: every 256 events here, 48 times, then cleared.
			if len(frames) != 1+48+1 || !strings.HasSuffix(got, "\r\033[K") || strings.Contains(got, "\n") {
				t.Fatalf("terminal: %d frames: %q", len(frames), got)
			}
			want := "export.ndjson: 75% (3.0 MiB of 4.0 MiB), 12288 lines, 12288 events, 1024 events/s, about 4s left\033[K"
			if frames[48] != want {
				t.Errorf("terminal, last frame %q, want %q", frames[48], want)
			}
			continue
		}
		lines := strings.Split(strings.TrimSpace(got), "\n")
		want := []string{
			"export.ndjson: 31% (1.2 MiB of 4.0 MiB), 5120 lines, 5120 events, 1024 events/s, about 11s left",
			"export.ndjson: 62% (2.5 MiB of 4.0 MiB), 10240 lines, 10240 events, 1024 events/s, about 6s left",
		}
		if strings.Join(lines, "\n") != strings.Join(want, "\n") {
			t.Errorf("plain lines:\n%s\nwant\n%s", got, strings.Join(want, "\n"))
		}
	}
}
