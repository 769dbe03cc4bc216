package web

import (
	"io"

	"github.com/gofiber/fiber/v2"
)

// Request bodies are streamed (fiber.Config StreamRequestBody): the server
// reads none before routing. Each route's guard then reads the body within
// the route's limit:
//
//   - an ordinary route (forms, JSON) reads it into memory, at most
//     Deps.FormLimit, before anything else runs, so a caller without
//     credentials can make the server hold no more than that;
//   - a route marked LargeBody (file imports, the event push) accepts up to
//     Deps.BodyLimit, and only after the role check; its handler reads the
//     body as a stream (a multipart file goes to a temporary file).
//
// A body over its limit is answered 413 without being read into memory.

const (
	// DefaultFormLimit is the default limit of ordinary routes' bodies.
	DefaultFormLimit = 4 << 20
	// DefaultBodyLimit is the default limit of LargeBody routes' bodies.
	DefaultBodyLimit = 32 << 20
)

func init() {
	Translations(map[string]string{
		"error.body_limit":      "Forespørgslen er for stor: højst %d MiB her.",
		"error.body_unreadable": "Forespørgslens indhold kunne ikke læses.",
	}, map[string]string{
		"error.body_limit":      "request body too large: at most %d MiB here",
		"error.body_unreadable": "the request body could not be read",
	})
}

func tooLarge(limit int) *Error {
	return answer(fiber.StatusRequestEntityTooLarge, "error.body_limit", max(limit>>20, 1))
}

// bufferBody reads the request body into memory (where c.Body, BodyParser
// and FormValue find it), refusing one over limit bytes.
func bufferBody(c *fiber.Ctx, limit int) error {
	req := c.Request()
	stream := req.BodyStream()
	if stream == nil {
		return nil
	}
	switch n := req.Header.ContentLength(); {
	case n > limit:
		return tooLarge(limit)
	case n == 0:
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(stream, int64(limit)+1))
	if err != nil {
		return answer(fiber.StatusBadRequest, "error.body_unreadable")
	}
	if len(b) > limit {
		return tooLarge(limit)
	}
	req.SetBodyRaw(b)
	return nil
}

// limitLargeBody refuses a body over limit bytes. A body of known length is
// left to the handler as a stream; a chunked one is read into memory
// within the limit (its length is known only once it is read).
func limitLargeBody(c *fiber.Ctx, limit int) error {
	if c.Request().Header.ContentLength() < 0 {
		return bufferBody(c, limit)
	}
	if c.Request().Header.ContentLength() > limit {
		return tooLarge(limit)
	}
	return nil
}

// discardBody reads and drops the body of a request no route takes,
// refusing one over limit bytes.
func discardBody(c *fiber.Ctx, limit int) error {
	stream := c.Request().BodyStream()
	if stream == nil {
		return nil
	}
	if c.Request().Header.ContentLength() > limit {
		return tooLarge(limit)
	}
	if n, _ := io.CopyN(io.Discard, stream, int64(limit)+1); n > int64(limit) {
		return tooLarge(limit)
	}
	return nil
}

// settleBody, once the handlers are done, drops what is left of a body
// nobody read (a refused or unrouted request), so the client reads its
// answer on a connection still in step. A body with more left than the
// drain limit is not read: the connection closes after the answer.
func (s *Server) settleBody(c *fiber.Ctx) error {
	err := c.Next()
	if stream := c.Request().BodyStream(); stream != nil {
		if _, derr := io.CopyN(io.Discard, stream, int64(2*s.deps.BodyLimit)); derr != io.EOF {
			c.Response().SetConnectionClose()
		}
	}
	return err
}
