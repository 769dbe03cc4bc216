package sources

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/event"
)

// Subfolders of a directory source: files taken in, and files that could
// not be read (each with a NAME.error.txt saying why).
const (
	DoneFolder   = "done"
	FailedFolder = "failed"
)

// exportSuffixes are the files a directory source picks up.
var exportSuffixes = []string{".ndjson", ".ndjson.gz", ".jsonl", ".jsonl.gz", ".csv", ".csv.gz"}

func isExportFile(name string) bool {
	lower := strings.ToLower(name)
	for _, s := range exportSuffixes {
		if strings.HasSuffix(lower, s) && !strings.HasPrefix(name, ".") {
			return true
		}
	}
	return false
}

// pullDirectory takes in every settled export file of the folder, oldest
// first. A file is recognised by the SHA-256 of its content: one taken in
// before is moved to done/ without being read again. The warning names
// files moved to failed/.
func (p *Puller) pullDirectory(ctx context.Context, src Source) (string, error) {
	// The folder may have moved (or a link in it changed) since it was saved.
	if err := p.sources.reach.checkDir(src.Directory); err != nil {
		return "", fmt.Errorf("folder %s: %w", src.Directory, err)
	}
	entries, err := os.ReadDir(src.Directory)
	if err != nil {
		return "", fmt.Errorf("reading the folder: %w", err)
	}
	type candidate struct {
		name string
		mod  time.Time
	}
	var files []candidate
	now := time.Now()
	for _, e := range entries {
		if !e.Type().IsRegular() || !isExportFile(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // gone meanwhile
		}
		if now.Sub(info.ModTime()) < p.opt.Settle {
			continue // may still be being written: next round
		}
		files = append(files, candidate{e.Name(), info.ModTime()})
	}
	sort.Slice(files, func(i, j int) bool {
		if !files[i].mod.Equal(files[j].mod) {
			return files[i].mod.Before(files[j].mod)
		}
		return files[i].name < files[j].name
	})
	var warnings []string
	for _, f := range files {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		warn, err := p.takeFile(ctx, src, f.name)
		if err != nil {
			return "", fmt.Errorf("%s: %w", f.name, err)
		}
		if warn != "" {
			warnings = append(warnings, warn)
		}
	}
	return strings.Join(warnings, "; "), nil
}

// fileSHA256 hashes a file's content.
func fileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// takeFile stores one file's events in chunks of the batch limit, records
// its hash and moves it to done/. A file that cannot be decoded goes to
// failed/ (a warning, not a source failure); a store failure leaves the
// file where it is for the next attempt (events stored before are then
// recognised as duplicates).
func (p *Puller) takeFile(ctx context.Context, src Source, name string) (string, error) {
	path := filepath.Join(src.Directory, name)
	sum, size, err := fileSHA256(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return p.failFile(src, name, err)
	}
	done, err := p.sources.fileDone(ctx, src.ID, sum)
	if err != nil {
		return "", err
	}
	if done {
		p.log.Info("pull: file taken in before (same content), moved to done", "source", src.Name, "file", name, "sha256", sum)
		return "", moveInto(src.Directory, DoneFolder, name)
	}

	format, gzipped, err := event.FormatOf(name)
	if err != nil {
		return p.failFile(src, name, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return p.failFile(src, name, err)
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 256<<10)
	if gzipped {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return p.failFile(src, name, fmt.Errorf("not a gzip file: %w", err))
		}
		defer zr.Close()
		r = zr
	}
	// The file's progress is recorded once, with the file (recordFile): a
	// file read again after a failure or crash is counted once.
	total := progress{}
	events := 0
	stored, err := SpoolStream(ctx, p.store, src.Name, r, format, max(src.BatchLimit, 1), func(_ int, ev event.Event) {
		events++
		if ev.OccurredAt.After(total.Newest) {
			total.Newest = ev.OccurredAt
		}
	})
	total.Accepted, total.Duplicates = stored.Accepted, stored.Duplicates
	rejected := stored.Rejected
	var se storeError
	if errors.As(err, &se) {
		return "", err
	}
	if err != nil {
		return p.failFile(src, name, err)
	}
	total.Rejected = len(rejected)
	if len(rejected) > 0 {
		p.log.Warn("pull: lines rejected", "source", src.Name, "file", name, "rejected", len(rejected), "first", fmt.Sprintf("line %d: %s", rejected[0].Line, rejected[0].Error))
		writeRejected(filepath.Join(src.Directory, DoneFolder), name, rejected)
	}
	if err := p.sources.recordFile(ctx, src.ID, SourceFile{SHA256: sum, Name: name, Size: size, Events: events + len(rejected), Accepted: total.Accepted, Rejected: len(rejected)}, total); err != nil {
		return "", err
	}
	p.log.Info("pull: file taken in", "source", src.Name, "file", name, "accepted", total.Accepted, "duplicates", total.Duplicates, "rejected", len(rejected))
	return "", moveInto(src.Directory, DoneFolder, name)
}

// failFile moves an unreadable file to failed/ with NAME.error.txt.
func (p *Puller) failFile(src Source, name string, cause error) (string, error) {
	p.log.Warn("pull: file cannot be read, moved to failed", "source", src.Name, "file", name, "err", cause)
	dir := filepath.Join(src.Directory, FailedFolder)
	if err := moveInto(src.Directory, FailedFolder, name); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, name+".error.txt"), []byte(cause.Error()+"\n"), 0o644); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s moved to %s/: %v", name, FailedFolder, cause), nil
}

// writeRejected lists a file's rejected lines next to it in done/.
func writeRejected(dir, name string, rejected []event.LineError) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	var b strings.Builder
	for _, le := range rejected {
		fmt.Fprintf(&b, "line %d: %s\n", le.Line, le.Error)
	}
	os.WriteFile(filepath.Join(dir, name+".rejected.txt"), []byte(b.String()), 0o644)
}

// moveInto moves dir/name into dir/sub/, keeping the name unless taken.
func moveInto(dir, sub, name string) error {
	target := filepath.Join(dir, sub)
	if err := os.MkdirAll(target, 0o755); err != nil {
		return err
	}
	dst := filepath.Join(target, name)
	for n := 2; ; n++ {
		if _, err := os.Lstat(dst); errors.Is(err, os.ErrNotExist) {
			break
		}
		stem, ext := splitExt(name)
		dst = filepath.Join(target, fmt.Sprintf("%s-%d%s", stem, n, ext))
	}
	return os.Rename(filepath.Join(dir, name), dst)
}

// splitExt splits "a.ndjson.gz" into "a" and ".ndjson.gz".
func splitExt(name string) (string, string) {
	lower := strings.ToLower(name)
	for _, s := range exportSuffixes {
		if strings.HasSuffix(lower, s) {
			return name[:len(name)-len(s)], name[len(name)-len(s):]
		}
	}
	return name, ""
}
