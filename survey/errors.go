package survey

import (
	"errors"

	"github.com/pilotpulse/pilotpulse/internal/problem"
)

// Errors of the survey store.
var (
	ErrNotFound         = problem.NotFound("survey.not_found")
	ErrExists           = problem.Conflict("survey.exists")
	ErrClosed           = errors.New("the questionnaire has closed")
	ErrAlreadySubmitted = errors.New("the answers were already submitted")
	ErrNoVersion        = problem.Conflict("survey.no_version")
)
