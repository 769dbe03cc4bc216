// Package web is the HTTP frame every page and API route runs in: the
// Fiber app, its middleware (request ids, logging, security headers,
// metrics, sign-in, CSRF), the route table with the roles each route allows,
// the error handler, templates, translations and the OpenAPI document.
package web

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/config"
)

//go:embed static
var staticFiles embed.FS

// Check is a readiness probe of one store.
type Check func(ctx context.Context) error

// Deps is what the web frame needs.
type Deps struct {
	Config   config.Config
	Logger   *slog.Logger
	Auth     *auth.Service
	Audit    *audit.Log
	Throttle *auth.Throttle
	// Ready maps a store's name to its probe, for /readyz.
	Ready map[string]Check
	// BodyLimit is the largest request body a LargeBody route accepts
	// (default DefaultBodyLimit); FormLimit that of every other route
	// (default DefaultFormLimit). See bodylimit.go.
	BodyLimit int
	FormLimit int
}

// Server is the Fiber app with Pilotpulse's frame.
type Server struct {
	App      *fiber.App
	Router   *Router
	Metrics  *prometheus.Registry
	deps     Deps
	logger   *slog.Logger
	views    *Views
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	homePage fiber.Handler // the start page's content, set by SetHome
}

// New builds the app with its middleware and the frame's own routes
// (health, metrics, OpenAPI, static files, sign-in). Domain packages add
// theirs through s.Router; call s.Views().Add for their templates first.
func New(d Deps) (*Server, error) {
	if d.BodyLimit == 0 {
		d.BodyLimit = DefaultBodyLimit
	}
	if d.FormLimit == 0 {
		d.FormLimit = DefaultFormLimit
	}
	s := &Server{deps: d, logger: d.Logger, Metrics: prometheus.NewRegistry()}
	s.views = NewViews()
	if err := s.views.Add(templateFiles); err != nil {
		return nil, err
	}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pilotpulse_http_requests_total", Help: "HTTP requests by route and status."}, []string{"method", "route", "status"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "pilotpulse_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"method", "route"})
	s.Metrics.MustRegister(s.requests, s.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	s.App = fiber.New(fiber.Config{
		Views:        s.views,
		ErrorHandler: s.errorHandler,
		BodyLimit:    d.BodyLimit,
		// Bodies are read by each route's guard within the route's limit,
		// not before routing (bodylimit.go); multipart forms too.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		DisableStartupMessage:        true,
		// Strings from the context (path, params, form values, method) are
		// copies, valid after the handler returns: metrics labels, caches and
		// goroutines keep them.
		Immutable:    true,
		ReadTimeout:  60 * time.Second,
		WriteTimeout: 120 * time.Second,
		IdleTimeout:  120 * time.Second,
		ProxyHeader:  "",
	})
	s.App.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: func(c *fiber.Ctx, e any) {
		s.logger.Error("panic in handler", "request_id", requestID(c), "path", c.Path(), "panic", e)
	}}))
	s.App.Use(s.settleBody)
	s.App.Use(s.clientAddress)
	s.App.Use(requestid.New())
	s.App.Use(s.accessLog)
	s.App.Use(s.securityHeaders)
	s.App.Use(s.authenticate)
	s.Router = newRouter(s)

	static, _ := fs.Sub(staticFiles, "static")
	s.App.Use("/static", cacheVersioned)
	s.App.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(static), MaxAge: 3600}))
	s.registerFrameRoutes()
	return s, nil
}

// Views returns the template set, for domain packages to add theirs.
func (s *Server) Views() *Views { return s.views }

// Finish adds the routes that must come last (the 404 catch-all). Call it
// after every package registered its routes.
func (s *Server) Finish() {
	s.App.Use(func(c *fiber.Ctx) error {
		if err := discardBody(c, s.deps.FormLimit); err != nil {
			return err
		}
		return answer(fiber.StatusNotFound, "error.page_not_found")
	})
}

func requestID(c *fiber.Ctx) string {
	if v, ok := c.Locals("requestid").(string); ok {
		return v
	}
	return ""
}

func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	route := c.Route().Path
	if status == fiber.StatusNotFound && route == "/" && c.Path() != "/" {
		route = "unmatched"
	}
	s.requests.WithLabelValues(c.Method(), route, http.StatusText(status)).Inc()
	s.latency.WithLabelValues(c.Method(), route).Observe(time.Since(start).Seconds())
	s.logger.Info("request", "request_id", requestID(c), "method", c.Method(), "path", c.Path(),
		"status", status, "duration_ms", time.Since(start).Milliseconds(), "ip", c.IP(), "user", PrincipalOf(c).Name())
	return nil
}

func (s *Server) securityHeaders(c *fiber.Ctx) error {
	h := func(k, v string) { c.Set(k, v) }
	h("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "+
		"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h("X-Content-Type-Options", "nosniff")
	h("X-Frame-Options", "DENY")
	h("Cross-Origin-Opener-Policy", "same-origin")
	if strings.HasPrefix(c.Path(), "/q/") {
		h("Referrer-Policy", "no-referrer") // the path is the respondent's credential
	} else {
		h("Referrer-Policy", "same-origin")
	}
	if s.deps.Config.SecureCookies {
		h("Strict-Transport-Security", "max-age=31536000")
	}
	if !strings.HasPrefix(c.Path(), "/static/") {
		h("Cache-Control", "no-store")
	}
	return c.Next()
}

func (s *Server) registerFrameRoutes() {
	r := s.Router
	r.Add(Route{Method: "GET", Path: "/healthz", Public: true, Summary: "Alive", Handler: func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"status": "ok"})
	}})
	r.Add(Route{Method: "GET", Path: "/readyz", Public: true, Summary: "Both stores answer", Handler: s.readyz})
	if s.deps.Config.MetricsAddr == "" { // else on that address only (MetricsHandler)
		r.Add(Route{Method: "GET", Path: "/metrics", Public: true, Summary: "Prometheus metrics",
			Handler: adaptor.HTTPHandler(promhttp.HandlerFor(s.Metrics, promhttp.HandlerOpts{}))})
	}
	r.Add(Route{Method: "GET", Path: "/api/v1/openapi.json", Public: true, Summary: "This OpenAPI document", Handler: func(c *fiber.Ctx) error {
		return c.JSON(r.OpenAPI())
	}})
	s.registerSignIn()
}

// MetricsHandler serves GET /metrics (and nothing else), for the separate
// address of Config.MetricsAddr.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Metrics, promhttp.HandlerOpts{}))
	return mux
}

func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	out := fiber.Map{}
	ok := true
	for name, check := range s.deps.Ready {
		if err := check(ctx); err != nil {
			out[name] = "unavailable"
			ok = false
			s.logger.Warn("readiness check failed", "store", name, "err", err)
		} else {
			out[name] = "ok"
		}
	}
	if !ok {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(retryAfterOutage))
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"error": Translate(Language(c), "error.unavailable_store"), "stores": out})
	}
	return c.JSON(fiber.Map{"status": "ready", "stores": out})
}

// Shutdown stops accepting requests and waits for those under way.
func (s *Server) Shutdown(timeout time.Duration) error { return s.App.ShutdownWithTimeout(timeout) }
