package dashboards

// The legal-notice list (/dashboards/legal-notice, its JSON twin
// GET /api/v1/metrics/legal-notice and the mail-merge file
// /dashboards/legal-notice.csv): the companies with no user.login on or
// after a date, with their contacts. Definitions:
// docs/figures.md#not-logged-in-since.

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/spreadsheet"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

// LegalNotice is the companies of the filters with no user.login on or
// after Since.
type LegalNotice struct {
	Period  Period  `json:"period"`
	Filters Filters `json:"filters"`
	// Since is the date asked for (default: the period's first day).
	Since string `json:"since"`
	// AsOf is the day "days since" counts to: the period's last day, or
	// the day before Since when that is later.
	AsOf string `json:"as_of"`
	// Companies is the registry's companies of the filters.
	Companies   int             `json:"companies"`
	NotLoggedIn []NoticeCompany `json:"not_logged_in"`
}

// NoticeCompany is a company that did not log in, with its contacts.
type NoticeCompany struct {
	CVR      string          `json:"cvr"`
	Name     string          `json:"name"`
	Contacts []NoticeContact `json:"contacts"`
	// LastLogin is the day of its last user.login ("" never); DaysSince
	// counts from it to AsOf (null never).
	LastLogin string `json:"last_login"`
	DaysSince *int64 `json:"days_since"`
}

// NoticeContact is a contact to send the notice to, in its language.
type NoticeContact struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Language string `json:"language"`
}

// sinceParam reads the since parameter: a date (2012-11-12) of the years
// 2000 to 2099, or "" when not given.
func sinceParam(c *fiber.Ctx) (string, error) {
	return checkSince(c.Query("since"))
}

// checkSince is a since date as the list takes it (see sinceParam).
func checkSince(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || d.Year() < 2000 || d.Year() > 2099 {
		return "", problem.Fields{{Field: "since", Message: problem.Msg("legal_notice.bad_since", s)}}
	}
	return d.Format(time.DateOnly), nil
}

// legalNoticeInputs resolves a request's period, filters and since date.
func (h *handler) legalNoticeInputs(c *fiber.Ctx, now time.Time) (Period, Filters, string, error) {
	since, err := sinceParam(c)
	if err != nil {
		return Period{}, Filters{}, "", err
	}
	p, f, err := h.adoptionInputs(c, now)
	return p, f, since, err
}

// legalNotice computes the list: the one function behind the page, its
// JSON twin and the CSV file.
func (h *handler) legalNotice(ctx context.Context, scope auth.Scope, p Period, f Filters, since string) (LegalNotice, error) {
	if since == "" {
		since = dayOf(p.From.Monday())
	}
	ln := LegalNotice{Period: p, Filters: f, Since: since, AsOf: dayOf(p.To.Sunday()), NotLoggedIn: []NoticeCompany{}}
	if dayBefore := addDays(since, -1); dayBefore > ln.AsOf {
		ln.AsOf = dayBefore
	}
	participants, err := h.Registry.Participants(ctx)
	if err != nil {
		return ln, err
	}
	companies := f.Companies(participants)
	ln.Companies = len(companies)
	logins, err := figures.CompanyEventDays(ctx, h.CH, scope, []string{event.TypeLogin}, "")
	if err != nil {
		return ln, err
	}
	var listed []string
	for _, c := range companies {
		login, ok := logins[c.CVR][event.TypeLogin]
		if ok && login.Last >= since {
			continue
		}
		nc := NoticeCompany{CVR: c.CVR, Name: c.Name, Contacts: []NoticeContact{}}
		if ok {
			days := int64(daysBetween(login.Last, ln.AsOf))
			nc.LastLogin, nc.DaysSince = login.Last, &days
		}
		ln.NotLoggedIn = append(ln.NotLoggedIn, nc)
		listed = append(listed, c.CVR)
	}
	// The contacts of every listed company, in one query.
	contacts, err := h.Registry.ContactsOf(ctx, listed)
	if err != nil {
		return ln, err
	}
	for i, nc := range ln.NotLoggedIn {
		for _, ct := range contacts[nc.CVR] {
			ln.NotLoggedIn[i].Contacts = append(ln.NotLoggedIn[i].Contacts, NoticeContact{Name: ct.Name, Email: ct.Email, Language: ct.Language})
		}
	}
	// Never logged in first, then the longest ago, then by name.
	slices.SortStableFunc(ln.NotLoggedIn, func(a, b NoticeCompany) int {
		if a.LastLogin != b.LastLogin {
			return strings.Compare(a.LastLogin, b.LastLogin)
		}
		return strings.Compare(a.Name+a.CVR, b.Name+b.CVR)
	})
	return ln, nil
}

// addDays is the date n days after a date (both written 2012-11-12).
func addDays(day string, n int) string {
	d, _ := time.Parse(time.DateOnly, day)
	return d.AddDate(0, 0, n).Format(time.DateOnly)
}

// legalNoticeCSV is the list for a mail merge: UTF-8 with a byte-order
// mark (Excel), a header row, one row per contact (a company without
// contacts gets one row without them); every cell neutralised against
// formulas (spreadsheet.CSVText).
func legalNoticeCSV(ln LegalNotice) []byte {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	write := func(cells ...string) {
		for i, v := range cells {
			cells[i] = spreadsheet.CSVText(v)
		}
		w.Write(cells)
	}
	write("company_cvr", "company", "contact", "email", "language", "last_login", "days_since")
	for _, c := range ln.NotLoggedIn {
		days := ""
		if c.DaysSince != nil {
			days = strconv.FormatInt(*c.DaysSince, 10)
		}
		contacts := c.Contacts
		if len(contacts) == 0 {
			contacts = []NoticeContact{{}}
		}
		for _, ct := range contacts {
			write(c.CVR, c.Name, ct.Name, ct.Email, ct.Language, c.LastLogin, days)
		}
	}
	w.Flush()
	return buf.Bytes()
}

func (h *handler) legalNoticeOf(c *fiber.Ctx) (LegalNotice, error) {
	p, f, since, err := h.legalNoticeInputs(c, time.Now())
	if err != nil {
		return LegalNotice{}, err
	}
	return h.legalNotice(c.UserContext(), companyScope(web.PrincipalOf(c)), p, f, since)
}

func (h *handler) legalNoticeJSON(c *fiber.Ctx) error {
	ln, err := h.legalNoticeOf(c)
	if err != nil {
		return err
	}
	return c.JSON(ln)
}

func (h *handler) legalNoticeFile(c *fiber.Ctx) error {
	ln, err := h.legalNoticeOf(c)
	if err != nil {
		return err
	}
	body := legalNoticeCSV(ln)
	rows := 0
	for _, co := range ln.NotLoggedIn {
		rows += max(len(co.Contacts), 1)
	}
	if err := h.Audit.Record(c.UserContext(), audit.Entry{Actor: web.PrincipalOf(c).Name(), Action: audit.Export, Target: "legal-notice list",
		Detail: fmt.Sprintf("csv, no login since %s, kind %s, cohort %q: %d companies, %d rows", ln.Since, ln.Filters.Kind, ln.Filters.Cohort, len(ln.NotLoggedIn), rows),
		IP:     c.IP()}); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="legal-notice-%s.csv"`, ln.Since))
	return c.Send(body)
}

// legalNoticeExample is the JSON answer's example for the OpenAPI document.
func legalNoticeExample() LegalNotice {
	days := int64(9)
	return LegalNotice{Since: "2012-11-12", AsOf: "2012-11-18", Companies: 30, Filters: Filters{Kind: "company"},
		NotLoggedIn: []NoticeCompany{{CVR: "10000009", Name: "Firma A/S", LastLogin: "2012-11-09", DaysSince: &days,
			Contacts: []NoticeContact{{Name: "Kim Jensen", Email: "kim@firma.dk", Language: "da"}}}}}
}
