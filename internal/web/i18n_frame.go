package web

func init() {
	Translations(map[string]string{
		"layout.skip": "Gå til indhold", "layout.nav": "Hovedmenu", "layout.logout": "Log ud",
		"role.admin": "administrator", "role.support": "support", "role.manager": "leder", "role.authority": "myndighed", "role.source": "kilde",
		"nav.home":    "Forside",
		"login.title": "Log ind", "login.email": "E-mail", "login.password": "Adgangskode", "login.submit": "Log ind",
		"login.failed": "Forkert e-mail eller adgangskode.", "login.changed": "Adgangskoden er skiftet. Log ind med den nye.", "login.throttled": "For mange forsøg. Vent lidt og prøv igen.",
		"home.title": "Pilotpulse", "home.intro": "Opfølgning på indkøringsperioden for Digital Post: spørgeskemaer, supportopkald, brug og indholdsvolumen.",
		"error.bad_request": "Forkert input", "error.unauthorized": "Log ind først", "error.forbidden": "Ikke tilladt",
		"error.not_found": "Ikke fundet", "error.too_large": "For stor", "error.too_many": "For mange forespørgsler",
		"error.unavailable": "Midlertidigt utilgængelig", "error.internal": "Intern fejl", "error.home": "Til forsiden",
		"form.save": "Gem", "form.cancel": "Annuller", "form.errors": "Ret venligst fejlene nedenfor.",
	}, map[string]string{
		"layout.skip": "Skip to content", "layout.nav": "Main menu", "layout.logout": "Sign out",
		"role.admin": "admin", "role.support": "support", "role.manager": "manager", "role.authority": "authority", "role.source": "source",
		"nav.home":    "Home",
		"login.title": "Sign in", "login.email": "E-mail", "login.password": "Password", "login.submit": "Sign in",
		"login.failed": "Wrong e-mail or password.", "login.changed": "Your password is changed. Sign in with the new one.", "login.throttled": "Too many attempts. Wait a little and try again.",
		"home.title": "Pilotpulse", "home.intro": "Follow-up on the Digital Post running-in pilot: questionnaires, support calls, usage and content volume.",
		"error.bad_request": "Bad input", "error.unauthorized": "Sign in first", "error.forbidden": "Not allowed",
		"error.not_found": "Not found", "error.too_large": "Too large", "error.too_many": "Too many requests",
		"error.unavailable": "Temporarily unavailable", "error.internal": "Internal error", "error.home": "To the start page",
		"form.save": "Save", "form.cancel": "Cancel", "form.errors": "Please correct the errors below.",
	})
}
