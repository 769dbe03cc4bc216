package account

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

// userInput is the JSON body creating a user. A missing password is
// generated and returned once.
type userInput struct {
	Email        string `json:"email"`
	Role         string `json:"role"`
	AuthorityCVR string `json:"authority_cvr,omitempty"`
	Language     string `json:"language,omitempty"`
	Password     string `json:"password,omitempty"`
}

type createdUser struct {
	auth.User
	Password string `json:"password,omitempty"`
}

type userChange struct {
	Role         *string `json:"role"`
	AuthorityCVR *string `json:"authority_cvr"`
	Language     *string `json:"language"`
	Disabled     *bool   `json:"disabled"`
}

func (h *Handler) createUser(c *fiber.Ctx, in userInput) (auth.User, string, error) {
	generated := ""
	if in.Password == "" {
		in.Password = auth.GeneratePassword()
		generated = in.Password
	}
	u, err := h.auth.CreateUser(c.UserContext(), auth.NewUser{Email: in.Email, Role: auth.Role(in.Role),
		AuthorityCVR: strings.TrimSpace(in.AuthorityCVR), Language: in.Language, Password: in.Password})
	switch {
	case errors.Is(err, auth.ErrEmailTaken):
		return u, "", problem.Conflict("account.email_taken")
	case err != nil && isInputError(err):
		return u, "", inputFields(err)
	case err != nil:
		return u, "", err
	}
	h.audit.Record(c.UserContext(), audit.Entry{Actor: web.PrincipalOf(c).Name(), Action: audit.UserCreated, Target: u.Email,
		Detail: "role=" + string(u.Role) + authorityDetail(u.AuthorityCVR), IP: c.IP()})
	return u, generated, nil
}

func authorityDetail(cvr string) string {
	if cvr == "" {
		return ""
	}
	return " authority=" + cvr
}

// isInputError tells validation errors (say what is wrong) from store failures.
func isInputError(err error) bool {
	_, ok := problem.AsFields(err)
	return ok || errors.Is(err, auth.ErrNoAuthority)
}

// inputFields is auth's validation error as the fields it is about.
func inputFields(err error) problem.Fields {
	if errors.Is(err, auth.ErrNoAuthority) {
		return problem.Fields{{Field: "authority_cvr", Message: problem.Msg("account.no_authority")}}
	}
	fs, _ := problem.AsFields(err)
	return fs
}

// fieldLabels are the translation keys of the labels of the fields of the
// user and token forms, to name a field as the form shows it.
var fieldLabels = map[string]string{"email": "users.email", "role": "users.role", "authority_cvr": "users.authority",
	"language": "users.language", "password": "login.password", "owner": "tokens.owner", "name": "tokens.name", "kind": "tokens.kind"}

// formError is the text a form shows for err, when err is about the input
// (a status below 500 other than 404): each field named by its label.
func formError(c *fiber.Ctx, err error) (int, string, bool) {
	lang := web.Language(c)
	status, body, _ := web.Problem(err, lang)
	if err == nil || status >= 500 || status == fiber.StatusNotFound {
		return status, "", false
	}
	text := body.Error
	for _, f := range body.Fields {
		label := f.Field
		if key, ok := fieldLabels[f.Field]; ok {
			label = web.Translate(lang, key)
		}
		text += " " + label + ": " + f.Error
	}
	return status, text, true
}

func (h *Handler) listUsersAPI(c *fiber.Ctx) error {
	us, err := h.auth.Users(c.UserContext())
	if err != nil {
		return err
	}
	if us == nil {
		us = []auth.User{}
	}
	return c.JSON(us)
}

func (h *Handler) createUserAPI(c *fiber.Ctx) error {
	var in userInput
	if err := c.BodyParser(&in); err != nil {
		return web.BadRequest("account.body_create")
	}
	u, pw, err := h.createUser(c, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(createdUser{User: u, Password: pw})
}

func (h *Handler) updateUser(c *fiber.Ctx, in userChange) (auth.User, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return auth.User{}, problem.NotFound("account.user_not_found")
	}
	p := web.PrincipalOf(c)
	var ch auth.UserChange
	if in.Role != nil {
		r := auth.Role(*in.Role)
		ch.Role = &r
	}
	ch.AuthorityCVR, ch.Language, ch.Disabled = in.AuthorityCVR, in.Language, in.Disabled
	if id == p.UserID && ((ch.Role != nil && *ch.Role != auth.RoleAdmin) || (ch.Disabled != nil && *ch.Disabled)) {
		return auth.User{}, problem.Conflict("account.not_yourself")
	}
	u, err := h.auth.UpdateUser(c.UserContext(), id, ch)
	switch {
	case errors.Is(err, auth.ErrNotFound):
		return u, problem.NotFound("account.user_not_found")
	case err != nil && isInputError(err):
		return u, inputFields(err)
	case err != nil:
		return u, err
	}
	h.audit.Record(c.UserContext(), audit.Entry{Actor: p.Name(), Action: audit.UserChanged, Target: u.Email,
		Detail: fmt.Sprintf("role=%s%s disabled=%t", u.Role, authorityDetail(u.AuthorityCVR), u.Disabled), IP: c.IP()})
	return u, nil
}

func (h *Handler) updateUserAPI(c *fiber.Ctx) error {
	var in userChange
	if err := c.BodyParser(&in); err != nil {
		return web.BadRequest("account.body_change")
	}
	u, err := h.updateUser(c, in)
	if err != nil {
		return err
	}
	return c.JSON(u)
}

type usersView struct {
	Users     []auth.User
	Roles     []auth.Role
	Generated string
	NewEmail  string
}

func (h *Handler) renderUsers(c *fiber.Ctx, d web.PageData, v usersView) error {
	us, err := h.auth.Users(c.UserContext())
	if err != nil {
		return err
	}
	v.Users, v.Roles = us, auth.UserRoles
	d.Title, d.Data = "users.title", v
	return h.srv.Render(c, "users", d)
}

func (h *Handler) usersPage(c *fiber.Ctx) error {
	return h.renderUsers(c, web.PageData{}, usersView{})
}

func (h *Handler) createUserForm(c *fiber.Ctx) error {
	in := userInput{Email: c.FormValue("email"), Role: c.FormValue("role"), AuthorityCVR: c.FormValue("authority_cvr"), Language: c.FormValue("language")}
	u, pw, err := h.createUser(c, in)
	if status, text, bad := formError(c, err); bad {
		c.Status(status)
		return h.renderUsers(c, web.PageData{
			Errors: map[string]string{"new": text},
			Form:   map[string]string{"email": in.Email, "role": in.Role, "authority_cvr": in.AuthorityCVR, "language": in.Language},
		}, usersView{})
	}
	if err != nil {
		return err
	}
	return h.renderUsers(c, web.PageData{}, usersView{Generated: pw, NewEmail: u.Email})
}

func (h *Handler) updateUserForm(c *fiber.Ctx) error {
	var in userChange
	if r := c.FormValue("role"); r != "" {
		in.Role = &r
		cvr := strings.TrimSpace(c.FormValue("authority_cvr"))
		in.AuthorityCVR = &cvr
	}
	if d := c.FormValue("disabled"); d != "" {
		v := d == "true"
		in.Disabled = &v
	}
	_, err := h.updateUser(c, in)
	if status, text, bad := formError(c, err); bad {
		c.Status(status)
		return h.renderUsers(c, web.PageData{Errors: map[string]string{"user-" + c.Params("id"): text}}, usersView{})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/users", fiber.StatusSeeOther)
}
