package registry

import "github.com/pilotpulse/pilotpulse/internal/web"

func init() {
	web.Translations(map[string]string{
		"nav.companies": "Virksomheder", "nav.authorities": "Myndigheder",
		"companies.title": "Virksomheder", "companies.new": "Ny virksomhed", "companies.edit": "Virksomhed", "companies.company": "Virksomhed",
		"companies.cohort": "Pilothold", "companies.contacts": "Kontaktpersoner", "companies.contact": "Kontaktperson",
		"companies.p_numbers": "P-numre", "companies.p_numbers_hint": "10 cifre, adskilt af mellemrum", "companies.phone": "Telefon",
		"companies.language": "Sprog", "companies.count": "virksomheder",
		"authorities.title": "Myndigheder", "authorities.new": "Ny myndighed", "authorities.edit": "Myndighed", "authorities.authority": "Myndighed",
		"authorities.target": "Ugentligt mål (meddelelser)",
		"registry.search":    "Søg", "registry.search_hint": "Navn eller CVR", "registry.find": "Find", "registry.name": "Navn",
		"registry.kind": "Type", "registry.none": "Ingen fundet.", "registry.saved": "Gemt.",
		"kind.company": "virksomhed", "kind.municipality": "kommune", "kind.region": "region", "kind.state_institution": "statslig institution", "kind.state": "stat",
		"import.file": "Importér fil (CSV eller XLSX)", "import.submit": "Importér", "import.failed": "Intet blev importeret. Fejl i",
		"import.busy": "For mange importer på én gang; prøv igen om lidt.",
		"import.done": "Importeret", "import.created": "oprettet", "import.updated": "opdateret", "import.unchanged": "uændret",
	}, map[string]string{
		"nav.companies": "Companies", "nav.authorities": "Authorities",
		"companies.title": "Companies", "companies.new": "New company", "companies.edit": "Company", "companies.company": "Company",
		"companies.cohort": "Pilot cohort", "companies.contacts": "Contacts", "companies.contact": "Contact",
		"companies.p_numbers": "P-numbers", "companies.p_numbers_hint": "10 digits, separated by spaces", "companies.phone": "Phone",
		"companies.language": "Language", "companies.count": "companies",
		"authorities.title": "Authorities", "authorities.new": "New authority", "authorities.edit": "Authority", "authorities.authority": "Authority",
		"authorities.target": "Weekly target (messages)",
		"registry.search":    "Search", "registry.search_hint": "Name or CVR", "registry.find": "Find", "registry.name": "Name",
		"registry.kind": "Kind", "registry.none": "None found.", "registry.saved": "Saved.",
		"kind.company": "company", "kind.municipality": "municipality", "kind.region": "region", "kind.state_institution": "state institution", "kind.state": "state",
		"import.file": "Import a file (CSV or XLSX)", "import.submit": "Import", "import.failed": "Nothing was imported. Errors in",
		"import.busy": "Too many imports at once; try again shortly.",
		"import.done": "Imported", "import.created": "created", "import.updated": "updated", "import.unchanged": "unchanged",
	})
}
