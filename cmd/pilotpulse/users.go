package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
)

func openAppDB(ctx context.Context, c *cmdContext) (*app.App, error) {
	return app.Open(ctx, c.cfg, c.logger, app.Options{})
}

func runUserAdd(ctx context.Context, c *cmdContext) error {
	if len(c.args) > 0 {
		return usageError{"user add takes no arguments, only flags"}
	}
	email, role := c.flag("email"), c.flag("role")
	if email == "" || role == "" {
		return usageError{"user add needs --email and --role"}
	}
	r, err := auth.ParseRole(role)
	if err != nil {
		return usageError{"--role: " + err.Error()}
	}
	password, generated := "", false
	if c.stdinTerminal {
		password, generated = auth.GeneratePassword(), true
	} else {
		line, err := bufio.NewReader(io.LimitReader(c.stdin, 1024)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading the password from standard input: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
		if password == "" {
			return errors.New("no password on standard input (pipe one in, or run on a terminal to have one generated)")
		}
	}
	a, err := openAppDB(ctx, c)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: email, Role: r, AuthorityCVR: c.flag("authority"), Language: c.flag("language"), Password: password})
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	a.Audit.Record(ctx, audit.Entry{Actor: "cli", Action: audit.UserCreated, Target: u.Email, Detail: "role=" + string(u.Role)})
	fmt.Fprintf(c.stdout, "created %s user %s\n", u.Role, u.Email)
	if generated {
		fmt.Fprintf(c.stdout, "password (shown once): %s\n", password)
	}
	return nil
}

func runTokenCreate(ctx context.Context, c *cmdContext) error {
	user, source, name := c.flag("user"), c.flag("source"), c.flag("name")
	if (user == "") == (source == "") {
		return usageError{"token create needs exactly one of --user EMAIL or --source NAME"}
	}
	a, err := openAppDB(ctx, c)
	if err != nil {
		return err
	}
	defer a.Close()
	var (
		t      auth.Token
		secret string
		target string
	)
	if user != "" {
		t, secret, err = a.Auth.CreateUserToken(ctx, user, name, "cli")
		target = "user:" + user
	} else {
		t, secret, err = a.Auth.CreateSourceToken(ctx, source, name, "cli")
		target = "source:" + source
	}
	if err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	a.Audit.Record(ctx, audit.Entry{Actor: "cli", Action: audit.TokenCreated, Target: target, Detail: "token " + t.Prefix + "…"})
	fmt.Fprintf(c.stdout, "API token for %s (shown once; store it now):\n%s\n", target, secret)
	return nil
}
