package demopilot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pilotpulse/pilotpulse/analytics/demofeed"
	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/registry"
)

// Login is a demo user's sign-in. Password is empty once the user chose a
// password of its own (the kept login is then deleted, as the first
// admin's is).
type Login struct {
	Role      auth.Role
	Email     string
	Password  string
	Authority string // the authority's name, for authority users
}

func (l Login) String() string {
	who := string(l.Role)
	if l.Authority != "" {
		who += ", " + l.Authority
	}
	if l.Password == "" {
		return fmt.Sprintf("%s: %s (password changed by its user)", who, l.Email)
	}
	return fmt.Sprintf("%s: %s / %s", who, l.Email, l.Password)
}

// demoUser is a demo user to make: authorityIndex picks the authority of
// an authority user in the demo's list (-1: none).
type demoUser struct {
	role           auth.Role
	email          string
	language       string
	authorityIndex int
}

// demoUsers are one user per role besides the admin (the first start
// makes that one): support, a manager (in English) and two authority
// users of different authorities, a municipality and the tax agency.
var demoUsers = []demoUser{
	{auth.RoleSupport, "support@pilotpulse.local", registry.LanguageDanish, -1},
	{auth.RoleManager, "manager@pilotpulse.local", registry.LanguageEnglish, -1},
	{auth.RoleAuthority, "fredericia@pilotpulse.local", registry.LanguageDanish, 0},
	{auth.RoleAuthority, "skat@pilotpulse.local", registry.LanguageDanish, 3},
}

// ensureUsers creates the demo users that do not exist yet, with
// generated passwords, and keeps every demo login in the data dir's
// app.DemoLoginsFile (mode 0600, one "email / password" per line, as the
// first admin's): a later run prints them again.
func ensureUsers(ctx context.Context, a *app.App, d demofeed.Demo) ([]Login, error) {
	path := filepath.Join(a.Config.DataDir, app.DemoLoginsFile)
	kept := map[string]string{} // email -> password
	if b, err := os.ReadFile(path); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if email, pw, ok := strings.Cut(strings.TrimSpace(line), " / "); ok {
				kept[email] = pw
			}
		}
	}
	var logins []Login
	var file strings.Builder
	for _, u := range demoUsers {
		l := Login{Role: u.role, Email: u.email}
		var cvr string
		if u.authorityIndex >= 0 && u.authorityIndex < len(d.Authorities) {
			cvr, l.Authority = d.Authorities[u.authorityIndex].CVR, d.Authorities[u.authorityIndex].Name
		}
		pw := auth.GeneratePassword()
		_, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: u.email, Role: u.role, AuthorityCVR: cvr, Language: u.language, Password: pw})
		switch {
		case errors.Is(err, auth.ErrEmailTaken):
			pw = kept[u.email] // "" once its user changed it
		case err != nil:
			return nil, fmt.Errorf("demo user %s: %w", u.email, err)
		default:
			a.Audit.Record(ctx, audit.Entry{Actor: actor, Action: audit.UserCreated, Target: u.email, Detail: "role=" + string(u.role) + " (demo pilot)"})
		}
		l.Password = pw
		if pw != "" {
			fmt.Fprintf(&file, "%s / %s\n", u.email, pw)
		}
		logins = append(logins, l)
	}
	if err := os.WriteFile(path, []byte(file.String()), 0o600); err != nil {
		return nil, fmt.Errorf("keeping the demo logins: %w", err)
	}
	return logins, os.Chmod(path, 0o600)
}
