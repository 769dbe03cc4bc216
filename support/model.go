// Package support is the support-call log: support staff log each call to
// the portal's or the mailbox operator's desk while on the phone; every edit
// is a new version (nothing is overwritten), deletion is a soft delete with
// a reason, and figures.go computes the weekly figures (calls, calling
// companies "7 of 30", callers, by category, desk and resolution, share not
// solved per desk, median duration, follow-ups past due) that the pages, the
// JSON API, the dashboards and the Excel reports share.
package support

import (
	"time"
)

// Desks that take calls.
const (
	DeskPortal          = "portal"
	DeskMailboxOperator = "mailbox_operator"
)

// Desks lists the accepted values of Call.Desk.
var Desks = []string{DeskPortal, DeskMailboxOperator}

// Channels lists the accepted values of Call.Channel.
var Channels = []string{"phone", "email", "chat"}

// Categories lists the accepted values of Call.Category.
var Categories = []string{"mailbox_creation", "employee_signature", "rights_and_roles", "folders_and_rules",
	"notifications", "finding_mail", "third_party_access", "deleted_mail", "other"}

// Resolutions.
const (
	Resolved    = "resolved"
	Partly      = "partly"
	NotResolved = "not_resolved"
	Escalated   = "escalated"
)

// Resolutions lists the accepted values of Call.Resolution.
var Resolutions = []string{Resolved, Partly, NotResolved, Escalated}

// Limits, in characters.
const (
	MaxNameLen        = 200   // caller name, caller role, handled by
	MaxDescriptionLen = 10000 // a call's description
	MaxReasonLen      = 1000  // a deletion's reason
	MaxDurationMin    = 24 * 60
)

// Call is one support call as it stands now.
type Call struct {
	ID              int64      `json:"id"`
	CompanyCVR      string     `json:"company_cvr"`
	CompanyName     string     `json:"company_name"`
	CallerName      string     `json:"caller_name"`
	CallerRole      string     `json:"caller_role"`
	ReceivedAt      time.Time  `json:"received_at"`
	EndedAt         *time.Time `json:"ended_at"`
	Week            string     `json:"week"` // ISO week of ReceivedAt in Copenhagen, e.g. "2026-W48"
	Desk            string     `json:"desk"`
	Channel         string     `json:"channel"`
	Category        string     `json:"category"`
	Description     string     `json:"description"`
	Resolution      string     `json:"resolution"`
	DurationMinutes *int64     `json:"duration_minutes"`
	FollowUpNeeded  bool       `json:"follow_up_needed"`
	FollowUpBy      string     `json:"follow_up_by"` // YYYY-MM-DD, or ""
	FollowUpDone    bool       `json:"follow_up_done"`
	HandledBy       string     `json:"handled_by"`
	Version         int        `json:"version"`
	CreatedAt       time.Time  `json:"created_at"`
	CreatedBy       string     `json:"created_by"`
	UpdatedAt       time.Time  `json:"updated_at"`
	UpdatedBy       string     `json:"updated_by"`
	Deleted         *Deletion  `json:"deleted,omitempty"`
}

// Deletion says who soft-deleted a call, when and why.
type Deletion struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Reason string    `json:"reason"`
}

// Input is what a caller of the API or the form sends to create or change
// a call. Company is a CVR (or, from the form and import files, a name or
// "Name — CVR"). ReceivedAt defaults to now and HandledBy to the user.
type Input struct {
	CompanyCVR      string     `json:"company_cvr"`
	CallerName      string     `json:"caller_name"`
	CallerRole      string     `json:"caller_role"`
	ReceivedAt      *time.Time `json:"received_at"`
	EndedAt         *time.Time `json:"ended_at"`
	Desk            string     `json:"desk"`
	Channel         string     `json:"channel"`
	Category        string     `json:"category"`
	Description     string     `json:"description"`
	Resolution      string     `json:"resolution"`
	DurationMinutes *int64     `json:"duration_minutes"`
	FollowUpNeeded  bool       `json:"follow_up_needed"`
	FollowUpBy      string     `json:"follow_up_by"`
	FollowUpDone    bool       `json:"follow_up_done"`
	HandledBy       string     `json:"handled_by"`
	// Version is, for a change, the version the change was made from; a
	// change of an older version is refused (409) instead of overwriting.
	Version int `json:"version,omitempty"`
}

// Version is one entry of a call's history: the whole call as it was
// after the change, who made it, when, and which fields changed.
type Version struct {
	Version  int       `json:"version"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"` // created, imported, updated, deleted, restored
	Changed  []string  `json:"changed"`
	Reason   string    `json:"reason,omitempty"`
	Snapshot Call      `json:"snapshot"`
}

// Version actions.
const (
	ActionCreated  = "created"
	ActionImported = "imported"
	ActionUpdated  = "updated"
	ActionDeleted  = "deleted"
	ActionRestored = "restored"
)
