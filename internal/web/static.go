package web

import (
	"regexp"

	"github.com/gofiber/fiber/v2"
)

// EChartsScript is where the app serves ECharts (the npm package's
// dist/echarts.min.js, embedded from static/; scripts/echarts.sh fetches
// and checks it). The version is in the name, so the file is cached for a
// year: a new version is a new URL.
const EChartsScript = "/static/echarts-5.4.3.min.js"

// versionedStatic matches the static files whose name carries their version.
var versionedStatic = regexp.MustCompile(`^/static/echarts-\d+\.\d+\.\d+\.min\.js$`)

// cacheVersioned lets browsers keep a versioned static file for a year
// without asking again; other static files keep the filesystem's hour.
func cacheVersioned(c *fiber.Ctx) error {
	err := c.Next()
	if err == nil && c.Response().StatusCode() == fiber.StatusOK && versionedStatic.MatchString(c.Path()) {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	}
	return err
}
