package auth

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/store"
)

func newService(t *testing.T) (*Service, *store.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "app.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return NewService(db, 30*time.Minute, 8*time.Hour), db
}

func TestPasswordHashIsArgon2idWithOWASPParameters(t *testing.T) {
	h, err := HashPassword("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q: want argon2id with m=19456 KiB (19 MiB), t=2", h)
	}
	if ok, _ := VerifyPassword(h, "a long enough password"); !ok {
		t.Fatal("right password refused")
	}
	if ok, _ := VerifyPassword(h, "a long enough passwore"); ok {
		t.Fatal("wrong password accepted")
	}
	h2, _ := HashPassword("a long enough password")
	if h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if _, err := HashPassword("short"); err == nil {
		t.Fatal("short password accepted")
	}
}

func TestTokensAreStoredHashedAndRevocable(t *testing.T) {
	s, db := newService(t)
	ctx := context.Background()
	u, err := s.CreateUser(ctx, NewUser{Email: "m@x.dk", Role: RoleManager, Password: "manager password 1"})
	if err != nil {
		t.Fatal(err)
	}
	tok, secret, err := s.CreateUserToken(ctx, u.Email, "laptop", "test")
	if err != nil {
		t.Fatal(err)
	}
	var stored int
	db.QueryRow(`SELECT count(*) FROM api_tokens WHERE token_hash = ? OR prefix = ?`, secret, secret).Scan(&stored)
	if stored != 0 {
		t.Fatal("the token secret is stored in clear")
	}
	p, err := s.PrincipalForToken(ctx, secret)
	if err != nil || p.Role != RoleManager || p.Email != u.Email {
		t.Fatalf("principal %+v, err %v", p, err)
	}
	if _, err := s.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PrincipalForToken(ctx, secret); err != ErrNotFound {
		t.Fatalf("revoked token: err %v, want ErrNotFound", err)
	}
	src, ssecret, err := s.CreateSourceToken(ctx, "feed-a", "", "test")
	if err != nil || src.SourceName != "feed-a" {
		t.Fatalf("source token %+v, err %v", src, err)
	}
	sp, err := s.PrincipalForToken(ctx, ssecret)
	if err != nil || sp.Role != RoleSource || sp.SourceName != "feed-a" || sp.UserID != 0 {
		t.Fatalf("source principal %+v, err %v", sp, err)
	}
}

func TestSessionTimeouts(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	now := time.Date(2012, 11, 5, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	u, _ := s.CreateUser(ctx, NewUser{Email: "a@x.dk", Role: RoleAdmin, Password: "admin password 12"})
	sess, err := s.CreateSession(ctx, u, "1.2.3.4", "test")
	if err != nil {
		t.Fatal(err)
	}
	// Active use keeps it alive past the idle timeout...
	for i := 0; i < 20; i++ {
		now = now.Add(20 * time.Minute)
		if _, err := s.Session(ctx, sess.ID); err != nil {
			t.Fatalf("after %d active steps: %v", i, err)
		}
	}
	// ...but not past the absolute timeout (8 h; we are at 6h40m, go on).
	now = now.Add(90 * time.Minute)
	if _, err := s.Session(ctx, sess.ID); err != ErrSessionExpired {
		t.Fatalf("past absolute timeout: err %v, want ErrSessionExpired", err)
	}
	sess2, _ := s.CreateSession(ctx, u, "", "")
	now = now.Add(31 * time.Minute)
	if _, err := s.Session(ctx, sess2.ID); err != ErrSessionExpired {
		t.Fatalf("idle past 30m: err %v, want ErrSessionExpired", err)
	}
	if _, err := s.Session(ctx, sess2.ID); err != ErrNotFound {
		t.Fatalf("an expired session is deleted: err %v", err)
	}
}

func TestThrottleSlowsGuessingWithoutLockingTheUserOut(t *testing.T) {
	th := NewThrottle()
	now := time.Date(2012, 11, 5, 9, 0, 0, 0, time.UTC)
	th.now = func() time.Time { return now }
	for i := 0; i < 5; i++ {
		if w := th.Check("kim@x.dk", "6.6.6.6"); w != 0 {
			t.Fatalf("attempt %d throttled already", i)
		}
		th.Fail("kim@x.dk", "6.6.6.6")
	}
	if w := th.Check("kim@x.dk", "6.6.6.6"); w <= 0 || w > 15*time.Minute {
		t.Fatalf("after 5 failures from one IP: wait %v, want (0, 15m]", w)
	}
	// The real user, from the office IP, is not locked out by the attacker.
	if w := th.Check("kim@x.dk", "10.0.0.7"); w != 0 {
		t.Fatalf("the account is locked for every IP: wait %v", w)
	}
	// An attacker spraying many accounts from one IP is throttled per IP.
	for i := 0; i < 30; i++ {
		th.Fail("user"+string(rune('a'+i%26))+string(rune('a'+i/26))+"@x.dk", "7.7.7.7")
	}
	if w := th.Check("someone-new@x.dk", "7.7.7.7"); w == 0 {
		t.Fatal("30 failures from one IP across accounts are not throttled")
	}
	// Waiting lifts the throttle.
	now = now.Add(16 * time.Minute)
	if w := th.Check("kim@x.dk", "6.6.6.6"); w != 0 {
		t.Fatalf("still throttled after the window: %v", w)
	}
}

func TestScopeFailsClosed(t *testing.T) {
	var zero Scope
	if c, _ := zero.AuthorityFilter("authority_cvr"); c != "1 = 0" || zero.Allows("12345674") {
		t.Fatal("the zero scope must see nothing")
	}
	for role, want := range map[Role]string{RoleAdmin: "1 = 1", RoleManager: "1 = 1", RoleSupport: "1 = 0", RoleSource: "1 = 0"} {
		if c, _ := ScopeFor(&Principal{Role: role}).AuthorityFilter("a"); c != want {
			t.Errorf("%s: filter %q, want %q", role, c, want)
		}
	}
	sc := ScopeFor(&Principal{Role: RoleAuthority, AuthorityCVR: "12345674"})
	c, args := sc.AuthorityFilter("authority_cvr")
	if c != "authority_cvr = ?" || len(args) != 1 || args[0] != "12345674" {
		t.Fatalf("authority filter %q %v", c, args)
	}
	if !sc.Allows("12345674") || sc.Allows("87654321") || sc.All() {
		t.Fatal("authority scope allows the wrong CVRs")
	}
	if ScopeFor(&Principal{Role: RoleAuthority}).Allows("") {
		t.Fatal("an authority user without a CVR must see nothing")
	}
	if ScopeFor(nil).All() {
		t.Fatal("anonymous sees everything")
	}
}
