package event

// What the external tests (package event_test) check of the internals.
var (
	ParseFast = func(line []byte, r *rawEvent) bool { return parseFast(string(line), r) }
	Earliest  = earliest
)

type RawEvent = rawEvent
