// Package registry holds the pilot's registry of companies and authorities:
// the data model, CVR and P-number checks, normalization, validation and the
// CSV/XLSX import. It is pure: no database and no HTTP.
package registry

import "time"

// Contact is a person at a company: the respondent of the weekly
// questionnaire and the addressee of notices.
type Contact struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Phone    string `json:"phone,omitempty"`
	Language string `json:"language"` // "da" or "en"; empty input defaults to "da"
}

// Company is a participant of the pilot (a company, or one of the public
// participants: a municipality, a region or a state institution).
type Company struct {
	ID        int64     `json:"id"`
	CVR       string    `json:"cvr"`
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`   // one of CompanyKinds
	Cohort    string    `json:"cohort"` // pilot cohort label, e.g. "pilot-2012"; may be empty
	PNumbers  []string  `json:"p_numbers"`
	Contacts  []Contact `json:"contacts"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Authority is a sender of mail to the companies' mailboxes.
type Authority struct {
	ID           int64     `json:"id"`
	CVR          string    `json:"cvr"`
	Name         string    `json:"name"`
	Kind         string    `json:"kind"`          // one of AuthorityKinds
	WeeklyTarget *int64    `json:"weekly_target"` // nil: no target; else >= 0 messages per week
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Company kinds.
const (
	KindCompany          = "company"
	KindMunicipality     = "municipality"
	KindRegion           = "region"
	KindStateInstitution = "state_institution"
	KindState            = "state"
)

// CompanyKinds lists the accepted values of Company.Kind.
var CompanyKinds = []string{KindCompany, KindMunicipality, KindRegion, KindStateInstitution}

// AuthorityKinds lists the accepted values of Authority.Kind.
var AuthorityKinds = []string{KindState, KindMunicipality, KindRegion}

// Contact languages.
const (
	LanguageDanish  = "da"
	LanguageEnglish = "en"
)

// Languages lists the accepted values of Contact.Language.
var Languages = []string{LanguageDanish, LanguageEnglish}
