package survey

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

func (h *Handler) versionsAPI(c *fiber.Ctx) error {
	vs, err := h.store.Versions(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(vs)
}

func (h *Handler) versionAPI(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return web.NotFound("survey.what.version")
	}
	v, err := h.store.Version(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (h *Handler) publishAPI(c *fiber.Ctx) error {
	var def Definition
	if err := web.DecodeJSON(c, &def); err != nil {
		return err
	}
	if def.Slug != DefaultSlug {
		return web.BadRequest("survey.slug_fixed", DefaultSlug)
	}
	before, _ := h.store.Current(c.UserContext(), DefaultSlug)
	v, err := h.store.Publish(c.UserContext(), def, web.PrincipalOf(c).Name())
	if err != nil {
		return err
	}
	if v.ID == before.ID {
		return c.JSON(v)
	}
	h.record(c, audit.RecordCreated, fmt.Sprintf("survey questionnaire %s v%d", v.Slug, v.Version), "")
	return c.Status(fiber.StatusCreated).JSON(v)
}

func (h *Handler) scheduleAPI(c *fiber.Ctx) error {
	sc, err := h.store.Schedule(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(sc)
}

func (h *Handler) setScheduleAPI(c *fiber.Ctx) error {
	var sc Schedule
	if err := web.DecodeJSON(c, &sc); err != nil {
		return err
	}
	if err := h.store.SetSchedule(c.UserContext(), sc); err != nil {
		return err
	}
	h.record(c, audit.RecordChanged, "survey schedule", fmt.Sprintf("%+v", sc))
	return h.scheduleAPI(c)
}

func (h *Handler) wavesAPI(c *fiber.Ctx) error {
	ws, err := h.store.Waves(c.UserContext())
	if err != nil {
		return err
	}
	out := []WaveFigures{}
	now := h.store.Now()
	for _, w := range ws {
		f, err := h.store.FigWaveResponse(c.UserContext(), w, now)
		if err != nil {
			return err
		}
		out = append(out, f)
	}
	return c.JSON(out)
}

type createWave struct {
	Week string `json:"week"`
}

func (h *Handler) createWaveAPI(c *fiber.Ctx) error {
	var in createWave
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	w, n, err := h.store.CreateWave(c.UserContext(), in.Week, web.PrincipalOf(c).Name())
	if err != nil {
		return err
	}
	h.record(c, audit.RecordCreated, "survey wave "+w.ID, fmt.Sprintf("%d invitations", n))
	return c.Status(fiber.StatusCreated).JSON(w)
}

// waveStatus is a wave with its response figures and who has not answered.
type waveStatus struct {
	Wave           Wave            `json:"wave"`
	Figures        WaveFigures     `json:"figures"`
	NonRespondents []nonRespondent `json:"non_respondents"`
}

type nonRespondent struct {
	CompanyCVR  string `json:"company_cvr"`
	CompanyName string `json:"company_name"`
	Contact     string `json:"contact"`
	Email       string `json:"email"`
	Status      string `json:"status"`
	Reminders   int    `json:"reminders_sent"`
}

func (h *Handler) resultsAPI(c *fiber.Ctx) error {
	r, err := h.store.FigQuestionResults(c.UserContext(), c.Params("wave"), web.Language(c))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (h *Handler) waveAPI(c *fiber.Ctx) error {
	ctx := c.UserContext()
	w, err := h.store.Wave(ctx, c.Params("wave"))
	if err != nil {
		return err
	}
	f, err := h.store.FigWaveResponse(ctx, w, h.store.Now())
	if err != nil {
		return err
	}
	nr, err := h.store.FigNonRespondents(ctx, w.ID)
	if err != nil {
		return err
	}
	out := waveStatus{Wave: w, Figures: f, NonRespondents: []nonRespondent{}}
	for _, i := range nr {
		out.NonRespondents = append(out.NonRespondents, nonRespondent{i.CompanyCVR, i.CompanyName, i.ContactName, i.ContactEmail, i.Status, i.RemindersSent})
	}
	return c.JSON(out)
}

func (h *Handler) invitationsAPI(c *fiber.Ctx) error {
	w, err := h.store.Wave(c.UserContext(), c.Params("wave"))
	if err != nil {
		return err
	}
	is, err := h.store.Invitations(c.UserContext(), w.ID)
	if err != nil {
		return err
	}
	return c.JSON(is)
}

func (h *Handler) answersAPI(c *fiber.Ctx) error {
	rows, err := h.store.SubmittedAnswers(c.UserContext(), AnswerFilter{Wave: c.Query("wave"), CompanyCVR: c.Query("company"), Key: c.Query("key")})
	if err != nil {
		return err
	}
	return c.JSON(rows)
}

func (h *Handler) historyAPI(c *fiber.Ctx) error {
	id, _, err := h.store.CompanyID(c.UserContext(), c.Params("cvr"))
	if err != nil {
		return err
	}
	hist, err := h.store.FigCompanyHistory(c.UserContext(), id)
	if err != nil {
		return err
	}
	if hist == nil {
		hist = []HistoryWave{}
	}
	return c.JSON(hist)
}

func (h *Handler) interviewsAPI(c *fiber.Ctx) error {
	ivs, err := h.store.Interviews(c.UserContext(), InterviewFilter{Search: c.Query("search"), CompanyCVR: c.Query("company"), Topic: c.Query("topic")})
	if err != nil {
		return err
	}
	return c.JSON(ivs)
}

func (h *Handler) addInterviewAPI(c *fiber.Ctx) error {
	var in Interview
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	iv, err := h.store.AddInterview(c.UserContext(), in, web.PrincipalOf(c).Name())
	if err != nil {
		return err
	}
	h.record(c, audit.RecordCreated, fmt.Sprintf("survey interview %d", iv.ID), "company "+iv.CompanyCVR)
	return c.Status(fiber.StatusCreated).JSON(iv)
}

func (h *Handler) waveChangesAPI(c *fiber.Ctx) error {
	w, err := h.store.Wave(c.UserContext(), c.Params("wave"))
	if err != nil {
		return err
	}
	fl, err := h.store.FigWaveFlags(c.UserContext(), w.ID)
	if err != nil {
		return err
	}
	return c.JSON(fl)
}
