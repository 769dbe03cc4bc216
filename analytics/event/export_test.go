package event

// What the external tests (package event_test) check of the internals.
var (
	ParseFast = parseFast
	Earliest  = earliest
)

type RawEvent = rawEvent
