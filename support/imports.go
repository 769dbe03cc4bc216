package support

import (
	"github.com/pilotpulse/pilotpulse/internal/tabular"

	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// Columns of a call import file.
var (
	importColumns = []string{"company", "caller_name", "caller_role", "received_at", "ended_at", "desk", "channel", "category",
		"description", "resolution", "duration_minutes", "follow_up_needed", "follow_up_by", "follow_up_done", "handled_by"}
	importRequired = []string{"company", "caller_name", "received_at", "desk", "channel", "category", "description", "resolution"}
	importAliases  = map[string]string{"company_cvr": "company", "cvr": "company", "duration": "duration_minutes"}
)

// ImportResult says what an import did.
type ImportResult struct {
	File    string       `json:"file"`
	Created int          `json:"created"`
	Skipped int          `json:"skipped"` // rows already imported before (same call)
	Errors  ImportErrors `json:"errors,omitempty"`
}

// ImportCalls reads a CSV or XLSX call log (see README: one call per row,
// columns as in importColumns; times in Danish time unless they carry a
// zone; codes or their Danish or English labels) and stores every call, or
// none when any row is wrong (ImportErrors naming row and column). A row
// that was imported before (same company, time, caller, desk, category and
// description) is skipped, so importing a file twice adds nothing twice.
func (s *Store) ImportCalls(ctx context.Context, r io.Reader, filename, actor string) (ImportResult, error) {
	res := ImportResult{File: filename}
	t, err := readTable(ctx, r, filename, importColumns, importRequired, importAliases, MaxDescriptionLen)
	if err != nil {
		errors.As(err, &res.Errors)
		return res, err
	}
	var todo []importedCall
	rowOfKey := map[string]int{}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, rec := range t.Records {
			in, ok := rowInput(t, rec)
			co, err := s.prepare(ctx, tx, &in, actor)
			var fe FieldErrors
			if errors.As(err, &fe) {
				for _, e := range fe {
					t.Add(rec.Row, importColumn(e.Field), "%s", e.Message)
				}
				continue
			} else if err != nil {
				return err
			}
			if !ok {
				continue
			}
			call := callFrom(in, co)
			key := importKey(call)
			if first, dup := rowOfKey[key]; dup {
				t.Add(rec.Row, "", "support.v.same_call", first)
				continue
			}
			rowOfKey[key] = rec.Row
			todo = append(todo, importedCall{call, co, key})
		}
		if errs := t.Errors(); errs != nil {
			return errs
		}
		return s.storeImported(ctx, tx, todo, actor, &res)
	})
	var ie ImportErrors
	if errors.As(err, &ie) {
		res.Errors, res.Created, res.Skipped = ie, 0, 0
	} else if err != nil {
		res.Created, res.Skipped = 0, 0
	}
	return res, err
}

// importedCall is a valid call of an import with its import key.
type importedCall struct {
	call Call
	co   CompanyRef
	key  string
}

// storeImported stores the calls whose import key is new and counts them
// in res as created or skipped.
func (s *Store) storeImported(ctx context.Context, tx *sql.Tx, todo []importedCall, actor string, res *ImportResult) error {
	for _, p := range todo {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM support_calls WHERE import_key = ?`, p.key).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			res.Skipped++
			continue
		}
		if _, err := s.insert(ctx, tx, p.call, p.co.ID, actor, ActionImported, p.key); err != nil {
			return err
		}
		res.Created++
	}
	return nil
}

// ImportInputs stores calls a program imports (the demo pilot's call log,
// with the dates they came in), each checked as Create checks it, by the
// import's rule: a call imported before (same company, time, caller, desk,
// category and description) is skipped, so importing twice adds nothing
// twice. Every call or none: problems name the call by its index
// ("calls[3].category").
func (s *Store) ImportInputs(ctx context.Context, ins []Input, actor string) (ImportResult, error) {
	res := ImportResult{File: "calls"}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var es FieldErrors
		todo := make([]importedCall, 0, len(ins))
		seen := map[string]bool{}
		for i, in := range ins {
			co, err := s.prepare(ctx, tx, &in, actor)
			var fe FieldErrors
			if errors.As(err, &fe) {
				for _, e := range fe {
					es = append(es, FieldError{Field: fmt.Sprintf("calls[%d].%s", i, e.Field), Message: e.Message})
				}
				continue
			} else if err != nil {
				return err
			}
			call := callFrom(in, co)
			if key := importKey(call); !seen[key] {
				seen[key] = true
				todo = append(todo, importedCall{call, co, key})
			}
		}
		if err := es.Err(); err != nil {
			return err
		}
		return s.storeImported(ctx, tx, todo, actor, &res)
	})
	if err != nil {
		return ImportResult{File: res.File}, err
	}
	return res, nil
}

func importColumn(field string) string {
	switch field {
	case "company_cvr":
		return "company"
	case "version":
		return ""
	}
	return field
}

// importKey identifies a call across imports.
func importKey(c Call) string {
	h := sha256.New()
	for _, p := range []string{c.CompanyCVR, c.ReceivedAt.UTC().Format(time.RFC3339), callerKey(c.CallerName), c.Desk, c.Category,
		strings.Join(strings.Fields(c.Description), " ")} {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// rowInput reads one row into an Input, adding to t.errs what cannot be
// read; ok is false when something could not be read.
func rowInput(t *tabular.Table, rec tabular.Record) (Input, bool) {
	ok := true
	fail := func(col, key string, args ...any) {
		t.Add(rec.Row, col, key, args...)
		ok = false
	}
	failErr := func(col string, err error) {
		m, _ := problem.MessageOf(err)
		fail(col, "%s", m)
	}
	in := Input{CompanyCVR: t.Cell(rec, "company"), CallerName: t.Cell(rec, "caller_name"), CallerRole: t.Cell(rec, "caller_role"),
		Description: t.Cell(rec, "description"), HandledBy: t.Cell(rec, "handled_by")}
	in.Desk = importCode(t.Cell(rec, "desk"), "desk")
	in.Channel = importCode(t.Cell(rec, "channel"), "channel")
	in.Category = importCode(t.Cell(rec, "category"), "category")
	in.Resolution = importCode(t.Cell(rec, "resolution"), "resolution")
	for _, tf := range []struct {
		col string
		dst **time.Time
	}{{"received_at", &in.ReceivedAt}, {"ended_at", &in.EndedAt}} {
		if v := t.Cell(rec, tf.col); v != "" {
			tm, err := parseImportTime(v)
			if err != nil {
				failErr(tf.col, err)
				continue
			}
			*tf.dst = &tm
		}
	}
	if t.Cell(rec, "received_at") == "" {
		fail("received_at", "support.v.received_required")
	}
	if v := t.Cell(rec, "duration_minutes"); v != "" {
		f, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
		if err != nil || f != math.Trunc(f) || math.Abs(f) > 1e9 {
			fail("duration_minutes", "support.v.minutes", clip(v, 20))
		} else {
			n := int64(f)
			in.DurationMinutes = &n
		}
	}
	for _, bf := range []struct {
		col string
		dst *bool
	}{{"follow_up_needed", &in.FollowUpNeeded}, {"follow_up_done", &in.FollowUpDone}} {
		b, err := parseBool(t.Cell(rec, bf.col))
		if err != nil {
			failErr(bf.col, err)
		}
		*bf.dst = b
	}
	if v := t.Cell(rec, "follow_up_by"); v != "" {
		d, err := parseImportDate(v)
		if err != nil {
			failErr("follow_up_by", err)
		} else {
			in.FollowUpBy = d
			in.FollowUpNeeded = true
		}
	}
	return in, ok
}

// importCode turns a code or its Danish or English label into the code.
func importCode(v, kind string) string {
	c := code(v)
	lv := strings.ToLower(strings.TrimSpace(v))
	for _, labels := range []map[string]string{labelsDA, labelsEN} {
		for k, l := range labels {
			if strings.HasPrefix(k, "support."+kind+".") && strings.ToLower(l) == lv {
				return strings.TrimPrefix(k, "support."+kind+".")
			}
		}
	}
	return c
}

// parseImportTime reads a local (Copenhagen) time, an RFC 3339 time or an
// Excel date serial number.
func parseImportTime(v string) (time.Time, error) {
	if f, err := strconv.ParseFloat(v, 64); err == nil && f > 1 && f < 200000 {
		t, err := excelize.ExcelDateToTime(f, false)
		if err != nil {
			return time.Time{}, problem.Reason("support.v.not_time", clip(v, 40))
		}
		t = t.Round(time.Second)
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, week.Copenhagen).UTC(), nil
	}
	return parseLocalTime(v)
}

// parseImportDate reads a date (YYYY-MM-DD, DD-MM-YYYY, DD.MM.YYYY or an
// Excel serial) and returns it as YYYY-MM-DD.
func parseImportDate(v string) (string, error) {
	if f, err := strconv.ParseFloat(v, 64); err == nil && f > 1 && f < 200000 {
		if t, err := excelize.ExcelDateToTime(f, false); err == nil {
			return t.Format(time.DateOnly), nil
		}
	}
	for _, l := range []string{time.DateOnly, "02-01-2006", "02.01.2006", "02/01/2006"} {
		if t, err := time.Parse(l, v); err == nil {
			return t.Format(time.DateOnly), nil
		}
	}
	return "", problem.Reason("support.v.date", clip(v, 40))
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "no", "nej", "false", "n":
		return false, nil
	case "1", "yes", "ja", "true", "x", "y", "j":
		return true, nil
	}
	return false, problem.Reason("support.v.yes_no", clip(v, 20))
}

// --- handlers ---

func (h *Handler) runImport(c *fiber.Ctx) (ImportResult, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return ImportResult{}, problem.Fields{{Field: "file", Message: problem.Msg("registry.import.attach")}}
	}
	name := filepath.Base(fh.Filename)
	f, err := fh.Open()
	if err != nil {
		return ImportResult{File: name}, problem.Fields{{Field: "file", Message: problem.Msg("support.import.unreadable")}}
	}
	defer f.Close()
	actor := web.PrincipalOf(c).Name()
	res, err := h.store.ImportCalls(c.UserContext(), f, name, actor)
	if busy := tabular.Busy(err); busy != nil {
		return res, busy
	}
	if err != nil {
		return res, err
	}
	h.audit.Record(c.UserContext(), audit.Entry{Actor: actor, Action: audit.Import, Target: "support calls " + name,
		Detail: fmt.Sprintf("created=%d skipped=%d", res.Created, res.Skipped), IP: c.IP()})
	return res, nil
}

func (h *Handler) importAPI(c *fiber.Ctx) error {
	res, err := h.runImport(c)
	if err != nil {
		return err // errors in the file answer 400 naming file, row and column
	}
	return c.JSON(res)
}

func (h *Handler) importForm(c *fiber.Ctx) error {
	res, err := h.runImport(c)
	var ie ImportErrors
	fe, badInput := problem.AsFields(err)
	if busy, ok := tabular.BusyForm(c, err, "import"); ok { // 429: the form again, saying when to try
		return h.renderList(c, web.PageData{Fields: busy}, listView{})
	}
	switch {
	case errors.As(err, &ie):
		c.Status(fiber.StatusBadRequest)
		return h.renderList(c, web.PageData{}, listView{Import: &res})
	case badInput:
		for i := range fe {
			fe[i].Field = "import"
		}
		c.Status(fiber.StatusBadRequest)
		return h.renderList(c, web.PageData{Fields: fe}, listView{})
	case err != nil:
		return err
	}
	return h.renderList(c, web.PageData{}, listView{Import: &res})
}
