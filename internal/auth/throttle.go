package auth

import (
	"strings"
	"sync"
	"time"
)

// Throttle slows down password guessing without locking the real user
// out: failures are counted per (account, IP) tightly, per IP across
// accounts, and per account across IPs loosely. A blocked key tells how long
// to wait; nothing is locked for good, and a success clears the
// (account, IP) count.
type Throttle struct {
	mu     sync.Mutex
	window time.Duration
	limits map[string]int // kind -> failures allowed per window
	fails  map[string][]time.Time
	now    func() time.Time
}

// NewThrottle returns the sign-in throttle with its default limits:
// 5 failures per account and IP, 30 per IP, 100 per account, in 15 minutes.
func NewThrottle() *Throttle {
	return &Throttle{
		window: 15 * time.Minute,
		limits: map[string]int{"pair": 5, "ip": 30, "account": 100},
		fails:  map[string][]time.Time{},
		now:    time.Now,
	}
}

func throttleKeys(email, ip string) map[string]string {
	email = strings.ToLower(strings.TrimSpace(email))
	return map[string]string{"pair": "pair|" + email + "|" + ip, "ip": "ip|" + ip, "account": "account|" + email}
}

// Check returns how long the caller must wait before trying again (0: go on).
func (t *Throttle) Check(email, ip string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var wait time.Duration
	for kind, key := range throttleKeys(email, ip) {
		fs := t.prune(key, now)
		if len(fs) >= t.limits[kind] {
			if w := fs[len(fs)-t.limits[kind]].Add(t.window).Sub(now); w > wait {
				wait = w
			}
		}
	}
	return wait
}

// Fail records a failed sign-in.
func (t *Throttle) Fail(email, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for _, key := range throttleKeys(email, ip) {
		t.fails[key] = append(t.prune(key, now), now)
	}
	if len(t.fails) > 100000 { // bound memory under a spray of keys
		for k := range t.fails {
			if len(t.prune(k, now)) == 0 {
				delete(t.fails, k)
			}
		}
	}
}

// Succeed clears the (account, IP) failures after a good sign-in.
func (t *Throttle) Succeed(email, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, throttleKeys(email, ip)["pair"])
}

func (t *Throttle) prune(key string, now time.Time) []time.Time {
	fs := t.fails[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= t.window {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(t.fails, key)
		return nil
	}
	t.fails[key] = fs
	return fs
}
