package web

import "github.com/gofiber/fiber/v2"

// SetHome makes h the start page "/" (the dashboards' pilot overview). The
// route itself, its roles and its place in the navigation stay the
// frame's; until SetHome is called (an app without the event store) the
// start page lists the navigation.
func (s *Server) SetHome(h fiber.Handler) { s.homePage = h }

func (s *Server) home(c *fiber.Ctx) error {
	if s.homePage != nil {
		return s.homePage(c)
	}
	return s.render(c, "home", PageData{Title: "home.title"})
}
