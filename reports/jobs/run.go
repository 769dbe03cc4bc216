package jobs

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Builder writes the file of a job to w, saying how far it is through p.
type Builder func(ctx context.Context, j Job, p *Progress, w io.Writer) error

// Simple is a Builder for a file whose progress is not counted (a workbook
// built at once): the job shows as running until it is done.
func Simple(build func(ctx context.Context, w io.Writer) error) Builder {
	return func(ctx context.Context, _ Job, _ *Progress, w io.Writer) error { return build(ctx, w) }
}

// Progress is how far a running job is: the rows it will write (when
// known) and the rows written. Safe for concurrent use; the pool stores it
// a few times a second.
type Progress struct {
	written, total atomic.Int64 // total < 0: not known
	throttle       func(rows int64)
}

// SetTotal says how many rows the job will write.
func (p *Progress) SetTotal(n int64) { p.total.Store(n) }

// SetRows says how many rows are written so far.
func (p *Progress) SetRows(n int64) {
	p.written.Store(n)
	if p.throttle != nil {
		p.throttle(n)
	}
}

// SetThrottle makes every running job call f whenever it reports its rows
// (from the job's goroutine). For tests only: a browser test slows an
// export down so that its progress bar can be seen moving.
func (s *Store) SetThrottle(f func(rows int64)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle = f
}

// progressEvery is how often a running job's progress is stored.
const progressEvery = 250 * time.Millisecond

// sweepEvery is how often the retention is applied.
const sweepEvery = time.Hour

// Run runs queued jobs, at most workers at once, until ctx ends. It first
// fails the jobs a crash left running (Recover), and removes the jobs
// finished more than retention ago at start and every hour. A job the
// stop interrupts fails as Interrupted.
func (s *Store) Run(ctx context.Context, workers int, retention time.Duration, logger *slog.Logger) {
	if n, err := s.Recover(ctx); err != nil {
		logger.Error("report jobs: recovering interrupted jobs", "err", err)
	} else if n > 0 {
		logger.Warn("report jobs interrupted by the last stop marked failed", "jobs", n)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(sweepEvery)
		defer t.Stop()
		for {
			if n, err := s.Sweep(ctx, retention); err != nil && ctx.Err() == nil {
				logger.Warn("report jobs: removing old files", "err", err)
			} else if n > 0 {
				logger.Info("report jobs past their retention removed", "jobs", n, "retention", retention)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	for range max(workers, 1) {
		wg.Go(func() { s.work(ctx, logger) })
	}
	wg.Wait()
}

// work runs one job after another; it looks for queued jobs when woken by
// Submit and every few seconds (jobs queued by another process).
func (s *Store) work(ctx context.Context, logger *slog.Logger) {
	t := time.NewTicker(3 * time.Second)
	defer t.Stop()
	for ctx.Err() == nil {
		j, ok, err := s.claim(ctx)
		if err != nil && ctx.Err() == nil {
			logger.Warn("report jobs: claiming a job", "err", err)
		}
		if ok {
			s.runJob(ctx, j, logger)
			select { // another worker may sleep while jobs wait
			case s.wake <- struct{}{}:
			default:
			}
			continue
		}
		select {
		case <-ctx.Done():
		case <-s.wake:
		case <-t.C:
		}
	}
}

// claim takes the oldest queued job and marks it running. It looks first
// (a read), so that idle workers never take the database's write lock.
func (s *Store) claim(ctx context.Context) (Job, bool, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM report_jobs WHERE state = ? LIMIT 1`, Queued).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, false, nil
	}
	if err != nil {
		return Job{}, false, err
	}
	err = s.db.QueryRowContext(ctx, `UPDATE report_jobs SET state = ?, started_at = ?
		WHERE id = (SELECT id FROM report_jobs WHERE state = ? ORDER BY id LIMIT 1) RETURNING id`, Running, s.now(), Queued).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, false, nil
	}
	if err != nil {
		return Job{}, false, err
	}
	j, err := s.Get(ctx, id)
	return j, err == nil, err
}

func (s *Store) partPath(j Job) string {
	return filepath.Join(s.Dir(), fmt.Sprintf("job-%d.%s.part", j.ID, j.Format))
}

// runJob builds j's file and stores the outcome.
func (s *Store) runJob(ctx context.Context, j Job, logger *slog.Logger) {
	s.mu.RLock()
	p := &Progress{throttle: s.throttle}
	s.mu.RUnlock()
	p.total.Store(-1)
	stored := make(chan struct{})
	done := make(chan struct{})
	go func() { // store the progress while the job runs
		defer close(stored)
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				s.storeProgress(ctx, j.ID, p)
			}
		}
	}()
	size, err := s.build(ctx, j, p)
	close(done)
	<-stored
	j.RowsWritten = p.written.Load()
	if total := p.total.Load(); total >= 0 {
		j.RowsTotal = &total
	}
	switch {
	case err == nil:
		j.State, j.path = Done, filepath.Join("reports", fmt.Sprintf("job-%d.%s", j.ID, j.Format))
	case ctx.Err() != nil:
		j.State, j.Error = Failed, Interrupted
	default:
		j.State, j.Error = Failed, err.Error()
		logger.Warn("report job failed", "job", j.ID, "kind", j.Kind, "err", err)
	}
	// The outcome is stored even when ctx ended (the app stopping).
	if err := s.finish(context.WithoutCancel(ctx), j, size); err != nil {
		logger.Error("report job: storing the outcome", "job", j.ID, "err", err)
	}
}

// build writes the job's file (a .part file renamed once complete) and
// returns its size.
func (s *Store) build(ctx context.Context, j Job, p *Progress) (int64, error) {
	k, ok := s.kind(j.Kind)
	if !ok {
		return 0, fmt.Errorf("unknown kind of report job %q", j.Kind)
	}
	if err := os.MkdirAll(s.Dir(), 0o700); err != nil {
		return 0, err
	}
	part := s.partPath(j)
	f, err := os.OpenFile(part, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 256<<10)
	err = k.Build(ctx, j, p, w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(part)
		return 0, err
	}
	info, err := os.Stat(part)
	if err != nil {
		return 0, err
	}
	final := filepath.Join(s.Dir(), fmt.Sprintf("job-%d.%s", j.ID, j.Format))
	if err := os.Rename(part, final); err != nil {
		return 0, err
	}
	return info.Size(), nil
}

func (s *Store) storeProgress(ctx context.Context, id int64, p *Progress) {
	var total *int64
	if t := p.total.Load(); t >= 0 {
		total = &t
	}
	s.db.ExecContext(ctx, `UPDATE report_jobs SET rows_written = ?, rows_total = ? WHERE id = ? AND state = ?`, p.written.Load(), total, id, Running)
}

// finish stores a job's outcome and records it in the audit log.
func (s *Store) finish(ctx context.Context, j Job, size int64) error {
	var sz *int64
	if j.State == Done {
		sz = &size
	}
	_, err := s.db.ExecContext(ctx, `UPDATE report_jobs SET state = ?, error = ?, rows_written = ?, rows_total = ?, file_path = ?, size_bytes = ?,
		finished_at = ? WHERE id = ?`, j.State, j.Error, j.RowsWritten, j.RowsTotal, j.path, sz, s.now(), j.ID)
	if err != nil {
		return err
	}
	s.record(ctx, j)
	return nil
}
