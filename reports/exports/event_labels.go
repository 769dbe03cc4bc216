package exports

import (
	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

// eventWords are the words the events export writes for the event types and
// message channels of lang (users see words, not keys); a type or channel
// without a word (one the mailbox added since) is written as it came.
func eventWords(lang string) map[string]string {
	words := map[string]string{}
	for _, t := range event.KnownTypes {
		words[t] = web.Translate(lang, "reports.event."+t)
	}
	for _, c := range []string{event.ChannelDigital, event.ChannelRemotePrint} {
		words[c] = web.Translate(lang, "reports.channel."+c)
	}
	for k, v := range words {
		if v == "reports.event."+k || v == "reports.channel."+k {
			words[k] = k
		}
	}
	return words
}

// word is the word for an event type or channel code.
func word(words map[string]string, code string) string {
	if w, ok := words[code]; ok {
		return w
	}
	return code
}

func init() {
	web.Translations(map[string]string{
		"reports.event.mailbox.setup_started":      "Oprettelse påbegyndt",
		"reports.event.mailbox.setup_completed":    "Oprettelse fuldført",
		"reports.event.mailbox.setup_failed":       "Oprettelse fejlede",
		"reports.event.user.login":                 "Login",
		"reports.event.message.sent":               "Meddelelse sendt",
		"reports.event.message.read":               "Meddelelse læst",
		"reports.event.message.deleted":            "Meddelelse slettet",
		"reports.event.message.moved":              "Meddelelse flyttet",
		"reports.event.rule.created":               "Regel oprettet",
		"reports.event.folder.created":             "Mappe oprettet",
		"reports.event.notification.configured":    "Notifikation sat op",
		"reports.event.access.third_party_granted": "Tredjepart givet adgang",
		"reports.event.role.assigned":              "Rolle tildelt",
		"reports.channel.digital":                  "Digital post",
		"reports.channel.remote_print":             "Fjernprint (papir)",
	}, map[string]string{
		"reports.event.mailbox.setup_started":      "Setup started",
		"reports.event.mailbox.setup_completed":    "Setup completed",
		"reports.event.mailbox.setup_failed":       "Setup failed",
		"reports.event.user.login":                 "Login",
		"reports.event.message.sent":               "Message sent",
		"reports.event.message.read":               "Message read",
		"reports.event.message.deleted":            "Message deleted",
		"reports.event.message.moved":              "Message moved",
		"reports.event.rule.created":               "Rule created",
		"reports.event.folder.created":             "Folder created",
		"reports.event.notification.configured":    "Notification set up",
		"reports.event.access.third_party_granted": "Third party granted access",
		"reports.event.role.assigned":              "Role assigned",
		"reports.channel.digital":                  "Digital mail",
		"reports.channel.remote_print":             "Remote print (paper)",
	})
}
