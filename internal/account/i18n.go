package account

import "github.com/pilotpulse/pilotpulse/internal/web"

func init() {
	web.Translations(map[string]string{
		"nav.users": "Brugere", "nav.tokens": "API-nøgler", "nav.audit": "Revisionslog",
		"users.title": "Brugere", "users.email": "E-mail", "users.role": "Rolle", "users.authority": "Myndighed",
		"users.authority_cvr": "Myndighedens CVR (kun for rollen myndighed)", "users.language": "Sprog",
		"users.created": "Oprettet", "users.status": "Status", "users.change": "Ændr", "users.active": "aktiv", "users.disabled": "deaktiveret",
		"users.enable": "Aktivér", "users.disable": "Deaktivér", "users.new": "Ny bruger", "users.create": "Opret bruger",
		"users.password_note": "En adgangskode dannes og vises én gang.", "users.generated": "Adgangskode (vises kun nu) for",
		"tokens.title": "API-nøgler", "tokens.prefix": "Nøgle", "tokens.name": "Navn", "tokens.owner": "Ejer", "tokens.created": "Oprettet",
		"tokens.last_used": "Senest brugt", "tokens.status": "Status", "tokens.source": "kilde", "tokens.revoked": "tilbagekaldt",
		"tokens.revoke": "Tilbagekald", "tokens.none": "Ingen nøgler endnu.", "tokens.new": "Ny nøgle", "tokens.kind": "Nøglen handler som",
		"tokens.kind_user": "en bruger (samme rolle)", "tokens.kind_source": "en datakilde (må kun sende hændelser)",
		"tokens.owner_field": "Brugerens e-mail eller kildens navn", "tokens.create": "Opret nøgle",
		"tokens.shown_once": "Kopiér nøglen nu. Den vises ikke igen.",
		"audit.title":       "Revisionslog", "audit.at": "Tidspunkt", "audit.actor": "Hvem", "audit.action": "Handling", "audit.target": "Hvad",
		"password.title": "Skift adgangskode", "password.current": "Nuværende adgangskode", "password.new": "Ny adgangskode",
		"password.confirm": "Gentag den nye adgangskode", "password.submit": "Skift adgangskode", "password.hint": "Mindst 12 tegn.",
		"password.wrong_current": "Den nuværende adgangskode er forkert.", "password.too_short": "Den nye adgangskode skal være på mindst 12 tegn.",
		"password.mismatch": "De to nye adgangskoder er ikke ens.",
		"audit.detail":      "Detaljer", "audit.filter": "Filtrér", "audit.none": "Ingen poster.",
	}, map[string]string{
		"nav.users": "Users", "nav.tokens": "API tokens", "nav.audit": "Audit log",
		"users.title": "Users", "users.email": "E-mail", "users.role": "Role", "users.authority": "Authority",
		"users.authority_cvr": "Authority CVR (authority role only)", "users.language": "Language",
		"users.created": "Created", "users.status": "Status", "users.change": "Change", "users.active": "active", "users.disabled": "disabled",
		"users.enable": "Enable", "users.disable": "Disable", "users.new": "New user", "users.create": "Create user",
		"users.password_note": "A password is generated and shown once.", "users.generated": "Password (shown only now) for",
		"tokens.title": "API tokens", "tokens.prefix": "Token", "tokens.name": "Name", "tokens.owner": "Owner", "tokens.created": "Created",
		"tokens.last_used": "Last used", "tokens.status": "Status", "tokens.source": "source", "tokens.revoked": "revoked",
		"tokens.revoke": "Revoke", "tokens.none": "No tokens yet.", "tokens.new": "New token", "tokens.kind": "The token acts as",
		"tokens.kind_user": "a user (same role)", "tokens.kind_source": "a data source (may only send events)",
		"tokens.owner_field": "The user's e-mail or the source's name", "tokens.create": "Create token",
		"tokens.shown_once": "Copy the token now. It is not shown again.",
		"audit.title":       "Audit log", "audit.at": "When", "audit.actor": "Who", "audit.action": "Action", "audit.target": "What",
		"password.title": "Change password", "password.current": "Current password", "password.new": "New password",
		"password.confirm": "Repeat the new password", "password.submit": "Change password", "password.hint": "At least 12 characters.",
		"password.wrong_current": "The current password is wrong.", "password.too_short": "The new password must be at least 12 characters.",
		"password.mismatch": "The two new passwords differ.",
		"audit.detail":      "Detail", "audit.filter": "Filter", "audit.none": "No entries.",
	})
}
