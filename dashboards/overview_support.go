package dashboards

import (
	"context"
	"strconv"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/support"
)

// supportOverview is the calls of today (in Copenhagen), the number of
// calls in the period and the previous period (counted, not listed: no
// cap), and the open follow-ups.
func (h *handler) supportOverview(ctx context.Context, period Period, now time.Time) (*SupportOverview, error) {
	today := now.In(week.Copenhagen).Format(time.DateOnly)
	so := &SupportOverview{Today: today, CallsToday: []CallLink{}, OpenFollowUps: []CallLink{}}
	thisWeek := week.Of(now)
	calls, err := h.Support.List(ctx, support.Filter{Week: &thisWeek, Limit: support.MaxList}) // newest first: today's come first
	if err != nil {
		return nil, err
	}
	for _, c := range calls {
		if c.ReceivedAt.In(week.Copenhagen).Format(time.DateOnly) == today {
			so.CallsToday = append(so.CallsToday, callLink(c, today))
		}
	}
	counts, err := h.Support.CallCounts(ctx, period.PreviousFrom, period.To)
	if err != nil {
		return nil, err
	}
	for w, n := range counts {
		if w.Before(period.From) {
			so.CallsPrevious += n
		} else {
			so.CallsWeek += n
		}
	}
	open, err := h.Support.List(ctx, support.Filter{FollowUp: "open", Limit: support.MaxList})
	if err != nil {
		return nil, err
	}
	for _, c := range open {
		so.OpenFollowUps = append(so.OpenFollowUps, callLink(c, today))
	}
	if so.OpenFollowUpCount, err = h.Support.OpenFollowUps(ctx); err != nil {
		return nil, err
	}
	return so, nil
}

func callLink(c support.Call, today string) CallLink {
	return CallLink{ID: c.ID, Path: "/support/calls/" + strconv.FormatInt(c.ID, 10), CompanyCVR: c.CompanyCVR, CompanyName: c.CompanyName, CallerName: c.CallerName,
		ReceivedAt: c.ReceivedAt, Category: c.Category, FollowUpBy: c.FollowUpBy,
		PastDue: c.FollowUpNeeded && !c.FollowUpDone && c.FollowUpBy != "" && c.FollowUpBy < today}
}
