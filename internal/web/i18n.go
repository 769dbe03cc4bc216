package web

import (
	"maps"
	"sort"
	"sync"

	"github.com/pilotpulse/pilotpulse/internal/problem"
)

// Languages the UI speaks; Danish is the default.
var Languages = []string{"da", "en"}

func init() { problem.UseCatalog(Translate) }

var (
	messagesMu sync.RWMutex
	messages   = map[string]map[string]string{"da": {}, "en": {}}
)

// Translations adds a package's UI texts: key -> text, per language.
// Every key must exist in both languages (a test checks it).
func Translations(da, en map[string]string) {
	messagesMu.Lock()
	defer messagesMu.Unlock()
	maps.Copy(messages["da"], da)
	maps.Copy(messages["en"], en)
}

// Translate returns the text for key in lang (the key itself if missing).
func Translate(lang, key string) string {
	messagesMu.RLock()
	defer messagesMu.RUnlock()
	if s, ok := messages[lang][key]; ok {
		return s
	}
	if s, ok := messages["da"][key]; ok {
		return s
	}
	return key
}

// Table is a copy of every text of lang: key -> text.
func Table(lang string) map[string]string {
	messagesMu.RLock()
	defer messagesMu.RUnlock()
	return maps.Clone(messages[lang])
}

// MissingTranslations lists keys present in one language but not the other.
func MissingTranslations() []string {
	messagesMu.RLock()
	defer messagesMu.RUnlock()
	var missing []string
	for k := range messages["da"] {
		if _, ok := messages["en"][k]; !ok {
			missing = append(missing, "en:"+k)
		}
	}
	for k := range messages["en"] {
		if _, ok := messages["da"][k]; !ok {
			missing = append(missing, "da:"+k)
		}
	}
	sort.Strings(missing)
	return missing
}
