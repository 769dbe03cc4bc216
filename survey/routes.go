package survey

import (
	"context"
	"embed"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/config"
	"github.com/pilotpulse/pilotpulse/internal/store"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

//go:embed all:templates
var templates embed.FS

// Deps is what the survey's routes need from the app.
type Deps struct {
	Sender *Sender // from Open: the questionnaire store and its e-mail
	Audit  *audit.Log
	Logger *slog.Logger
}

// Handler serves the survey's pages and API.
type Handler struct {
	srv    *web.Server
	store  *Store
	sender *Sender
	audit  *audit.Log
	logger *slog.Logger
}

var (
	adminOnly = []auth.Role{auth.RoleAdmin}
	// readers: the project team and managers; support and authority users see none of it.
	readers = []auth.Role{auth.RoleAdmin, auth.RoleManager}
)

// KeyFile is where the key sealing respondent tokens lives, under the data dir.
func KeyFile(dataDir string) string { return filepath.Join(dataDir, "secrets", "survey.key") }

// Open builds the survey's store and sender over db (the token key from
// cfg's data dir, the mail server and link address from cfg) and publishes
// the default questionnaire when none exists.
func Open(ctx context.Context, db *store.DB, cfg config.Config) (*Sender, error) {
	key, err := loadKey(KeyFile(cfg.DataDir))
	if err != nil {
		return nil, err
	}
	st, err := NewStore(db, key)
	if err != nil {
		return nil, err
	}
	if err := st.EnsureDefault(ctx); err != nil {
		return nil, err
	}
	return &Sender{Store: st, SMTP: SMTP(cfg.SMTP), BaseURL: cfg.BaseURL}, nil
}

// Register adds the survey's templates and routes.
func Register(srv *web.Server, d Deps) error {
	sender := d.Sender
	logger := d.Logger
	if logger == nil {
		logger = slog.Default()
	}
	h := &Handler{srv: srv, store: sender.Store, sender: sender, audit: d.Audit, logger: logger}
	if err := srv.Views().Add(templates); err != nil {
		return err
	}
	r := srv.Router
	// The respondent's page: the token in the path is the only credential.
	r.Add(web.Route{Method: "GET", Path: "/q/:token", Public: true, Summary: "A respondent's questionnaire", Handler: h.respondentPage})
	r.Add(web.Route{Method: "POST", Path: "/q/:token", Public: true, Summary: "Save a respondent's answers (draft or submit)", Handler: h.respondentPost})

	r.Add(web.Route{Method: "GET", Path: "/survey/assets/survey.css", Public: true, Summary: "The survey pages' styles", Handler: asset("text/css; charset=utf-8", surveyCSS)})
	r.Add(web.Route{Method: "GET", Path: "/survey/assets/survey.js", Public: true, Summary: "Hides questions whose condition does not hold (the form works without it)", Handler: asset("text/javascript; charset=utf-8", surveyJS)})
	r.Add(web.Route{Method: "GET", Path: "/survey", Roles: readers, Summary: "Questionnaires and waves", Nav: "nav.survey", NavOrder: 30, Handler: h.homePage})
	r.Add(web.Route{Method: "POST", Path: "/survey/schedule", Roles: adminOnly, Summary: "Change the weekly schedule", Handler: h.scheduleForm})
	r.Add(web.Route{Method: "POST", Path: "/survey/waves", Roles: adminOnly, Summary: "Create a wave for a week", Handler: h.createWaveForm})
	r.Add(web.Route{Method: "POST", Path: "/survey/tick", Roles: adminOnly, Summary: "Run the scheduled work now", Handler: h.tickForm})
	r.Add(web.Route{Method: "GET", Path: "/survey/questionnaire", Roles: readers, Summary: "The questionnaire editor", Handler: h.questionnairePage})
	r.Add(web.Route{Method: "POST", Path: "/survey/questionnaire", Roles: adminOnly, Summary: "Publish a questionnaire version", Handler: h.publishForm})
	r.Add(web.Route{Method: "GET", Path: "/survey/questionnaire/builder", Roles: readers, Summary: "The questionnaire builder (one row per question)", Handler: h.builderPage})
	r.Add(web.Route{Method: "POST", Path: "/survey/questionnaire/builder", Roles: adminOnly, Summary: "Publish a questionnaire version from the builder", Handler: h.buildForm})
	r.Add(web.Route{Method: "GET", Path: "/survey/questionnaire/export", Roles: readers, Summary: "Download the current questionnaire (YAML or JSON)", Handler: h.exportQuestionnaire})
	r.Add(web.Route{Method: "GET", Path: "/survey/waves/:wave", Roles: readers, Summary: "One wave's response tracking", Handler: h.wavePage})
	r.Add(web.Route{Method: "GET", Path: "/survey/waves/:wave/invitations.csv", Roles: adminOnly, Summary: "Invitation list with links (CSV)", Handler: h.invitationList("csv")})
	r.Add(web.Route{Method: "GET", Path: "/survey/waves/:wave/invitations.xlsx", Roles: adminOnly, Summary: "Invitation list with links (Excel)", Handler: h.invitationList("xlsx")})
	r.Add(web.Route{Method: "POST", Path: "/survey/waves/:wave/send", Roles: adminOnly, Summary: "Send invitations and due reminders now", Handler: h.sendForm})
	r.Add(web.Route{Method: "POST", Path: "/survey/invitations/:id/reopen", Roles: adminOnly, Summary: "Reopen submitted answers", Handler: h.reopenForm})
	r.Add(web.Route{Method: "GET", Path: "/survey/companies/:cvr", Roles: readers, Summary: "A company's answers across waves, and interviews", Handler: h.companyPage})
	r.Add(web.Route{Method: "POST", Path: "/survey/companies/:cvr/interviews", Roles: adminOnly, Summary: "Add interview notes", Handler: h.addInterviewForm})
	r.Add(web.Route{Method: "GET", Path: "/survey/interviews", Roles: readers, Summary: "Search interview notes", Handler: h.interviewsPage})

	api := func(rt web.Route) { rt.Tag = "survey"; r.Add(rt) }
	api(web.Route{Method: "GET", Path: "/api/v1/survey/questionnaires", Roles: readers, Summary: "Every published questionnaire version", Returns: []Version{}, Handler: h.versionsAPI})
	api(web.Route{Method: "POST", Path: "/api/v1/survey/questionnaires", Roles: adminOnly, Summary: "Publish a questionnaire (a new version when changed)", Body: Definition{}, Returns: Version{}, Handler: h.publishAPI})
	api(web.Route{Method: "GET", Path: "/api/v1/survey/questionnaires/:id", Roles: readers, Summary: "One questionnaire version", Returns: Version{}, Handler: h.versionAPI})
	api(web.Route{Method: "GET", Path: "/api/v1/survey/schedule", Roles: readers, Summary: "The weekly schedule", Returns: Schedule{}, Handler: h.scheduleAPI})
	api(web.Route{Method: "PUT", Path: "/api/v1/survey/schedule", Roles: adminOnly, Summary: "Replace the weekly schedule", Body: Schedule{}, Returns: Schedule{}, Handler: h.setScheduleAPI})
	api(web.Route{Method: "GET", Path: "/api/v1/survey/waves", Roles: readers, Summary: "Waves with their response figures", Returns: []WaveFigures{}, Handler: h.wavesAPI})
	api(web.Route{Method: "POST", Path: "/api/v1/survey/waves", Roles: adminOnly, Summary: "Create the wave of an ISO week", Body: createWave{}, Returns: Wave{}, Handler: h.createWaveAPI})
	api(web.Route{Method: "GET", Path: "/api/v1/survey/waves/:wave", Roles: readers, Summary: "A wave's response status and non-respondents", Returns: waveStatus{}, Handler: h.waveAPI})
	api(web.Route{Method: "GET", Path: "/api/v1/survey/waves/:wave/results", Roles: readers,
		Summary: "A wave's submitted answers per question in the caller's language (docs/figures.md#questionnaire-results): question texts, answer labels with counts and shares of the respondents, means, free-text answers with their company",
		Returns: QuestionResults{}, Handler: h.resultsAPI})
	api(web.Route{Method: "GET", Path: "/api/v1/survey/waves/:wave/invitations", Roles: readers, Summary: "A wave's invitations and their status", Returns: []Invitation{}, Handler: h.invitationsAPI})
	api(web.Route{Method: "POST", Path: "/api/v1/survey/invitations/:id/reopen", Roles: adminOnly, Summary: "Reopen submitted answers so the respondent can change them until the wave closes", Returns: Invitation{}, Handler: h.reopenAPI})
	api(web.Route{Method: "GET", Path: "/api/v1/survey/waves/:wave/changes", Roles: readers, Summary: "Companies whose answers changed in the wave against their previous answered wave", Returns: []CompanyFlags{}, Handler: h.waveChangesAPI})
	api(web.Route{Method: "GET", Path: "/api/v1/survey/answers", Roles: readers, Summary: "Submitted answers in long format", Query: []string{"wave", "company", "key"}, Returns: []AnswerRow{}, Handler: h.answersAPI})
	api(web.Route{Method: "GET", Path: "/api/v1/survey/companies/:cvr/history", Roles: readers, Summary: "A company's answers across waves with changes flagged", Returns: []HistoryWave{}, Handler: h.historyAPI})
	api(web.Route{Method: "GET", Path: "/api/v1/survey/interviews", Roles: readers, Summary: "Interview notes", Query: []string{"search", "company", "topic"}, Returns: []Interview{}, Handler: h.interviewsAPI})
	api(web.Route{Method: "POST", Path: "/api/v1/survey/interviews", Roles: adminOnly, Summary: "Add interview notes", Body: Interview{}, Returns: Interview{}, Handler: h.addInterviewAPI})
	return nil
}

// RunScheduler runs s.Tick every interval until ctx ends (for `serve`).
func RunScheduler(ctx context.Context, s *Sender, logger *slog.Logger, interval time.Duration) {
	if logger == nil {
		logger = slog.Default()
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		r, err := s.Tick(ctx, time.Now().UTC())
		if err != nil {
			logger.Warn("survey scheduler", "err", err)
		} else if r.Created != "" || r.Invited > 0 || r.Invitations.Sent+r.Invitations.Failed+r.Reminders.Sent+r.Reminders.Failed > 0 {
			logger.Info("survey scheduler", "created_wave", r.Created, "new_invitations", r.Invited,
				"invitations_sent", r.Invitations.Sent, "invitations_failed", r.Invitations.Failed,
				"reminders_sent", r.Reminders.Sent, "reminders_failed", r.Reminders.Failed)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
