package figures

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/analytics/ingest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
)

// WeekVolume is what one authority sent in one ISO week (Europe/Copenhagen),
// read from the rollup rollup_messages_daily.
type WeekVolume struct {
	AuthorityCVR string `json:"authority_cvr"`
	Week         string `json:"week"`   // ISO week, like 2012-W46
	Monday       string `json:"monday"` // its first day, 2012-11-12
	Messages     uint64 `json:"messages"`
	Digital      uint64 `json:"digital"`
	RemotePrint  uint64 `json:"remote_print"`
	WithMetadata uint64 `json:"with_metadata"`
	WithDeepLink uint64 `json:"with_deep_link"`
	Companies    uint64 `json:"companies"` // distinct companies reached
}

// VolumePerAuthorityWeek returns message.sent volume per authority and ISO
// week for the weeks whose Monday lies in [from, to] (dates, Copenhagen
// calendar), restricted to the scope. Weeks are whole: from is moved back to
// its Monday.
func VolumePerAuthorityWeek(ctx context.Context, ch driver.Conn, scope auth.Scope, from, to time.Time) ([]WeekVolume, error) {
	from = mondayOf(from)
	filter, args := scope.AuthorityFilter("authority_cvr")
	args = append(args, from.Format(time.DateOnly), to.AddDate(0, 0, 7).Format(time.DateOnly), from.Format(time.DateOnly), to.Format(time.DateOnly))
	rows, err := ch.Query(ctx, `SELECT authority_cvr, toMonday(day) AS week,
			sum(messages), sumIf(messages, channel = 'digital'), sumIf(messages, channel = 'remote_print'),
			sum(with_metadata), sum(with_deep_link), uniqExact(company_cvr)
		FROM rollup_messages_daily
		WHERE `+filter+` AND day >= toDate(?) AND day < toDate(?)
		GROUP BY authority_cvr, week
		HAVING week >= toDate(?) AND week <= toDate(?)
		ORDER BY authority_cvr, week`, args...)
	if err != nil {
		return nil, fmt.Errorf("%w: volume per authority: %w", ingest.ErrUnavailable, err)
	}
	defer rows.Close()
	var out []WeekVolume
	for rows.Next() {
		var v WeekVolume
		var monday time.Time
		if err := rows.Scan(&v.AuthorityCVR, &monday, &v.Messages, &v.Digital, &v.RemotePrint, &v.WithMetadata, &v.WithDeepLink, &v.Companies); err != nil {
			return nil, fmt.Errorf("%w: volume per authority: %w", ingest.ErrUnavailable, err)
		}
		v.Monday = monday.Format(time.DateOnly)
		v.Week = ISOWeek(monday)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: volume per authority: %w", ingest.ErrUnavailable, err)
	}
	return out, nil
}

// Copenhagen is the time zone of weeks and days.
var Copenhagen = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		panic("time zone Europe/Copenhagen: " + err.Error())
	}
	return loc
}()

// ISOWeek names the ISO week of a date, like 2012-W46.
func ISOWeek(d time.Time) string {
	y, w := d.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

func mondayOf(d time.Time) time.Time {
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

var isoWeekRe = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)

// ParseWeekOrDate reads 2012-W46 (its Monday) or 2012-11-12.
func ParseWeekOrDate(s string) (time.Time, error) {
	if m := isoWeekRe.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		w, _ := strconv.Atoi(m[2])
		jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
		monday := mondayOf(jan4).AddDate(0, 0, 7*(w-1))
		if yy, ww := monday.ISOWeek(); yy != y || ww != w {
			return time.Time{}, fmt.Errorf("%s is not a week of %d", s, y)
		}
		return monday, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a date (2012-11-12) nor an ISO week (2012-W46)", s)
	}
	return d, nil
}
