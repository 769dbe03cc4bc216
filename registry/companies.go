package registry

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

func (h *Handler) listCompaniesAPI(c *fiber.Ctx) error {
	cs, err := h.store.Companies(c.UserContext(), CompanyFilter{Search: c.Query("search"), Cohort: c.Query("cohort"), Kind: c.Query("kind")})
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []Company{}
	}
	return c.JSON(cs)
}

func (h *Handler) getCompanyAPI(c *fiber.Ctx) error {
	co, err := h.store.Company(c.UserContext(), c.Params("cvr"))
	if err != nil {
		return err
	}
	return c.JSON(co)
}

func (h *Handler) createCompanyAPI(c *fiber.Ctx) error {
	return saveAPI(h, c, fiber.StatusCreated, audit.RecordCreated, func(in Company) (Company, string, error) {
		co, err := h.store.CreateCompany(c.UserContext(), in)
		return co, "company " + co.CVR, err
	})
}

func (h *Handler) updateCompanyAPI(c *fiber.Ctx) error {
	return saveAPI(h, c, fiber.StatusOK, audit.RecordChanged, func(in Company) (Company, string, error) {
		co, err := h.store.UpdateCompany(c.UserContext(), c.Params("cvr"), in)
		return co, "company " + co.CVR, err
	})
}

// saveAPI decodes a record from the JSON body, stores it with save (which
// also names the record for the audit log), audits it as action and answers
// the stored record with status.
func saveAPI[T any](h *Handler, c *fiber.Ctx, status int, action string, save func(T) (T, string, error)) error {
	var in T
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	rec, target, err := save(in)
	if err != nil {
		return err
	}
	h.recordChange(c, action, target)
	return c.Status(status).JSON(rec)
}

func (h *Handler) recordChange(c *fiber.Ctx, action, target string) {
	h.audit.Record(c.UserContext(), audit.Entry{Actor: web.PrincipalOf(c).Name(), Action: action, Target: target, IP: c.IP()})
}

// --- pages ---

type companiesView struct {
	Companies []Company
	Search    string
	Import    *importResult
	CanEdit   bool
}

func (h *Handler) renderCompanies(c *fiber.Ctx, d web.PageData, v companiesView) error {
	v.Search = c.Query("search")
	cs, err := h.store.Companies(c.UserContext(), CompanyFilter{Search: v.Search})
	if err != nil {
		return err
	}
	v.Companies = cs
	v.CanEdit = web.PrincipalOf(c).Role == auth.RoleAdmin
	d.Title, d.Data = "companies.title", v
	return h.srv.Render(c, "companies", d)
}

func (h *Handler) companiesPage(c *fiber.Ctx) error {
	return h.renderCompanies(c, web.PageData{}, companiesView{})
}

func (h *Handler) importCompaniesForm(c *fiber.Ctx) error {
	res, err := h.runCompanyImport(c)
	if fe, bad := importProblem(c, res, err); bad {
		return h.renderCompanies(c, web.PageData{Fields: fe}, companiesView{Import: &res})
	}
	if err != nil {
		return err
	}
	return h.renderCompanies(c, web.PageData{}, companiesView{Import: &res})
}

type companyForm struct {
	Company  Company
	Contacts []Contact // the company's contacts and blank rows to add more
	PNumbers string
	Kinds    []string
	IsNew    bool
	CanEdit  bool
	Saved    bool
}

const blankContactRows = 2
const maxContactRows = 50

func (h *Handler) renderCompanyForm(c *fiber.Ctx, co Company, isNew bool, errs FieldErrors, saved bool) error {
	rows := append([]Contact{}, co.Contacts...)
	for range blankContactRows {
		rows = append(rows, Contact{})
	}
	title := "companies.edit"
	if isNew {
		title = "companies.new"
	}
	d := formFailed(title, errs, companyForm{
		Company: co, Contacts: rows, PNumbers: strings.Join(co.PNumbers, " "), Kinds: CompanyKinds, IsNew: isNew,
		CanEdit: web.PrincipalOf(c).Role == auth.RoleAdmin, Saved: saved,
	})
	if errs == nil {
		d.Errors = nil
	}
	return h.srv.Render(c, "company", d)
}

func (h *Handler) newCompanyPage(c *fiber.Ctx) error {
	return h.renderCompanyForm(c, Company{Kind: KindCompany}, true, nil, false)
}

func (h *Handler) companyPage(c *fiber.Ctx) error {
	co, err := h.store.Company(c.UserContext(), c.Params("cvr"))
	if err != nil {
		return err
	}
	return h.renderCompanyForm(c, co, false, nil, c.Query("saved") == "1")
}

// companyFromForm reads the company form; contact rows left blank are skipped.
func companyFromForm(c *fiber.Ctx) Company {
	co := Company{CVR: c.FormValue("cvr"), Name: c.FormValue("name"), Kind: c.FormValue("kind"), Cohort: c.FormValue("cohort"),
		PNumbers: splitPNumbers(c.FormValue("p_numbers")), Contacts: []Contact{}}
	n, _ := strconv.Atoi(c.FormValue("contact_rows"))
	for i := range min(max(n, 0), maxContactRows) {
		ct := Contact{
			Name:     c.FormValue(fmt.Sprintf("contact_name_%d", i)),
			Email:    c.FormValue(fmt.Sprintf("contact_email_%d", i)),
			Phone:    c.FormValue(fmt.Sprintf("contact_phone_%d", i)),
			Language: c.FormValue(fmt.Sprintf("contact_language_%d", i)),
		}
		if strings.TrimSpace(ct.Name+ct.Email+ct.Phone) == "" {
			continue
		}
		co.Contacts = append(co.Contacts, ct)
	}
	return co
}

// formErrors turns a store error into the form's field errors, or returns
// the error when it is not about the input.
func formErrors(err error) (FieldErrors, error) {
	if fe, ok := problem.AsFields(err); ok {
		return fe, nil
	}
	if errors.Is(err, ErrExists) {
		return FieldErrors{{Field: "cvr", Message: problem.Msg("registry.cvr_exists")}}, nil
	}
	return nil, err
}

// formFailed is the page data of a form with field errors.
func formFailed(title string, fe FieldErrors, data any) web.PageData {
	return web.PageData{Title: title, Errors: map[string]string{"form": "form.errors"}, Fields: fe, Data: data}
}

func (h *Handler) createCompanyForm(c *fiber.Ctx) error {
	in := companyFromForm(c)
	co, err := h.store.CreateCompany(c.UserContext(), in)
	if err != nil {
		errs, err := formErrors(err)
		if err != nil {
			return err
		}
		c.Status(fiber.StatusBadRequest)
		return h.renderCompanyForm(c, co, true, errs, false)
	}
	h.recordChange(c, audit.RecordCreated, "company "+co.CVR)
	return c.Redirect("/companies/"+co.CVR+"/edit?saved=1", fiber.StatusSeeOther)
}

func (h *Handler) updateCompanyForm(c *fiber.Ctx) error {
	in := companyFromForm(c)
	co, err := h.store.UpdateCompany(c.UserContext(), c.Params("cvr"), in)
	if err != nil {
		errs, err := formErrors(err)
		if err != nil {
			return err
		}
		c.Status(fiber.StatusBadRequest)
		return h.renderCompanyForm(c, co, false, errs, false)
	}
	h.recordChange(c, audit.RecordChanged, "company "+co.CVR)
	return c.Redirect("/companies/"+co.CVR+"/edit?saved=1", fiber.StatusSeeOther)
}
