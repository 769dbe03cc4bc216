package survey

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// optionView is one choice as shown.
type optionView struct {
	Value   string
	Label   string
	Checked bool
}

// questionView is one question as shown in the respondent's language.
type questionView struct {
	Key       string
	Field     string
	Type      string
	Text      string
	Help      string
	Required  bool
	Condition string     // "Only if you answered … to …"
	ShowIf    *Condition // for the script that hides it
	Options   []optionView
	Value     string // number and text
	Group     bool   // shown as a fieldset of radios or checkboxes
	Error     string
}

type respondentView struct {
	Token     string
	Wave      string
	VersionID int64
	Title     string
	Intro     string
	Closes    string
	Contact   string
	Company   string
	Questions []questionView
	Saved     bool
	Submitted bool
	Reopened  bool
	Problems  []questionView // the questions with an error, for the summary
	FormError string
	MaxText   int
}

func (h *Handler) neutral(c *fiber.Ctx) error {
	c.Status(fiber.StatusNotFound)
	// The page cannot know the visitor's language: it says it in both.
	tr := web.Translate
	return h.srv.Render(c, "survey_neutral", web.PageData{Title: "survey.neutral.title", Lang: "da", Data: map[string]string{
		"TitleDA": tr("da", "survey.neutral.title"), "TextDA": tr("da", "survey.neutral.text"),
		"TitleEN": tr("en", "survey.neutral.title"), "TextEN": tr("en", "survey.neutral.text"),
	}})
}

func answerLabel(q Question, v, lang string) string {
	switch q.Type {
	case TypeYesNo:
		return web.Translate(lang, "survey.answer."+v)
	case TypeSingle, TypeMulti:
		for _, o := range q.Options {
			if o.Key == v {
				return o.Text.In(lang)
			}
		}
	}
	return v
}

func buildQuestions(d Definition, lang string, values map[string]string, raw map[string][]string, errs map[string]string) []questionView {
	tr := func(k string) string { return web.Translate(lang, k) }
	qs := make([]questionView, 0, len(d.Questions))
	for _, q := range d.Questions {
		qv := questionView{Key: q.Key, Field: FormField(q.Key), Type: q.Type, Text: q.Text.In(lang), Help: q.Help.In(lang), Required: q.Required, Error: errs[q.Key]}
		qv.ShowIf = q.ShowIf
		if c := q.ShowIf; c != nil {
			if dep, ok := d.Question(c.Key); ok {
				qv.Condition = fmt.Sprintf(tr("survey.form.only_if"), answerLabel(dep, c.Equals, lang), dep.Text.In(lang))
			}
		}
		// What to show as chosen: what was just typed (raw) else what is stored.
		chosen := map[string]bool{}
		if raw != nil {
			for _, v := range raw[qv.Field] {
				chosen[v] = true
			}
			if len(raw[qv.Field]) > 0 {
				qv.Value = raw[qv.Field][0]
			}
		} else if v, ok := values[q.Key]; ok {
			if q.Type == TypeMulti {
				for _, k := range MultiValues(v) {
					chosen[k] = true
				}
			} else {
				chosen[v] = true
				qv.Value = v
			}
		}
		switch q.Type {
		case TypeYesNo:
			qv.Group = true
			for _, v := range []string{"yes", "no"} {
				qv.Options = append(qv.Options, optionView{Value: v, Label: tr("survey.answer." + v), Checked: chosen[v]})
			}
		case TypeSingle, TypeMulti:
			qv.Group = true
			for _, o := range q.Options {
				qv.Options = append(qv.Options, optionView{Value: o.Key, Label: o.Text.In(lang), Checked: chosen[o.Key]})
			}
		case TypeRating, TypeNPS:
			qv.Group = true
			lo, hi := 1, 5
			if q.Type == TypeNPS {
				lo, hi = 0, 10
			}
			for n := lo; n <= hi; n++ {
				v := strconv.Itoa(n)
				qv.Options = append(qv.Options, optionView{Value: v, Label: v, Checked: chosen[v]})
			}
		}
		qs = append(qs, qv)
	}
	return qs
}

func (h *Handler) renderForm(c *fiber.Ctx, inv Invitation, w Wave, v Version, values map[string]string, raw map[string][]string, problems map[string]Problem, status int) error {
	lang := inv.Language
	errs := map[string]string{}
	for k, p := range problems {
		errs[k] = fmt.Sprintf(web.Translate(lang, "survey.err."+p.Code), p.Args...)
	}
	view := respondentView{
		Token: c.Params("token"), Wave: w.ID, VersionID: v.ID,
		Title: v.Definition.Title.In(lang), Intro: v.Definition.Intro.In(lang),
		Closes: w.ClosesAt.In(week.Copenhagen).Format("02-01-2006 15:04"), Contact: inv.ContactName, Company: inv.CompanyName,
		Saved: c.Query("saved") == "1", Submitted: inv.Status == "submitted", Reopened: inv.ReopenedAt != nil && inv.Status != "submitted",
		FormError: errs[""], MaxText: MaxTextLength,
	}
	view.Questions = buildQuestions(v.Definition, lang, values, raw, errs)
	for _, q := range view.Questions {
		if q.Error != "" {
			view.Problems = append(view.Problems, q)
		}
	}
	if status != 0 {
		c.Status(status)
	}
	page := "survey_form"
	if view.Submitted {
		page = "survey_thanks"
	}
	return h.srv.Render(c, page, web.PageData{Title: "survey.form.title", Lang: lang, Data: view, Errors: errs})
}

func (h *Handler) respondentPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	now := h.store.Now()
	inv, w, err := h.store.ByToken(ctx, c.Params("token"), now)
	if errors.Is(err, ErrNotFound) {
		return h.neutral(c)
	}
	if err != nil {
		return err
	}
	if inv.Status == "invited" {
		if err := h.store.MarkOpened(ctx, inv.ID, now); err != nil {
			return err
		}
	}
	v, err := h.store.Version(ctx, w.VersionID)
	if err != nil {
		return err
	}
	values, err := h.store.Answers(ctx, inv.ID)
	if err != nil {
		return err
	}
	return h.renderForm(c, inv, w, v, values, nil, nil, 0)
}

// formValues reads every value of every posted field (urlencoded or multipart).
func formValues(c *fiber.Ctx) map[string][]string {
	out := map[string][]string{}
	if mf, err := c.MultipartForm(); err == nil && mf != nil {
		for k, vs := range mf.Value {
			out[k] = append(out[k], vs...)
		}
		return out
	}
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		out[string(k)] = append(out[string(k)], string(v))
	})
	return out
}

func (h *Handler) respondentPost(c *fiber.Ctx) error {
	ctx := c.UserContext()
	now := h.store.Now()
	inv, w, err := h.store.ByToken(ctx, c.Params("token"), now)
	if errors.Is(err, ErrNotFound) {
		return h.neutral(c)
	}
	if err != nil {
		return err
	}
	v, err := h.store.Version(ctx, w.VersionID)
	if err != nil {
		return err
	}
	form := formValues(c)
	action := c.FormValue("action")
	if inv.Status == "submitted" {
		return h.renderForm(c, inv, w, v, nil, nil, nil, fiber.StatusConflict)
	}
	final := action == "submit"
	values, problems := ParseAnswers(v.Definition, form, final)
	switch {
	case action != "submit" && action != "draft":
		problems[""] = Problem{Code: "tampered"}
	case c.FormValue("wave") != w.ID || c.FormValue("version") != strconv.FormatInt(v.ID, 10):
		problems[""] = Problem{Code: "wrong_wave"}
	}
	if len(problems) > 0 {
		if _, ok := problems[""]; !ok {
			problems[""] = Problem{Code: "fix_fields"}
		}
		return h.renderForm(c, inv, w, v, nil, form, problems, fiber.StatusBadRequest)
	}
	switch err := h.store.Save(ctx, inv, w, values, final); {
	case errors.Is(err, ErrAlreadySubmitted):
		inv.Status = "submitted"
		return h.renderForm(c, inv, w, v, nil, nil, nil, fiber.StatusConflict)
	case errors.Is(err, ErrClosed):
		return h.neutral(c)
	case err != nil:
		return err
	}
	to := "/q/" + c.Params("token")
	if !final {
		to += "?saved=1"
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}
