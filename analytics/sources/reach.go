package sources

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/problem"
)

// Reach is where pulled sources may reach (from the configuration's
// PILOTPULSE_IMPORT_ROOT, _FEED_HOSTS and _FEED_ALLOW_PRIVATE). The zero
// Reach allows no directory source and feeds on public addresses only.
type Reach struct {
	// ImportRoot is the folder directory sources must be in (symbolic
	// links resolved); empty: no directory source is allowed.
	ImportRoot string
	// FeedHosts are the only hosts feeds may name; empty: any host.
	FeedHosts []string
	// Allow are the address classes a feed may connect to besides public
	// addresses: "loopback", "private", "link-local". Unspecified and
	// multicast addresses are never reached.
	Allow []string
}

// Address classes of Reach.Allow.
const (
	AddrLoopback  = "loopback"
	AddrPrivate   = "private"
	AddrLinkLocal = "link-local"
)

// addressClass is the class of a non-public address ("" for a public one,
// "unspecified" or "multicast" for those never reached).
func addressClass(a netip.Addr) string {
	a = a.Unmap()
	switch {
	case a.IsLoopback():
		return AddrLoopback
	case a.IsLinkLocalUnicast():
		return AddrLinkLocal
	case a.IsPrivate():
		return AddrPrivate
	case a.IsUnspecified():
		return "unspecified"
	case a.IsMulticast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		return "multicast"
	}
	return ""
}

// refusedAddress is a feed address the reach does not allow.
type refusedAddress struct {
	addr  netip.Addr
	class string
}

func (e refusedAddress) Error() string {
	if e.class == "unspecified" || e.class == "multicast" {
		return fmt.Sprintf("feed address %s is %s: refused", e.addr, e.class)
	}
	return fmt.Sprintf("feed address %s is %s: refused (PILOTPULSE_FEED_ALLOW_PRIVATE=%s allows it)", e.addr, e.class, e.class)
}

// checkAddr refuses an address of a class the reach does not allow.
func (r Reach) checkAddr(a netip.Addr) error {
	class := addressClass(a)
	if class == "" || slices.Contains(r.Allow, class) {
		return nil
	}
	return refusedAddress{addr: a.Unmap(), class: class}
}

// hostAllowed reports whether a feed may name host.
func (r Reach) hostAllowed(host string) bool {
	if len(r.FeedHosts) == 0 {
		return true
	}
	return slices.Contains(r.FeedHosts, strings.ToLower(strings.TrimSuffix(host, ".")))
}

// checkFeedReach adds the field errors of a feed URL the reach refuses: a
// host not listed, or an IP address of a refused class. Host names are
// checked again, resolved, at every connection (feedClient).
func (r Reach) checkFeedReach(fs *problem.Fields, raw string) {
	u, err := url.Parse(raw)
	if err != nil {
		return // reported by checkFeedURL
	}
	host := u.Hostname()
	if !r.hostAllowed(host) {
		fs.Add("url", "sources.url_host_not_allowed", host)
		return
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if err := r.checkAddr(a); err != nil {
			class := addressClass(a)
			allow := problem.Msg("sources.url_address_allow", class)
			if !slices.Contains([]string{AddrLoopback, AddrPrivate, AddrLinkLocal}, class) { // unspecified, multicast
				allow = problem.Msg("sources.url_address_never")
			}
			fs.Add("url", "sources.url_address_refused", a.Unmap().String(), class, allow)
		}
	}
}

// feedClient is the HTTP client of the feeds: it connects only to
// addresses the reach allows, checked on the resolved address at connect
// time (a name that resolves to a refused address, or that changes its
// answer between checks, is refused), and follows redirects only to
// allowed hosts. It uses no proxy (the proxy's address is not the feed's).
func (r Reach) feedClient() *http.Client {
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("feed address %q: %w", address, err)
			}
			return r.checkAddr(ap.Addr())
		}}
	transport := &http.Transport{DialContext: dialer.DialContext, ForceAttemptHTTP2: true, MaxIdleConns: 10,
		IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 10 * time.Second, ExpectContinueTimeout: time.Second}
	return &http.Client{Transport: transport, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if !r.hostAllowed(req.URL.Hostname()) {
			return fmt.Errorf("redirect to host %s, which PILOTPULSE_FEED_HOSTS does not list: refused", req.URL.Hostname())
		}
		return nil
	}}
}

// errOutsideRoot is a folder outside the import root.
var errOutsideRoot = errors.New("outside the import root")

// resolveDir is a directory as stored: absolute, relative ones taken from
// the import root.
func (r Reach) resolveDir(dir string) string {
	if dir == "" || filepath.IsAbs(dir) || r.ImportRoot == "" {
		return dir
	}
	return filepath.Join(r.ImportRoot, dir)
}

// checkDir refuses a folder that is not inside the import root, by its
// path or, symbolic links resolved, by where it really is. A missing
// folder is os.ErrNotExist.
func (r Reach) checkDir(dir string) error {
	if r.ImportRoot == "" {
		return fmt.Errorf("%w: no import root is configured (PILOTPULSE_IMPORT_ROOT)", errOutsideRoot)
	}
	root, err := filepath.EvalSymlinks(r.ImportRoot)
	if err != nil {
		return fmt.Errorf("import root %s: %w", r.ImportRoot, err)
	}
	if !within(filepath.Clean(r.ImportRoot), filepath.Clean(dir)) && !within(root, filepath.Clean(dir)) {
		return fmt.Errorf("%w %s", errOutsideRoot, r.ImportRoot)
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	if !within(root, real) {
		return fmt.Errorf("%w %s (it leads to %s)", errOutsideRoot, r.ImportRoot, real)
	}
	return nil
}

// within reports whether path is root or inside it (both clean and absolute).
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// checkDirectory adds the field errors of a directory source's folder.
func (r Reach) checkDirectory(fs *problem.Fields, dir string) {
	if dir == "" {
		fs.Add("directory", "field.required")
		return
	}
	err := r.checkDir(dir)
	switch {
	case errors.Is(err, errOutsideRoot):
		fs.Add("directory", "sources.dir_outside_root", r.ImportRoot)
		return
	case errors.Is(err, os.ErrNotExist):
		fs.Add("directory", "sources.dir_missing")
		return
	case err != nil:
		fs.Add("directory", "sources.dir_unreadable", err.Error())
		return
	}
	if fi, err := os.Stat(dir); err != nil {
		fs.Add("directory", "sources.dir_unreadable", err.Error())
	} else if !fi.IsDir() {
		fs.Add("directory", "sources.dir_not_folder")
	}
}
