package dashboards

// Reader computes the dashboards' figures outside a web request: for the
// reports (the weekly workbook, the authority report, the legal-notice
// workbook), the CLI and scheduled work. It calls the same functions as the
// pages and their JSON twins, with a principal's scope, so a workbook shows
// the numbers the pages show. Each report adds its methods in its own file
// (report_*.go).
type Reader struct {
	h *handler
}

// NewReader reads the figures from d (the same Deps as Register).
func NewReader(d Deps) *Reader {
	return &Reader{h: &handler{Deps: d, participantCache: &participantCache{}, eventWeeksCache: &eventWeeksCache{}}}
}
