package survey

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

//go:embed survey.css
var surveyCSS []byte

//go:embed survey.js
var surveyJS []byte

func asset(contentType string, body []byte) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, contentType)
		c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
		return c.Send(body)
	}
}

func (h *Handler) record(c *fiber.Ctx, action, target, detail string) {
	h.audit.Record(c.UserContext(), audit.Entry{Actor: web.PrincipalOf(c).Name(), Action: action, Target: target, Detail: detail, IP: c.IP()})
}

func isAdmin(c *fiber.Ctx) bool {
	p := web.PrincipalOf(c)
	return p != nil && p.Role == auth.RoleAdmin
}

// --- overview ---

type waveRow struct {
	Wave    Wave
	Figures WaveFigures
}

type homeView struct {
	Current  Version
	Versions []Version
	Schedule Schedule
	Waves    []waveRow
	CanEdit  bool
	SMTP     bool
	NextWeek string
	Tick     *TickResult
}

func (h *Handler) renderHome(c *fiber.Ctx, d web.PageData, v homeView) error {
	ctx := c.UserContext()
	var err error
	if v.Current, err = h.store.Current(ctx, DefaultSlug); err != nil && !errors.Is(err, ErrNoVersion) {
		return err
	}
	if v.Versions, err = h.store.Versions(ctx); err != nil {
		return err
	}
	if d.Form == nil {
		if v.Schedule, err = h.store.Schedule(ctx); err != nil {
			return err
		}
	}
	ws, err := h.store.Waves(ctx)
	if err != nil {
		return err
	}
	now := h.store.Now()
	for _, w := range ws {
		f, err := h.store.FigWaveResponse(ctx, w, now)
		if err != nil {
			return err
		}
		v.Waves = append(v.Waves, waveRow{w, f})
	}
	v.CanEdit, v.SMTP, v.NextWeek = isAdmin(c), h.sender.SMTP.Enabled(), week.Of(now).String()
	d.Title, d.Data = "survey.title", v
	return h.srv.Render(c, "survey_home", d)
}

func (h *Handler) homePage(c *fiber.Ctx) error {
	d := web.PageData{}
	switch c.Query("done") {
	case "schedule":
		d.Flash = web.Translate(web.Language(c), "survey.schedule.saved")
	case "wave":
		d.Flash = web.Translate(web.Language(c), "survey.wave.created")
	}
	return h.renderHome(c, d, homeView{})
}

func scheduleFromForm(c *fiber.Ctx) Schedule {
	n := func(k string) int { v, _ := strconv.Atoi(strings.TrimSpace(c.FormValue(k))); return v }
	return Schedule{Enabled: c.FormValue("enabled") == "1", OpenWeekday: n("open_weekday"), OpenTime: strings.TrimSpace(c.FormValue("open_time")),
		CloseAfterDays: n("close_after_days"), ReminderAfterDays: n("reminder_after_days"), MaxReminders: n("max_reminders"), Cohort: c.FormValue("cohort")}
}

func fieldErrs(err error) (FieldErrors, bool) {
	var fe FieldErrors
	if !errors.As(err, &fe) {
		return nil, false
	}
	return append(FieldErrors{{Field: "form", Message: problem.Msg("form.errors")}}, fe...), true
}

func (h *Handler) scheduleForm(c *fiber.Ctx) error {
	sc := scheduleFromForm(c)
	if err := h.store.SetSchedule(c.UserContext(), sc); err != nil {
		errs, ok := fieldErrs(err)
		if !ok {
			return err
		}
		c.Status(fiber.StatusBadRequest)
		return h.renderHome(c, web.PageData{Fields: errs, Form: map[string]string{"schedule": "1"}}, homeView{Schedule: sc})
	}
	h.record(c, audit.RecordChanged, "survey schedule", fmt.Sprintf("%+v", sc))
	return c.Redirect("/survey?done=schedule", fiber.StatusSeeOther)
}

func (h *Handler) createWaveForm(c *fiber.Ctx) error {
	weekText := strings.TrimSpace(c.FormValue("week"))
	w, n, err := h.store.CreateWave(c.UserContext(), weekText, web.PrincipalOf(c).Name())
	if err != nil {
		var fe FieldErrors
		switch {
		case errors.As(err, &fe):
		case errors.Is(err, ErrExists):
			fe.Add("week", "survey.v.wave_exists", weekText)
		case errors.Is(err, ErrNoVersion):
			fe.AddErr("week", err)
		default:
			return err
		}
		c.Status(fiber.StatusBadRequest)
		return h.renderHome(c, web.PageData{Fields: fe, Form: map[string]string{"week": weekText}}, homeView{})
	}
	h.record(c, audit.RecordCreated, "survey wave "+w.ID, fmt.Sprintf("%d invitations", n))
	return c.Redirect("/survey/waves/"+w.ID, fiber.StatusSeeOther)
}

func (h *Handler) tickForm(c *fiber.Ctx) error {
	r, err := h.sender.Tick(c.UserContext(), h.store.Now())
	if err != nil {
		return err
	}
	h.record(c, "survey_tick", "survey schedule", fmt.Sprintf("%+v", r))
	return h.renderHome(c, web.PageData{}, homeView{Tick: &r})
}

// --- questionnaire editor ---

type editorView struct {
	Current  Version
	Versions []Version
	Text     string
	CanEdit  bool
	Message  string
}

func (h *Handler) renderEditor(c *fiber.Ctx, d web.PageData, v editorView) error {
	ctx := c.UserContext()
	var err error
	if v.Current, err = h.store.Current(ctx, DefaultSlug); err != nil && !errors.Is(err, ErrNoVersion) {
		return err
	}
	if v.Versions, err = h.store.Versions(ctx); err != nil {
		return err
	}
	if v.Text == "" {
		b, err := MarshalDefinition(v.Current.Definition, "yaml")
		if err != nil {
			return err
		}
		v.Text = string(b)
	}
	v.CanEdit = isAdmin(c)
	d.Title, d.Data = "survey.edit", v
	return h.srv.Render(c, "survey_questionnaire", d)
}

func (h *Handler) questionnairePage(c *fiber.Ctx) error {
	v := editorView{}
	if n, err := strconv.Atoi(c.Query("published")); err == nil {
		v.Message = fmt.Sprintf(web.Translate(web.Language(c), "survey.editor.published"), n)
	}
	return h.renderEditor(c, web.PageData{}, v)
}

const maxDefinitionBytes = 1 << 20

func (h *Handler) publishForm(c *fiber.Ctx) error {
	text := c.FormValue("definition")
	if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
		if fh.Size > maxDefinitionBytes {
			return web.BadRequest("survey.editor.file_big", maxDefinitionBytes>>20)
		}
		f, err := fh.Open()
		if err != nil {
			return web.BadRequest("survey.editor.file_bad")
		}
		b, err := io.ReadAll(io.LimitReader(f, maxDefinitionBytes))
		f.Close()
		if err != nil {
			return web.BadRequest("survey.editor.file_bad")
		}
		text = string(b)
	}
	if len(text) > maxDefinitionBytes {
		return web.BadRequest("survey.editor.too_big", maxDefinitionBytes>>20)
	}
	before, _ := h.store.Current(c.UserContext(), DefaultSlug)
	def, err := ParseDefinition([]byte(text), "")
	if err == nil && def.Slug != DefaultSlug {
		err = FieldErrors{{Field: "slug", Message: problem.Msg("survey.def.weekly_slug", DefaultSlug)}}
	}
	var v Version
	if err == nil {
		v, err = h.store.Publish(c.UserContext(), def, web.PrincipalOf(c).Name())
	}
	if err != nil {
		var fe FieldErrors
		if !errors.As(err, &fe) {
			return err
		}
		c.Status(fiber.StatusBadRequest)
		return h.renderEditor(c, web.PageData{Errors: map[string]string{"form": "form.errors"}, Fields: definitionErrors(fe)}, editorView{Text: text})
	}
	if v.ID == before.ID {
		return h.renderEditor(c, web.PageData{}, editorView{Message: fmt.Sprintf(web.Translate(web.Language(c), "survey.editor.unchanged"), v.Version)})
	}
	h.record(c, audit.RecordCreated, fmt.Sprintf("survey questionnaire %s v%d", v.Slug, v.Version), "")
	return c.Redirect(fmt.Sprintf("/survey/questionnaire?published=%d", v.Version), fiber.StatusSeeOther)
}

func (h *Handler) exportQuestionnaire(c *fiber.Ctx) error {
	format := c.Query("format", "yaml")
	if format != "yaml" && format != "json" {
		return web.BadRequest("survey.export_format")
	}
	v, err := h.store.Current(c.UserContext(), DefaultSlug)
	if err != nil {
		return err
	}
	b, err := MarshalDefinition(v.Definition, format)
	if err != nil {
		return err
	}
	h.record(c, audit.Export, fmt.Sprintf("survey questionnaire %s v%d", v.Slug, v.Version), format)
	ct := "application/yaml"
	if format == "json" {
		ct = fiber.MIMEApplicationJSON
	}
	c.Set(fiber.HeaderContentType, ct+"; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="questionnaire-%s-v%d.%s"`, v.Slug, v.Version, format))
	return c.Send(b)
}

// --- one wave ---

type waveView struct {
	Wave           Wave
	Figures        WaveFigures
	Invitations    []Invitation
	NonRespondents []Invitation
	Changes        []CompanyFlags
	CanEdit        bool
	SMTP           bool
	Sent           *SendResult
}

func (h *Handler) renderWave(c *fiber.Ctx, d web.PageData, v waveView) error {
	ctx := c.UserContext()
	w, err := h.store.Wave(ctx, c.Params("wave"))
	if err != nil {
		return err
	}
	v.Wave = w
	if v.Figures, err = h.store.FigWaveResponse(ctx, w, h.store.Now()); err != nil {
		return err
	}
	if v.Invitations, err = h.store.Invitations(ctx, w.ID); err != nil {
		return err
	}
	if v.NonRespondents, err = h.store.FigNonRespondents(ctx, w.ID); err != nil {
		return err
	}
	if v.Changes, err = h.store.FigWaveFlags(ctx, w.ID); err != nil {
		return err
	}
	v.CanEdit, v.SMTP = isAdmin(c), h.sender.SMTP.Enabled()
	d.Title, d.Data = "survey.wave", v
	return h.srv.Render(c, "survey_wave", d)
}

func (h *Handler) wavePage(c *fiber.Ctx) error {
	d := web.PageData{}
	if c.Query("reopened") == "1" {
		d.Flash = web.Translate(web.Language(c), "survey.reopened")
	}
	return h.renderWave(c, d, waveView{})
}

func (h *Handler) sendForm(c *fiber.Ctx) error {
	ctx := c.UserContext()
	w, err := h.store.Wave(ctx, c.Params("wave"))
	if err != nil {
		return err
	}
	now, actor := h.store.Now(), web.PrincipalOf(c).Name()
	r, err := h.sender.SendInvitations(ctx, w, now, actor)
	if err != nil {
		return err
	}
	rr, err := h.sender.SendReminders(ctx, w, now, actor)
	if err != nil {
		return err
	}
	r.Sent += rr.Sent
	r.Failed += rr.Failed
	h.record(c, "survey_send", "survey wave "+w.ID, fmt.Sprintf("sent=%d failed=%d", r.Sent, r.Failed))
	return h.renderWave(c, web.PageData{}, waveView{Sent: &r})
}

// reopen lets the invitation's respondent change submitted answers again.
func (h *Handler) reopen(c *fiber.Ctx) (Invitation, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return Invitation{}, web.NotFound("survey.what.invitation")
	}
	inv, err := h.store.Invitation(c.UserContext(), id)
	if err != nil {
		return inv, err
	}
	if err := h.store.Reopen(c.UserContext(), id, web.PrincipalOf(c).Name()); err != nil {
		if errors.Is(err, ErrNotFound) {
			return inv, web.Conflict("survey.reopen_submitted")
		}
		return inv, err
	}
	h.record(c, audit.RecordChanged, fmt.Sprintf("survey invitation %d", id), "reopened; wave "+inv.WaveID+", contact "+inv.ContactEmail)
	return h.store.Invitation(c.UserContext(), id)
}

func (h *Handler) reopenForm(c *fiber.Ctx) error {
	inv, err := h.reopen(c)
	if err != nil {
		return err
	}
	return c.Redirect("/survey/waves/"+inv.WaveID+"?reopened=1", fiber.StatusSeeOther)
}

func (h *Handler) reopenAPI(c *fiber.Ctx) error {
	inv, err := h.reopen(c)
	if err != nil {
		return err
	}
	return c.JSON(inv)
}

// --- one company ---

type historyRow struct {
	HistoryWave
	Cells []string // one per key, in the order of Keys
}

type companyView struct {
	CVR        string
	Name       string
	Keys       []string
	History    []historyRow
	Interviews []Interview
	Topics     []string
	CanEdit    bool
	Today      string
}

func (h *Handler) renderCompany(c *fiber.Ctx, d web.PageData) error {
	ctx := c.UserContext()
	cvr := c.Params("cvr")
	id, name, err := h.store.CompanyID(ctx, cvr)
	if err != nil {
		return err
	}
	hist, err := h.store.FigCompanyHistory(ctx, id)
	if err != nil {
		return err
	}
	cur, err := h.store.Current(ctx, DefaultSlug)
	if err != nil {
		return err
	}
	v := companyView{CVR: cvr, Name: name, Keys: cur.Definition.Keys(), CanEdit: isAdmin(c), Today: h.store.Now().In(week.Copenhagen).Format("2006-01-02")}
	for _, hw := range hist {
		row := historyRow{HistoryWave: hw}
		for _, k := range v.Keys {
			val := hw.Values[k]
			if q, ok := cur.Definition.Question(k); ok && q.Type == TypeMulti {
				val = strings.Join(MultiValues(val), ", ")
			}
			row.Cells = append(row.Cells, val)
		}
		v.History = append(v.History, row)
	}
	if v.Interviews, err = h.store.Interviews(ctx, InterviewFilter{CompanyCVR: cvr}); err != nil {
		return err
	}
	if v.Topics, err = h.store.Topics(ctx); err != nil {
		return err
	}
	d.Title, d.Data = "survey.company", v
	return h.srv.Render(c, "survey_company", d)
}

func (h *Handler) companyPage(c *fiber.Ctx) error {
	d := web.PageData{}
	if c.Query("saved") == "1" {
		d.Flash = web.Translate(web.Language(c), "survey.interview.saved")
	}
	return h.renderCompany(c, d)
}

func topicsFromForm(c *fiber.Ctx) []string {
	var ts []string
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		if string(k) == "topics" {
			ts = append(ts, string(v))
		}
	})
	return ts
}

func (h *Handler) addInterviewForm(c *fiber.Ctx) error {
	in := Interview{CompanyCVR: c.Params("cvr"), HeldOn: strings.TrimSpace(c.FormValue("held_on")), Interviewer: c.FormValue("interviewer"),
		Topics: topicsFromForm(c), Notes: c.FormValue("notes")}
	iv, err := h.store.AddInterview(c.UserContext(), in, web.PrincipalOf(c).Name())
	if err != nil {
		errs, ok := fieldErrs(err)
		if !ok {
			return err
		}
		if _, _, err := h.store.CompanyID(c.UserContext(), in.CompanyCVR); err != nil {
			return err
		}
		c.Status(fiber.StatusBadRequest)
		return h.renderCompany(c, web.PageData{Fields: errs, Form: map[string]string{"held_on": in.HeldOn, "interviewer": in.Interviewer, "notes": in.Notes}})
	}
	h.record(c, audit.RecordCreated, fmt.Sprintf("survey interview %d", iv.ID), "company "+iv.CompanyCVR)
	return c.Redirect("/survey/companies/"+iv.CompanyCVR+"?saved=1", fiber.StatusSeeOther)
}

type interviewsView struct {
	Search     string
	Topic      string
	Topics     []string
	Interviews []Interview
}

func (h *Handler) interviewsPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	v := interviewsView{Search: c.Query("search"), Topic: c.Query("topic")}
	var err error
	if v.Interviews, err = h.store.Interviews(ctx, InterviewFilter{Search: v.Search, Topic: v.Topic}); err != nil {
		return err
	}
	if v.Topics, err = h.store.Topics(ctx); err != nil {
		return err
	}
	return h.srv.Render(c, "survey_interviews", web.PageData{Title: "survey.interviews", Data: v})
}
