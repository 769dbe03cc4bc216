package sources

import (
	"fmt"
	"strings"
)

// A pulled source's health, from its recent pull rounds
// (docs/events.md#source-health):
//
//   - waiting: not pulled yet;
//   - flapping: among the last PullHistory rounds the outcome changed
//     (success to failure or back) at least FlapChanges times, e.g. fail,
//     ok, fail, ok: the source neither works nor is down;
//   - failing: otherwise, the last round failed;
//   - ok: otherwise, the last round succeeded.
const (
	HealthWaiting  = "waiting"
	HealthOK       = "ok"
	HealthFailing  = "failing"
	HealthFlapping = "flapping"
)

// PullHistory is how many recent pull rounds a source keeps; FlapChanges
// is how many changes of outcome among them make it flapping.
const (
	PullHistory = 10
	FlapChanges = 3
)

// Outcomes of a pull round, as kept in sources.recent_pulls (one byte each,
// oldest first) and named in the API.
const (
	pullSucceeded = '+'
	pullFailed    = '-'
	OutcomeOK     = "ok"
	OutcomeFailed = "failed"
)

// outcomeChanges counts the changes of outcome between consecutive rounds.
func outcomeChanges(recent string) int {
	n := 0
	for i := 1; i < len(recent); i++ {
		if recent[i] != recent[i-1] {
			n++
		}
	}
	return n
}

// healthOf is the health of a source by its recent rounds (oldest first);
// failing is whether the last attempt failed, for a source whose history
// predates the kept rounds.
func healthOf(recent string, failing, pulledBefore bool) string {
	recent = recent[max(len(recent)-PullHistory, 0):]
	switch {
	case outcomeChanges(recent) >= FlapChanges:
		return HealthFlapping
	case recent != "":
		if recent[len(recent)-1] == pullFailed {
			return HealthFailing
		}
		return HealthOK
	case failing:
		return HealthFailing
	case pulledBefore:
		return HealthOK
	}
	return HealthWaiting
}

// outcomeNames names the recent rounds for the API, oldest first.
func outcomeNames(recent string) []string {
	out := make([]string, 0, len(recent))
	for _, c := range []byte(recent) {
		if c == pullFailed {
			out = append(out, OutcomeFailed)
		} else {
			out = append(out, OutcomeOK)
		}
	}
	return out
}

// outcomeMarks shows the recent rounds (outcome names, oldest first) on
// the pages: ✓ a success, ✗ a failure.
func outcomeMarks(names []string) string {
	marks := make([]string, len(names))
	for i, n := range names {
		marks[i] = "✓"
		if n == OutcomeFailed {
			marks[i] = "✗"
		}
	}
	return strings.Join(marks, " ")
}

// appendOutcome is the SQL expression of recent_pulls with one more round
// (a '+' or '-' bound as its parameter), keeping the last PullHistory.
var appendOutcome = fmt.Sprintf(`substr(recent_pulls || ?, -%d)`, PullHistory)

// flag is 1 for true, 0 for false (a gauge of a yes/no).
func flag(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
