// Package demofeed generates the deterministic demo events of a pilot and
// serves them as an upstream http feed, for `pilotpulse demo` and
// `pilotpulse feed serve|export`.
package demofeed
