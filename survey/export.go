package survey

import (
	"bytes"
	"encoding/csv"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/spreadsheet"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/reports"
)

// invitationRows is the invitation list: one row per invitation with its
// personal link.
func (h *Handler) invitationRows(c *fiber.Ctx, w Wave, pendingOnly bool) ([][]string, []Invitation, error) {
	ctx := c.UserContext()
	var invs []Invitation
	var err error
	if pendingOnly {
		invs, err = h.store.FigNonRespondents(ctx, w.ID)
	} else {
		invs, err = h.store.Invitations(ctx, w.ID)
	}
	if err != nil {
		return nil, nil, err
	}
	rows := [][]string{{"wave", "company_cvr", "company", "contact", "email", "language", "status", "link", "closes_at"}}
	closes := w.ClosesAt.In(week.Copenhagen).Format("2006-01-02 15:04")
	for _, inv := range invs {
		tok, err := h.store.Token(inv)
		if err != nil {
			return nil, nil, fmt.Errorf("invitation %d: %w", inv.ID, err)
		}
		rows = append(rows, []string{w.ID, inv.CompanyCVR, inv.CompanyName, inv.ContactName, inv.ContactEmail, inv.Language, inv.Status, h.sender.Link(tok), closes})
	}
	return rows, invs, nil
}

func (h *Handler) invitationList(format string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		w, err := h.store.Wave(c.UserContext(), c.Params("wave"))
		if err != nil {
			return err
		}
		pending := c.Query("pending") == "1"
		rows, invs, err := h.invitationRows(c, w, pending)
		if err != nil {
			return err
		}
		var body []byte
		var ct string
		switch format {
		case "csv":
			var buf bytes.Buffer
			buf.WriteString("\uFEFF") // Excel reads UTF-8 with a BOM
			cw := csv.NewWriter(&buf)
			for _, r := range rows {
				safe := make([]string, len(r))
				for i, v := range r {
					safe[i] = spreadsheet.CSVText(v)
				}
				cw.Write(safe)
			}
			cw.Flush()
			body, ct = buf.Bytes(), "text/csv; charset=utf-8"
		default:
			f := excelize.NewFile()
			defer f.Close()
			sheet := "Invitations"
			f.SetSheetName("Sheet1", sheet)
			for i, r := range rows {
				for j, v := range r {
					cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
					f.SetCellStr(sheet, cell, v) // a string cell: never a formula (internal/spreadsheet)
				}
			}
			f.SetColWidth(sheet, "A", "I", 22)
			f.SetColWidth(sheet, "H", "H", 70)
			buf, err := f.WriteToBuffer()
			if err != nil {
				return err
			}
			body, ct = buf.Bytes(), reports.XLSXContentType
		}
		actor := web.PrincipalOf(c).Name()
		for _, inv := range invs {
			if err := h.sender.logSend(c.UserContext(), inv, "invitation", "list", nil, actor, h.store.Now()); err != nil {
				return err
			}
		}
		h.record(c, audit.Export, "survey invitation list "+w.ID, fmt.Sprintf("%s, %d invitations, pending only: %v", format, len(invs), pending))
		name := "invitations-" + w.ID
		if pending {
			name += "-pending"
		}
		c.Set(fiber.HeaderContentType, ct)
		c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.%s"`, name, format))
		return c.Send(body)
	}
}
