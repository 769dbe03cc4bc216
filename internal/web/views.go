package web

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/week"
)

//go:embed all:templates
var templateFiles embed.FS

// Views is the html/template set behind Fiber's c.Render. Every package
// adds its own templates folder; each page is parsed on a clone of the
// layout and partials, so pages may all define "content".
type Views struct {
	mu    sync.RWMutex
	base  *template.Template
	pages map[string]*template.Template
}

// NewViews returns an empty set with the template functions.
func NewViews() *Views {
	return &Views{base: template.New("").Funcs(funcs), pages: map[string]*template.Template{}}
}

var funcs = template.FuncMap{
	// localTime shows a UTC time in Copenhagen time.
	"localTime": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			if v.IsZero() {
				return ""
			}
			return v.In(week.Copenhagen).Format("2006-01-02 15:04")
		case *time.Time:
			if v == nil || v.IsZero() {
				return ""
			}
			return v.In(week.Copenhagen).Format("2006-01-02 15:04")
		}
		return ""
	},
	"join": strings.Join,
	"deref": func(p *int64) any {
		if p == nil {
			return ""
		}
		return *p
	},
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
}

// Add parses the templates under templates/ in fsys: files whose name starts
// with "_" are partials shared by all pages; every other file is a page
// named after its file without ".html".
func (v *Views) Add(fsys fs.FS) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	files, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return err
	}
	for _, f := range files {
		if strings.HasPrefix(path.Base(f), "_") {
			b, err := fs.ReadFile(fsys, f)
			if err != nil {
				return err
			}
			if _, err := v.base.New(path.Base(f)).Parse(string(b)); err != nil {
				return fmt.Errorf("template %s: %w", f, err)
			}
		}
	}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if strings.HasPrefix(name, "_") {
			continue
		}
		if _, dup := v.pages[name]; dup {
			return fmt.Errorf("template %s: a page of that name exists already", f)
		}
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return err
		}
		t, err := v.base.Clone()
		if err != nil {
			return err
		}
		if _, err := t.New(name).Parse(string(b)); err != nil {
			return fmt.Errorf("template %s: %w", f, err)
		}
		v.pages[name] = t
	}
	return nil
}

// Load is part of fiber.Views; templates are parsed by Add.
func (v *Views) Load() error { return nil }

// Render executes the layout around the page called name (or the page alone
// when layout is "none").
func (v *Views) Render(w io.Writer, name string, binding any, layout ...string) error {
	v.mu.RLock()
	t, ok := v.pages[name]
	v.mu.RUnlock()
	if !ok {
		return fmt.Errorf("no template page %q", name)
	}
	if len(layout) > 0 && layout[0] == "none" {
		return t.ExecuteTemplate(w, name, binding)
	}
	return t.ExecuteTemplate(w, "_layout.html", binding)
}
