package survey

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

// The questionnaire builder: every question as a row of form fields, plus
// blank rows to add questions. A row whose key is left empty is dropped.

// builderRow is one question as form fields.
type builderRow struct {
	Pos      int
	Key      string
	Type     string
	Required bool
	TextDA   string
	TextEN   string
	HelpDA   string
	HelpEN   string
	Options  string // one per line: key | dansk | english
	ShowIf   string // key=value
	Min, Max string
}

type builderView struct {
	Current  Version
	Title    Text
	Intro    Text
	Rows     []builderRow
	Types    []string
	CanEdit  bool
	Warnings []string
}

const (
	blankBuilderRows = 3
	maxBuilderRows   = 200
)

func rowsOf(d Definition) []builderRow {
	rows := make([]builderRow, 0, len(d.Questions)+blankBuilderRows)
	for i, q := range d.Questions {
		r := builderRow{Pos: (i + 1) * 10, Key: q.Key, Type: q.Type, Required: q.Required, TextDA: q.Text.DA, TextEN: q.Text.EN,
			HelpDA: q.Help.DA, HelpEN: q.Help.EN, Min: fmtNum(q.Min, ""), Max: fmtNum(q.Max, "")}
		var opts []string
		for _, o := range q.Options {
			opts = append(opts, o.Key+" | "+o.Text.DA+" | "+o.Text.EN)
		}
		r.Options = strings.Join(opts, "\n")
		if q.ShowIf != nil {
			r.ShowIf = q.ShowIf.Key + "=" + q.ShowIf.Equals
		}
		rows = append(rows, r)
	}
	for i := range blankBuilderRows {
		rows = append(rows, builderRow{Pos: (len(d.Questions) + i + 1) * 10, Type: TypeYesNo})
	}
	return rows
}

func (h *Handler) renderBuilder(c *fiber.Ctx, d web.PageData, v builderView) error {
	cur, err := h.store.Current(c.UserContext(), DefaultSlug)
	if err != nil {
		return err
	}
	v.Current = cur
	if v.Rows == nil {
		v.Title, v.Intro, v.Rows = cur.Definition.Title, cur.Definition.Intro, rowsOf(cur.Definition)
	}
	v.Types, v.CanEdit = Types, isAdmin(c)
	d.Title, d.Data = "survey.builder", v
	return h.srv.Render(c, "survey_builder", d)
}

func (h *Handler) builderPage(c *fiber.Ctx) error {
	return h.renderBuilder(c, web.PageData{}, builderView{})
}

// definitionFromBuilder reads the builder form. Problems of the form itself
// (a bad option line, a bad number) come back as field errors.
func definitionFromBuilder(c *fiber.Ctx) (Definition, []builderRow, FieldErrors) {
	var fe FieldErrors
	d := Definition{Slug: DefaultSlug,
		Title: Text{DA: strings.TrimSpace(c.FormValue("title_da")), EN: strings.TrimSpace(c.FormValue("title_en"))},
		Intro: Text{DA: strings.TrimSpace(c.FormValue("intro_da")), EN: strings.TrimSpace(c.FormValue("intro_en"))}}
	n, _ := strconv.Atoi(c.FormValue("rows"))
	n = min(max(n, 0), maxBuilderRows)
	var rows []builderRow
	for i := range n {
		f := func(name string) string { return strings.TrimSpace(c.FormValue(fmt.Sprintf("%s_%d", name, i))) }
		pos, err := strconv.Atoi(f("pos"))
		if err != nil {
			pos = (i + 1) * 10
		}
		rows = append(rows, builderRow{Pos: pos, Key: f("key"), Type: f("type"), Required: f("required") == "1", TextDA: f("text_da"), TextEN: f("text_en"),
			HelpDA: f("help_da"), HelpEN: f("help_en"), Options: c.FormValue(fmt.Sprintf("options_%d", i)), ShowIf: f("show_if"), Min: f("min"), Max: f("max")})
	}
	// Keep the rows in the order asked for; the field errors name the row as shown.
	slices.SortStableFunc(rows, func(a, b builderRow) int { return a.Pos - b.Pos })
	for i, r := range rows {
		if r.Key == "" {
			continue
		}
		field := func(name string) string { return fmt.Sprintf("row%d.%s", i, name) }
		q := Question{Key: r.Key, Type: r.Type, Required: r.Required, Text: Text{DA: r.TextDA, EN: r.TextEN}, Help: Text{DA: r.HelpDA, EN: r.HelpEN}}
		for _, line := range strings.Split(strings.ReplaceAll(r.Options, "\r\n", "\n"), "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			parts := strings.Split(line, "|")
			if len(parts) != 3 {
				fe.Add(field("options"), "survey.def.option_line", strings.TrimSpace(line))
				continue
			}
			q.Options = append(q.Options, Option{Key: strings.TrimSpace(parts[0]), Text: Text{DA: strings.TrimSpace(parts[1]), EN: strings.TrimSpace(parts[2])}})
		}
		if r.ShowIf != "" {
			k, v, ok := strings.Cut(r.ShowIf, "=")
			if !ok {
				fe.Add(field("show_if"), "survey.def.show_if_form")
			} else {
				q.ShowIf = &Condition{Key: strings.TrimSpace(k), Equals: strings.TrimSpace(v)}
			}
		}
		for _, m := range []struct {
			s   string
			dst **float64
			nm  string
		}{{r.Min, &q.Min, "min"}, {r.Max, &q.Max, "max"}} {
			if m.s == "" {
				continue
			}
			x, err := parseNumber(m.s)
			if err != nil {
				fe.Add(field(m.nm), "survey.def.number")
				continue
			}
			*m.dst = &x
		}
		d.Questions = append(d.Questions, q)
	}
	return d, rows, fe
}

// rowErrors maps a definition's field errors (questions[i].x) onto the rows
// of the form they came from, after the form's "please correct" ("form");
// the problems of one field of a row are joined.
func rowErrors(fe FieldErrors, rows []builderRow) FieldErrors {
	// questions[i] is the i-th row with a key.
	rowOf := []int{}
	for i, r := range rows {
		if r.Key != "" {
			rowOf = append(rowOf, i)
		}
	}
	out := FieldErrors{{Field: "form", Message: problem.Msg("form.errors")}}
	at := map[string]int{}
	for _, e := range fe {
		f := e.Field
		var qi int
		var rest string
		if n, _ := fmt.Sscanf(f, "questions[%d]", &qi); n == 1 && qi < len(rowOf) {
			rest = f[strings.Index(f, "]")+1:]
			name := strings.TrimPrefix(rest, ".")
			if i := strings.IndexAny(name, ".["); i >= 0 {
				name = name[:i]
			}
			if name == "" {
				name = "key"
			}
			f = fmt.Sprintf("row%d.%s", rowOf[qi], name)
		}
		if i, ok := at[f]; ok {
			out[i].Message = problem.Msg("%s; %s", out[i].Message, e.Message)
		} else {
			at[f] = len(out)
			out = append(out, FieldError{Field: f, Message: e.Message})
		}
	}
	return out
}

func (h *Handler) buildForm(c *fiber.Ctx) error {
	def, rows, fe := definitionFromBuilder(c)
	var err error
	if len(fe) == 0 {
		err = def.Validate()
	} else {
		err = fe
	}
	var v Version
	if err == nil {
		before, _ := h.store.Current(c.UserContext(), DefaultSlug)
		v, err = h.store.Publish(c.UserContext(), def, web.PrincipalOf(c).Name())
		if err == nil && v.ID == before.ID {
			return c.Redirect("/survey/questionnaire/builder", fiber.StatusSeeOther)
		}
	}
	if err != nil {
		var all FieldErrors
		if !errors.As(err, &all) {
			return err
		}
		c.Status(fiber.StatusBadRequest)
		return h.renderBuilder(c, web.PageData{Fields: rowErrors(all, rows)}, builderView{Title: def.Title, Intro: def.Intro, Rows: rows})
	}
	h.record(c, audit.RecordCreated, fmt.Sprintf("survey questionnaire %s v%d", v.Slug, v.Version), "builder")
	return c.Redirect(fmt.Sprintf("/survey/questionnaire?published=%d", v.Version), fiber.StatusSeeOther)
}

// definitionErrors joins a definition's problems into the one message the
// questionnaire editor shows beside its text ("definition"): a question's
// problems name the question already, the others name their part.
func definitionErrors(fe FieldErrors) FieldErrors {
	parts := make([]any, len(fe))
	for i, e := range fe {
		parts[i] = e.Message
		if !strings.HasPrefix(e.Field, "questions[") {
			parts[i] = problem.Msg("%s: %s", problem.Msg("survey.def.at."+e.Field), e.Message)
		}
	}
	return FieldErrors{{Field: "definition", Message: problem.Join("; ", parts...)}}
}
