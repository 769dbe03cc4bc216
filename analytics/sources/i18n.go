package sources

import "github.com/pilotpulse/pilotpulse/internal/web"

func init() {
	web.Translations(map[string]string{
		"nav.sources": "Kilder", "sources.title": "Datakilder",
		"sources.intro": "Hændelser fra postkassen: push-kilder sender med en nøgle; feeds og mapper hentes af Pilotpulse efter deres interval. Positionen flyttes først, når hændelserne er gemt.",
		"sources.new":   "Ny kilde", "sources.edit": "Kilde", "sources.name": "Navn", "sources.kind": "Type", "sources.state": "Status",
		"sources.last_success": "Sidst hentet", "sources.lag": "Forsinkelse", "sources.pulled": "Hændelser hentet",
		"sources.newest_event": "Nyeste hændelse", "sources.last_error": "Seneste fejl", "sources.actions": "Handlinger",
		"sources.duplicates": "dubletter", "sources.rejected": "afvist", "sources.accepted": "Nye hændelser", "sources.rejected_lines": "Afviste linjer",
		"sources.poll_now": "Hent nu", "sources.enable": "Slå til", "sources.disable": "Slå fra", "sources.none": "Ingen kilder endnu.",
		"sources.next_attempt": "Næste forsøg", "sources.status": "Status", "sources.failures": "fejl i træk",
		"sources.cursor": "Position (cursor)", "sources.no_cursor": "ingen endnu: første hentning starter fra begyndelsen",
		"sources.settings": "Indstillinger", "sources.url": "Feed-adresse",
		"sources.url_hint":       "Hentes som URL?after=POSITION&limit=N og skal svare {\"events\": […], \"next\": \"POSITION\", \"has_more\": true|false}.",
		"sources.directory":      "Mappe",
		"sources.directory_hint": "Filer *.ndjson, *.ndjson.gz og *.csv hentes én gang hver (genkendt på indhold) og flyttes til done/ (eller failed/ med en .error.txt).",
		"sources.interval":       "Interval (sekunder eller fx 30s, 5m)", "sources.batch_limit": "Hændelser pr. side/parti",
		"sources.enabled": "Hentes", "sources.files": "Modtagne filer", "sources.file": "Fil", "sources.done_at": "Modtaget",
		"sources.saved": "Gemt.", "sources.polled": "Kilden hentes inden for få sekunder.",
		"sources.state_push": "push (nøgle)", "sources.state_disabled": "slået fra", "sources.state_failing": "fejler",
		"sources.state_waiting": "venter på første hentning", "sources.state_ok": "OK",
	}, map[string]string{
		"nav.sources": "Sources", "sources.title": "Data sources",
		"sources.intro": "Events from the mailbox: push sources send with a token; feeds and folders are pulled by Pilotpulse at their interval. The position only moves once the events are stored.",
		"sources.new":   "New source", "sources.edit": "Source", "sources.name": "Name", "sources.kind": "Kind", "sources.state": "State",
		"sources.last_success": "Last pulled", "sources.lag": "Lag", "sources.pulled": "Events pulled",
		"sources.newest_event": "Newest event", "sources.last_error": "Last error", "sources.actions": "Actions",
		"sources.duplicates": "duplicates", "sources.rejected": "rejected", "sources.accepted": "New events", "sources.rejected_lines": "Rejected lines",
		"sources.poll_now": "Pull now", "sources.enable": "Switch on", "sources.disable": "Switch off", "sources.none": "No sources yet.",
		"sources.next_attempt": "Next attempt", "sources.status": "Status", "sources.failures": "failures in a row",
		"sources.cursor": "Position (cursor)", "sources.no_cursor": "none yet: the first pull starts at the beginning",
		"sources.settings": "Settings", "sources.url": "Feed address",
		"sources.url_hint":       "Polled as URL?after=CURSOR&limit=N; must answer {\"events\": […], \"next\": \"CURSOR\", \"has_more\": true|false}.",
		"sources.directory":      "Folder",
		"sources.directory_hint": "Files *.ndjson, *.ndjson.gz and *.csv are taken once each (recognised by content) and moved to done/ (or failed/ with a .error.txt).",
		"sources.interval":       "Interval (seconds, or like 30s, 5m)", "sources.batch_limit": "Events per page/batch",
		"sources.enabled": "Pulled", "sources.files": "Files taken in", "sources.file": "File", "sources.done_at": "Taken in",
		"sources.saved": "Saved.", "sources.polled": "The source will be pulled within seconds.",
		"sources.state_push": "push (token)", "sources.state_disabled": "switched off", "sources.state_failing": "failing",
		"sources.state_waiting": "waiting for the first pull", "sources.state_ok": "OK",
	})
}
