package registry

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/tabular"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

type importResult struct {
	File string `json:"file"`
	Counts
	Errors ImportErrors `json:"-"`
}

// importUpload parses the uploaded file with parse and stores it with save,
// all rows or none, and audits the import.
func (h *Handler) importUpload(c *fiber.Ctx, kind string, run func(name string, open func() (fileReader, error)) (Counts, error)) (importResult, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return importResult{}, FieldErrors{{Field: "file", Message: problem.Msg("registry.import.attach")}}
	}
	name := filepath.Base(fh.Filename)
	n, err := run(name, func() (fileReader, error) { return fh.Open() })
	res := importResult{File: name, Counts: n}
	var ie ImportErrors
	if errors.As(err, &ie) {
		res.Errors = ie
		return res, err
	}
	if busy := tabular.Busy(err); busy != nil {
		return res, busy
	}
	if err != nil {
		return res, err
	}
	h.audit.Record(c.UserContext(), audit.Entry{Actor: web.PrincipalOf(c).Name(), Action: audit.Import, Target: kind + " " + name,
		Detail: fmt.Sprintf("created=%d updated=%d unchanged=%d", n.Created, n.Updated, n.Unchanged), IP: c.IP()})
	return res, nil
}

type fileReader interface {
	Read(p []byte) (int, error)
	Close() error
}

func (h *Handler) runCompanyImport(c *fiber.Ctx) (importResult, error) {
	return h.importUpload(c, "companies", func(name string, open func() (fileReader, error)) (Counts, error) {
		f, err := open()
		if err != nil {
			return Counts{}, err
		}
		defer f.Close()
		cs, err := ParseCompanies(f, name)
		if err != nil {
			return Counts{}, err
		}
		return h.store.UpsertCompanies(c.UserContext(), cs)
	})
}

func (h *Handler) runAuthorityImport(c *fiber.Ctx) (importResult, error) {
	return h.importUpload(c, "authorities", func(name string, open func() (fileReader, error)) (Counts, error) {
		f, err := open()
		if err != nil {
			return Counts{}, err
		}
		defer f.Close()
		as, err := ParseAuthorities(f, name)
		if err != nil {
			return Counts{}, err
		}
		return h.store.UpsertAuthorities(c.UserContext(), as)
	})
}

func importAPIAnswer(c *fiber.Ctx, res importResult, err error) error {
	if err != nil {
		return err // errors in the file answer 400 naming file, row and column
	}
	return c.JSON(res)
}

// importProblem says whether an import failed on its input (the file's
// rows, or no file: 400) or found every import slot taken (429 with
// Retry-After), with what the page shows next to the upload; it sets the
// answer's status.
func importProblem(c *fiber.Ctx, res importResult, err error) (FieldErrors, bool) {
	if fe, busy := tabular.BusyForm(c, err, "import"); busy {
		return fe, true
	}
	if len(res.Errors) > 0 {
		c.Status(fiber.StatusBadRequest)
		return nil, true
	}
	if fe, ok := problem.AsFields(err); ok {
		for i := range fe {
			fe[i].Field = "import"
		}
		c.Status(fiber.StatusBadRequest)
		return fe, true
	}
	return nil, false
}

func (h *Handler) importCompaniesAPI(c *fiber.Ctx) error {
	res, err := h.runCompanyImport(c)
	return importAPIAnswer(c, res, err)
}

func (h *Handler) importAuthoritiesAPI(c *fiber.Ctx) error {
	res, err := h.runAuthorityImport(c)
	return importAPIAnswer(c, res, err)
}
