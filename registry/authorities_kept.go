package registry

import (
	"context"
	"sync"

	"github.com/pilotpulse/pilotpulse/internal/auth"
)

// The authorities in memory: the volume pages and the overview read every
// authority on every view (300 at national scale, a fifth of the volume
// page's time at 10 M events). The list is kept while the authorities'
// change counter (migration 0016, triggers on the table, so whichever
// process writes) stays the same; one row is read to know.

// authoritiesKept is the whole authorities table, read at one version.
type authoritiesKept struct {
	mu      sync.Mutex
	version int64
	list    []Authority // by name, then CVR; nil: not read
}

// allAuthorities is every authority, by name then CVR, read again only
// when the table changed. The slice is shared: read it only.
func (s *Store) allAuthorities(ctx context.Context) ([]Authority, error) {
	var version int64
	if err := s.db.QueryRowContext(ctx, `SELECT changes FROM change_counters WHERE name = 'authorities'`).Scan(&version); err != nil {
		return nil, err
	}
	k := &s.kept
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.list != nil && k.version == version {
		return k.list, nil
	}
	// Read after the version was taken: at least as new as it.
	list, err := s.queryAuthorities(ctx, auth.SystemScope(), "")
	if err != nil {
		return nil, err
	}
	k.version, k.list = version, list
	return list, nil
}

// scoped is the authorities of list the scope may see, copies the caller
// may change.
func scoped(list []Authority, scope auth.Scope) []Authority {
	out := []Authority{}
	for _, a := range list {
		if !scope.Allows(a.CVR) {
			continue
		}
		if a.WeeklyTarget != nil {
			t := *a.WeeklyTarget
			a.WeeklyTarget = &t
		}
		out = append(out, a)
	}
	return out
}
