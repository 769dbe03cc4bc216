// Package tabulartest makes hostile import files for tests: small uploads
// that unpack to hundreds of MB. They are written with archive/zip as
// streams, so the tests stay small in memory themselves.
package tabulartest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
)

const (
	wbContentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
		`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`
	wbRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	wbWorkbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`
	wbWorkbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`
	xmlDecl = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`
	mainNS  = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
)

// Workbook returns an XLSX file whose first sheet's <sheetData> is written
// by rows and whose shared strings table's items (<si>…</si>) are written by
// strs (nil: no table). The writers get a buffered stream.
func Workbook(rows, strs func(w io.Writer)) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	part := func(name string, write func(w io.Writer)) {
		fw, err := zw.Create(name)
		if err != nil {
			panic(err)
		}
		bw := bufio.NewWriterSize(fw, 64<<10)
		write(bw)
		if err := bw.Flush(); err != nil {
			panic(err)
		}
	}
	text := func(s string) func(io.Writer) { return func(w io.Writer) { io.WriteString(w, s) } }
	part("[Content_Types].xml", text(wbContentTypes))
	part("_rels/.rels", text(wbRels))
	part("xl/workbook.xml", text(wbWorkbook))
	part("xl/_rels/workbook.xml.rels", text(wbWorkbookRels))
	part("xl/worksheets/sheet1.xml", func(w io.Writer) {
		io.WriteString(w, xmlDecl+`<worksheet `+mainNS+`><sheetData>`)
		rows(w)
		io.WriteString(w, `</sheetData></worksheet>`)
	})
	if strs != nil {
		part("xl/sharedStrings.xml", func(w io.Writer) {
			io.WriteString(w, xmlDecl+`<sst `+mainNS+`>`)
			strs(w)
			io.WriteString(w, `</sst>`)
		})
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// InlineRow writes one row of inline string cells.
func InlineRow(w io.Writer, cells ...string) {
	io.WriteString(w, "<row>")
	for _, c := range cells {
		fmt.Fprintf(w, `<c t="inlineStr"><is><t>%s</t></is></c>`, c)
	}
	io.WriteString(w, "</row>")
}

// repeat writes s n times.
func repeat(w io.Writer, s string, n int) {
	for range n {
		io.WriteString(w, s)
	}
}

// HostileFiles returns import files (name -> content) for a table with the
// header, each small as a file (at most a few hundred KB) but costing
// hundreds of MB to read without limits:
//   - sheet.xlsx: a sheet unpacking to 190 MB;
//   - strings.xlsx: a shared strings table unpacking to 190 MB;
//   - amplify.xlsx: within the unpacked size limits, 100,000 cells that each
//     name one 900 KB shared string;
//   - cell.xlsx: one cell of 60 MB;
//   - commas.csv: a line of 9 MB of delimiters.
func HostileFiles(header []string) map[string][]byte {
	files := map[string][]byte{}
	files["sheet.xlsx"] = Workbook(func(w io.Writer) {
		InlineRow(w, header...)
		repeat(w, `<row><c><v>1</v></c></row>`, 190<<20/26)
	}, nil)
	files["strings.xlsx"] = Workbook(func(w io.Writer) {
		InlineRow(w, header...)
		repeat(w, `<row><c t="s"><v>0</v></c></row>`, 10)
	}, func(w io.Writer) {
		repeat(w, "<si><t>"+strings.Repeat("x", 100)+"</t></si>", 190<<20/116)
	})
	files["amplify.xlsx"] = Workbook(func(w io.Writer) {
		InlineRow(w, header...)
		repeat(w, `<row><c t="s"><v>0</v></c></row>`, 100_000)
	}, func(w io.Writer) {
		io.WriteString(w, "<si><t>"+strings.Repeat("x", 900<<10)+"</t></si>")
		io.WriteString(w, "<si><t>"+strings.Repeat("y", 300<<10)+"</t></si>")
	})
	files["cell.xlsx"] = Workbook(func(w io.Writer) {
		InlineRow(w, header...)
		io.WriteString(w, `<row><c t="inlineStr"><is><t>`)
		repeat(w, strings.Repeat("x", 1<<10), 60<<10)
		io.WriteString(w, `</t></is></c></row>`)
	}, nil)
	files["commas.csv"] = []byte(strings.Join(header, ",") + "\n" + strings.Repeat(",", 9<<20) + "\n")
	return files
}
