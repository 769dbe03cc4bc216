package figures

import (
	"context"
	"sync"
)

// volume_weekly in memory: every view of the volume pages and the overview
// read it, and on 18.16 each read (argMax over versions, grouped by
// authority and week) cost a view more than the rest of its figures,
// though the table changes only when the refresher writes (every few
// seconds at most). Its rows, a row per authority and week (16,000 a year
// at national scale), are kept while its parts are the same
// (partsVersion, checked on every read), so a refresh shows at the next
// view; the dirty weeks are read from the daily rollup as before. The
// refresher reads the rows again right after it writes them
// (refreshAndKeep), so that the next view does not pay for the read: only
// a background merge of the table's parts leaves it to a view.

// weeklyKept is volume_weekly's latest rows, read at one version.
type weeklyKept struct {
	mu      sync.Mutex // one read at a time
	version string
	rows    []WeekVolume // by authority, then week; nil: not read
}

// weekly is volume_weekly's rows, the latest version of each authority and
// week, by authority then week. The slice is shared: read it only.
func (v *Volume) weekly(ctx context.Context) ([]WeekVolume, error) {
	version, err := partsVersion(ctx, v.ch, "volume_weekly")
	if err != nil {
		return nil, err
	}
	k := &v.kept
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.rows != nil && k.version == version {
		return k.rows, nil
	}
	// Read after the version was taken: at least as new as it.
	rows, err := scanWeekVolumes(v.ch.Query(ctx, `SELECT monday, authority_cvr,
			argMax(messages, version), argMax(digital, version), argMax(remote_print, version),
			argMax(with_metadata, version), argMax(with_deep_link, version), argMax(companies, version)
		FROM volume_weekly
		GROUP BY authority_cvr, monday`))
	if err != nil {
		return nil, err
	}
	sortWeekVolumes(rows)
	k.version, k.rows = version, append(make([]WeekVolume, 0, len(rows)), rows...)
	return k.rows, nil
}

// refreshAndKeep is Refresh, then, if it wrote weeks (or nothing is kept
// yet), the rows read into memory for the views to come.
func (v *Volume) refreshAndKeep(ctx context.Context) (RefreshReport, error) {
	rep, err := v.Refresh(ctx)
	if err != nil {
		return rep, err
	}
	v.kept.mu.Lock()
	empty := v.kept.rows == nil
	v.kept.mu.Unlock()
	if rep.Weeks > 0 || empty {
		if _, err := v.weekly(ctx); err != nil {
			return rep, err
		}
	}
	return rep, nil
}
