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
		"error.conflict": "Konflikt", "error.unsupported_type": "Forkert indholdstype",
		"error.forbidden_role": "Din rolle giver ikke adgang til dette.", "error.page_not_found": "Siden findes ikke.",
		"error.not_found_what": "Fandt ikke: %s.", "error.not_found_record": "Det findes ikke, eller du har ikke adgang til det.",
		"error.conflict_record":  "Det strider mod det, der allerede er gemt.",
		"error.unavailable_what": "Kan ikke nå %s lige nu; prøv igen om lidt.", "error.unavailable_store": "En database svarer ikke lige nu; prøv igen om lidt.",
		"error.internal_text": "Intern fejl. Den er skrevet i loggen; prøv igen, eller kontakt en administrator.",
		"error.fields":        "Ret venligst de felter, der er fejl i.", "error.body_too_large": "Forespørgslen er for stor.",
		"error.sign_in": "Log ind, eller send et gyldigt API-token.", "error.csrf": "Sikkerhedstokenet (CSRF) mangler eller er forkert: genindlæs siden, og prøv igen.",
		"error.bearer_form": "Authorization-headeren skal have formen 'Bearer TOKEN'.", "error.bad_token": "API-tokenet er ugyldigt eller tilbagekaldt.",
		"error.lang_choice": "Vælg da eller en.", "error.json_type": "skal være %s", "error.json_unknown_field": "ukendt felt %q",
		"error.json_time": "Et tidspunkt er ikke på formen RFC 3339 (f.eks. 2026-11-23T09:30:00+01:00): %q",
		"error.json_body": "Indholdet er ikke ét gyldigt JSON-objekt.", "error.json_one": "Indholdet skal være ét JSON-objekt og intet andet.",
		"json.type.text": "en tekst", "json.type.bool": "true eller false", "json.type.list": "en liste", "json.type.object": "et objekt", "json.type.number": "et tal",
		"field.required": "skal udfyldes", "field.too_long": "må højst være %d tegn", "field.not_utf8": "skal være gyldig tekst (UTF-8)",
		"field.control_chars": "må ikke indeholde kontroltegn", "field.one_of": "skal udfyldes: vælg en af %s", "field.must_be_one_of": "skal være en af: %s", "field.unknown_choice": "ukendt værdi %q; vælg en af: %s",
		"field.whole_number": "skal være et helt tal", "field.not_negative": "må ikke være negativ",
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
		"error.conflict": "Conflict", "error.unsupported_type": "Unsupported content type",
		"error.forbidden_role": "not allowed for your role", "error.page_not_found": "page not found",
		"error.not_found_what": "%s not found", "error.not_found_record": "not found, or not yours to see",
		"error.conflict_record":  "this clashes with what is stored already",
		"error.unavailable_what": "%s is unavailable, try again shortly", "error.unavailable_store": "a data store is unavailable, try again shortly",
		"error.internal_text": "internal error: it is logged; try again or ask an administrator",
		"error.fields":        "please correct the fields in error", "error.body_too_large": "request body too large",
		"error.sign_in": "sign in or send a valid API token", "error.csrf": "missing or wrong CSRF token: reload the page and try again",
		"error.bearer_form": "Authorization must be 'Bearer TOKEN'", "error.bad_token": "invalid or revoked API token",
		"error.lang_choice": "want da or en", "error.json_type": "must be %s", "error.json_unknown_field": "unknown field %q",
		"error.json_time": "a time is not RFC 3339 (e.g. 2026-11-23T09:30:00+01:00): %q",
		"error.json_body": "the body is not one valid JSON object", "error.json_one": "body: one JSON object expected",
		"json.type.text": "a text", "json.type.bool": "true or false", "json.type.list": "a list", "json.type.object": "an object", "json.type.number": "a number",
		"field.required": "is required", "field.too_long": "must be at most %d characters", "field.not_utf8": "must be valid UTF-8 text",
		"field.control_chars": "must not contain control characters", "field.one_of": "required: one of %s", "field.must_be_one_of": "must be one of %s", "field.unknown_choice": "unknown value %q: one of %s",
		"field.whole_number": "must be a whole number", "field.not_negative": "must not be negative",
	})
}

// The upload progress bar (templates/_upload.html, static/upload.js).
func init() {
	Translations(map[string]string{"upload.progress": "Overførsel af filen"}, map[string]string{"upload.progress": "File upload"})
}
