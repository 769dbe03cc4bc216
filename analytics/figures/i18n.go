package figures

import "github.com/pilotpulse/pilotpulse/internal/web"

func init() {
	web.Translations(map[string]string{
		"figures.not_a_week":        "skal være en ISO-uge som 2012-W46 eller en dato som 2012-11-12",
		"figures.week_out_of_range": "uge %s ligger uden for årene %d til %d",
		"figures.to_before_from":    "uge %s ligger før fra-ugen %s",
		"figures.range_too_long":    "perioden er %d uger; højst %d (tre år)",
	}, map[string]string{
		"figures.not_a_week":        "must be an ISO week such as 2012-W46 or a date such as 2012-11-12",
		"figures.week_out_of_range": "week %s is outside the years %d to %d",
		"figures.to_before_from":    "week %s is before the from week %s",
		"figures.range_too_long":    "the range is %d weeks; at most %d (three years)",
	})
}
