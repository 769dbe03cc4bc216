package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// importProgress reports how an import of one file goes: on a terminal a
// line redrawn in place (at most 5 times a second), elsewhere (a log, a
// pipe) a line every few seconds; both with the lines and bytes read,
// events per second and the time left (from the share of the file read).
type importProgress struct {
	out      io.Writer
	terminal bool
	name     string
	size     int64        // the file's size (compressed, for .gz)
	read     func() int64 // bytes of the file read so far
	now      func() time.Time
	every    time.Duration // between plain lines
	started  time.Time
	last     time.Time
	lines    int
	events   int
	drawn    bool
}

// Redraw intervals of importProgress.
const (
	progressRedraw = 200 * time.Millisecond
	progressEvery  = 5 * time.Second
)

func newImportProgress(out io.Writer, terminal bool, name string, size int64, read func() int64, now func() time.Time) *importProgress {
	t := now()
	return &importProgress{out: out, terminal: terminal, name: name, size: size, read: read, now: now, every: progressEvery, started: t, last: t}
}

// event notes one more line read (line is its number) and whether it was
// a valid event; it reports when it is time to.
func (p *importProgress) event(line int) {
	p.lines = max(p.lines, line)
	p.events++
	if p.events%256 != 0 { // the clock is read every 256 events
		return
	}
	p.tick()
}

// tick reports if it is time to.
func (p *importProgress) tick() {
	now := p.now()
	wait := p.every
	if p.terminal {
		wait = progressRedraw
	}
	if now.Sub(p.last) < wait {
		return
	}
	p.last = now
	if p.terminal {
		fmt.Fprintf(p.out, "\r%s\033[K", p.status(now))
		p.drawn = true
	} else {
		fmt.Fprintln(p.out, p.status(now))
	}
}

// status is the progress line.
func (p *importProgress) status(now time.Time) string {
	read := p.read()
	elapsed := now.Sub(p.started)
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", p.name)
	if p.size > 0 {
		fmt.Fprintf(&b, "%d%% (%s of %s), ", min(100, read*100/p.size), mib(read), mib(p.size))
	} else {
		fmt.Fprintf(&b, "%s, ", mib(read))
	}
	fmt.Fprintf(&b, "%d lines, %d events", p.lines, p.events)
	if secs := elapsed.Seconds(); secs > 0 {
		fmt.Fprintf(&b, ", %.0f events/s", float64(p.events)/secs)
	}
	if read > 0 && p.size > read {
		left := time.Duration(float64(elapsed) * float64(p.size-read) / float64(read))
		fmt.Fprintf(&b, ", about %s left", left.Round(time.Second))
	}
	return b.String()
}

// done clears the redrawn line, before the file's summary.
func (p *importProgress) done() {
	if p.drawn {
		fmt.Fprint(p.out, "\r\033[K")
		p.drawn = false
	}
}

// mib is a byte count in MiB with one decimal.
func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
