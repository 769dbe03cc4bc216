package ingest

import "github.com/pilotpulse/pilotpulse/internal/web"

func init() {
	web.Translations(map[string]string{
		"ingest.backlog_full": "ClickHouse er ikke tilgængelig, og køen af hændelser, der venter på den, er fuld. Intet af dette parti er gemt: send det igen senere.",
	}, map[string]string{
		"ingest.backlog_full": "ClickHouse is unavailable and the backlog of events waiting for it is full. Nothing of this batch was kept: send it again later.",
	})
}
