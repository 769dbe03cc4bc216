package registry

import (
	"context"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/pilotpulse/pilotpulse/internal/tabular"
)

// Import limits.
const (
	MaxImportBytes = 10 << 20 // 10 MB of input
	MaxImportRows  = 100_000  // data rows, not counting the header and blank rows
	MaxCellLen     = 1000     // characters per cell
)

// Column names of the import files.
var (
	companyColumns = []string{"cvr", "name", "kind", "cohort", "p_numbers",
		"contact_name", "contact_email", "contact_phone", "contact_language"}
	companyRequired  = []string{"cvr", "name", "kind"}
	contactColumns   = []string{"contact_name", "contact_email", "contact_phone", "contact_language"}
	authorityColumns = []string{"cvr", "name", "kind", "weekly_target"}
	authorityRequire = []string{"cvr", "name", "kind"}
)

// ImportError is one problem in an import file (file, spreadsheet row,
// column, message); see package tabular.
type ImportError = tabular.ImportError

// ImportErrors is every problem found in one import file, ordered by row.
type ImportErrors = tabular.ImportErrors

func readTable(r io.Reader, filename string, accepted, required []string) (*tabular.Table, error) {
	return tabular.Read(context.Background(), r, filename, tabular.Spec{Accepted: accepted, Required: required,
		MaxBytes: MaxImportBytes, MaxRows: MaxImportRows, MaxCell: MaxCellLen})
}

// ParseCompanies reads the companies of a CSV or XLSX file, chosen by the
// extension of filename (.csv or .xlsx, case-insensitive).
//
// CSV: UTF-8 (a BOM is dropped), delimiter ',' or ';' as found in the
// header line. XLSX: the first sheet. The first non-blank row is the header;
// its names are matched case-insensitively, spaces and '-' counting as '_'.
// Columns: cvr, name, kind (required), cohort, p_numbers (several in a cell,
// separated by ';', ',' or spaces), contact_name, contact_email,
// contact_phone, contact_language. Unknown columns are an error.
//
// A company may span several rows, one per contact: rows with the same CVR
// are merged into one company. A company cell left blank on one of them is
// taken from the others, but two non-blank values that differ are an error
// on the later row. A row whose contact cells are all blank adds no contact.
// Blank rows are skipped.
//
// Every company is normalized and validated. If anything is wrong the result
// is (nil, ImportErrors) listing every problem of the file; there is never a
// partial result. Companies are returned in the order of their first row.
func ParseCompanies(r io.Reader, filename string) ([]Company, error) {
	t, errs := readTable(r, filename, companyColumns, companyRequired)
	if errs != nil {
		return nil, errs
	}

	type group struct {
		c         Company
		rows      []int          // every row of the company
		src       map[string]int // row each company field was taken from
		contactAt []int          // row of each contact
	}
	var groups []*group
	byCVR := map[string]*group{}

	for _, rec := range t.Records {
		rc := Company{
			CVR:      t.Cell(rec, "cvr"),
			Name:     t.Cell(rec, "name"),
			Kind:     t.Cell(rec, "kind"),
			Cohort:   t.Cell(rec, "cohort"),
			PNumbers: splitPNumbers(t.Cell(rec, "p_numbers")),
		}
		hasContact := false
		for _, col := range contactColumns {
			if strings.TrimSpace(t.Cell(rec, col)) != "" {
				hasContact = true
			}
		}
		if hasContact {
			rc.Contacts = []Contact{{
				Name:     t.Cell(rec, "contact_name"),
				Email:    t.Cell(rec, "contact_email"),
				Phone:    t.Cell(rec, "contact_phone"),
				Language: t.Cell(rec, "contact_language"),
			}}
		}
		rc.Normalize()

		g := byCVR[rc.CVR]
		if g == nil {
			g = &group{c: Company{CVR: rc.CVR, PNumbers: []string{}, Contacts: []Contact{}}, src: map[string]int{}}
			groups = append(groups, g)
			if rc.CVR != "" { // rows without a CVR are never merged
				byCVR[rc.CVR] = g
			}
		}
		g.rows = append(g.rows, rec.Row)

		for _, f := range []struct {
			col      string
			dst      *string
			val      string
			nonBlank bool
		}{
			{"name", &g.c.Name, rc.Name, rc.Name != ""},
			{"kind", &g.c.Kind, rc.Kind, rc.Kind != ""},
			{"cohort", &g.c.Cohort, rc.Cohort, rc.Cohort != ""},
			{"p_numbers", nil, strings.Join(rc.PNumbers, ";"), len(rc.PNumbers) > 0},
		} {
			if !f.nonBlank {
				continue
			}
			from, set := g.src[f.col]
			switch {
			case !set:
				g.src[f.col] = rec.Row
				if f.dst != nil {
					*f.dst = f.val
				} else {
					g.c.PNumbers = rc.PNumbers
				}
			case f.dst != nil && *f.dst != f.val:
				t.Add(rec.Row, f.col, "registry.import.differs", f.val, *f.dst, from)
			case f.dst == nil && !sameSet(g.c.PNumbers, rc.PNumbers):
				t.Add(rec.Row, f.col, "registry.import.differs",
					strings.Join(rc.PNumbers, ";"), strings.Join(g.c.PNumbers, ";"), from)
			}
		}

		if hasContact {
			ct := rc.Contacts[0]
			dup := -1
			for i, prev := range g.c.Contacts {
				if ct.Email != "" && prev.Email == ct.Email {
					dup = i
				}
			}
			if dup >= 0 {
				t.Add(rec.Row, "contact_email", "registry.import.same_contact", g.contactAt[dup])
			} else {
				g.c.Contacts = append(g.c.Contacts, ct)
				g.contactAt = append(g.contactAt, rec.Row)
			}
		}
	}

	pnumberAt := map[string]*group{}
	for _, g := range groups {
		if err := g.c.Validate(); err != nil {
			for _, fe := range err.(FieldErrors) {
				base, i, sub := splitField(fe.Field)
				switch base {
				case "cvr":
					for _, row := range g.rows {
						t.Add(row, "cvr", "%s", fe.Message)
					}
				case "p_numbers":
					t.Add(g.src["p_numbers"], "p_numbers", "registry.import.pnumber", g.c.PNumbers[i], fe.Message)
				case "contacts":
					t.Add(g.contactAt[i], "contact_"+sub, "%s", fe.Message)
				default: // name, kind, cohort
					row, ok := g.src[base]
					if !ok {
						row = g.rows[0]
					}
					t.Add(row, base, "%s", fe.Message)
				}
			}
		}
		if g.c.CVR == "" {
			continue
		}
		for _, p := range g.c.PNumbers {
			if other := pnumberAt[p]; other != nil && other != g {
				t.Add(g.src["p_numbers"], "p_numbers", "registry.import.pnumber_twice", p, other.c.CVR, other.src["p_numbers"])
			} else {
				pnumberAt[p] = g
			}
		}
	}

	if len(t.Errors()) > 0 {
		return nil, t.Errors()
	}
	out := make([]Company, len(groups))
	for i, g := range groups {
		out[i] = g.c
	}
	return out, nil
}

// ParseAuthorities reads the authorities of a CSV or XLSX file, under the
// same rules as ParseCompanies. Columns: cvr, name, kind (required) and
// weekly_target (blank: no target; else a whole number >= 0). One row is one
// authority; a CVR appearing twice is an error naming both rows.
func ParseAuthorities(r io.Reader, filename string) ([]Authority, error) {
	t, errs := readTable(r, filename, authorityColumns, authorityRequire)
	if errs != nil {
		return nil, errs
	}
	var out []Authority
	rowOf := map[string]int{}
	for _, rec := range t.Records {
		a := Authority{
			CVR:  t.Cell(rec, "cvr"),
			Name: t.Cell(rec, "name"),
			Kind: t.Cell(rec, "kind"),
		}
		if s := strings.TrimSpace(t.Cell(rec, "weekly_target")); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				t.Add(rec.Row, "weekly_target", "registry.target_number")
			} else {
				a.WeeklyTarget = &n
			}
		}
		a.Normalize()
		if err := a.Validate(); err != nil {
			for _, fe := range err.(FieldErrors) {
				t.Add(rec.Row, fe.Field, "%s", fe.Message)
			}
		}
		if a.CVR != "" {
			if first, ok := rowOf[a.CVR]; ok {
				t.Add(rec.Row, "cvr", "registry.import.cvr_twice", a.CVR, first)
			} else {
				rowOf[a.CVR] = rec.Row
			}
		}
		out = append(out, a)
	}
	if len(t.Errors()) > 0 {
		return nil, t.Errors()
	}
	return out, nil
}

// splitField splits a FieldError field such as "contacts[2].email" into
// "contacts", 2 and "email".
func splitField(field string) (base string, index int, sub string) {
	base, rest, ok := strings.Cut(field, "[")
	if !ok {
		return field, 0, ""
	}
	num, sub, _ := strings.Cut(rest, "]")
	index, _ = strconv.Atoi(num)
	return base, index, strings.TrimPrefix(sub, ".")
}

// splitPNumbers splits a p_numbers cell on ';', ',' and white space.
func splitPNumbers(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ';' || r == ',' || unicode.IsSpace(r)
	})
}

// sameSet reports whether a and b (both without duplicates) hold the same
// strings in any order.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}
