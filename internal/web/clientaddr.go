package web

import (
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// clientAddress makes c.IP() (the sign-in throttle, the audit log, the
// access log) the client's own address behind the configured reverse
// proxies (Config.TrustedProxies): when the connection's peer is a trusted
// proxy, the client is the right-most X-Forwarded-For address that is not
// a trusted proxy (addresses further left are the client's own claims).
// Fiber's ProxyHeader takes the left-most one, which any client can set,
// so it is not used.
func (s *Server) clientAddress(c *fiber.Ctx) error {
	trusted := s.deps.Config.TrustedProxies
	if len(trusted) == 0 {
		return c.Next()
	}
	ctx := c.Context()
	ctx.SetRemoteAddr(nil) // a kept-alive connection keeps the previous request's
	peer, ok := addrOf(ctx.RemoteAddr())
	if !ok {
		return c.Next()
	}
	var hops []string
	for _, v := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		hops = append(hops, strings.Split(string(v), ",")...)
	}
	if client := clientOf(peer, hops, trusted); client != peer {
		ctx.SetRemoteAddr(&net.TCPAddr{IP: client.AsSlice()})
	}
	return c.Next()
}

// clientOf is the client of a request from peer carrying the
// X-Forwarded-For hops (left to right): peer itself unless it is one of
// the trusted proxies, else the right-most hop that is not (or, when a hop
// is not an address, the last trusted one before it).
func clientOf(peer netip.Addr, hops []string, trusted []netip.Prefix) netip.Addr {
	isTrusted := func(a netip.Addr) bool {
		return slices.ContainsFunc(trusted, func(p netip.Prefix) bool { return p.Contains(a) })
	}
	client := peer
	for i := len(hops) - 1; i >= 0 && isTrusted(client); i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		client = a.Unmap()
	}
	return client
}

func addrOf(a net.Addr) (netip.Addr, bool) {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return netip.Addr{}, false
	}
	ip, ok := netip.AddrFromSlice(tcp.IP)
	return ip.Unmap(), ok
}
