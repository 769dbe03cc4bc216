package tabular

// Reading an XLSX file costs memory in proportion to what its parts unpack
// to, which a small file can make huge (a 200 KB workbook can hold a 200 MB
// sheet). So before excelize opens a workbook, its parts are checked
// against limits sized for real import files, and the sheets and the
// shared strings table are read as streams from temporary files.

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"

	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/xuri/excelize/v2"
)

// Limits of an XLSX file. A registry of 100,000 companies is about 4 MB as a
// file; its sheet unpacks to 35 MB plus 20 MB of shared strings (700,000 of
// them), or to 57 MB when the cells are stored in the sheet.
const (
	// maxUnzipBytes bounds what all parts of a workbook unpack to.
	maxUnzipBytes = 100 << 20
	// maxStreamedPart is the largest sheet or shared strings table kept in
	// memory; larger ones are unpacked to a temporary file and streamed.
	maxStreamedPart = 1 << 20
	// maxOtherParts bounds the other parts together (workbook, styles,
	// theme, relations, pictures): excelize keeps them in memory.
	maxOtherParts = 8 << 20
	// maxParts bounds the number of parts of a workbook.
	maxParts = 10_000
	// maxSharedStrings bounds the shared strings table, which excelize
	// indexes in memory.
	maxSharedStrings = 1_000_000
	// maxToken bounds one text or one tag of a sheet or the shared strings
	// table: the XML reader holds each whole in memory.
	maxToken = 1 << 20
	// maxDepth bounds how deep elements nest (a real sheet has about 6
	// levels); the XML reader keeps a record of each open element.
	maxDepth = 100
)

// readXLSX returns the non-blank rows of the first sheet of a workbook.
func readXLSX(data []byte, filename string, rc *rowCollector, raw bool) (rows []Record, errs ImportErrors) {
	defer func() {
		// A malformed workbook must not take the server down.
		if p := recover(); p != nil {
			rows, errs = nil, FileError(filename, "import.bad_xlsx")
		}
	}()
	if errs := checkWorkbook(data, filename); errs != nil {
		return nil, errs
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    maxUnzipBytes,
		UnzipXMLSizeLimit: maxStreamedPart,
	})
	if err != nil {
		return nil, FileError(filename, "import.bad_xlsx_detail", err.Error())
	}
	defer f.Close() // also removes the temporary files
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, FileError(filename, "import.no_rows")
	}
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, FileError(filename, "import.bad_sheet", sheets[0], err.Error())
	}
	defer it.Close()
	for n := 1; it.Next(); n++ { // Next also steps over rows missing from the file
		cells, err := it.Columns(excelize.Options{RawCellValue: raw})
		if err != nil {
			return nil, ImportErrors{{File: filename, Row: n, Message: problem.Msg("import.bad_row", err.Error())}}
		}
		if errs := rc.add(Record{Row: n, Cells: cells}); errs != nil {
			return nil, errs
		}
	}
	if err := it.Error(); err != nil {
		return nil, FileError(filename, "import.bad_sheet", sheets[0], err.Error())
	}
	return rc.rows, nil
}

// checkWorkbook refuses a workbook whose parts unpack to more than the
// limits allow, before anything is unpacked into memory. The sizes are those
// the zip directory declares; archive/zip fails a part that unpacks to more
// than it declared.
func checkWorkbook(data []byte, filename string) ImportErrors {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return FileError(filename, "import.bad_xlsx_detail", err.Error())
	}
	if len(zr.File) > maxParts {
		return FileError(filename, "import.too_many_parts", maxParts)
	}
	var total, other uint64
	var streamed []*zip.File
	for _, zf := range zr.File {
		size := zf.UncompressedSize64
		if size > maxUnzipBytes || total+size > maxUnzipBytes {
			return FileError(filename, "import.unpacks_too_large", maxUnzipBytes>>20)
		}
		total += size
		// The parts excelize unpacks to temporary files (see
		// excelize.File.ReadZipReader); it keeps the others in memory.
		name := strings.ToLower(strings.ReplaceAll(zf.Name, "\\", "/"))
		if strings.HasPrefix(name, "xl/worksheets/sheet") || name == "xl/sharedstrings.xml" {
			streamed = append(streamed, zf)
			continue
		}
		if other += size; other > maxOtherParts {
			return FileError(filename, "import.other_parts_too_large", maxOtherParts>>20)
		}
	}
	for _, zf := range streamed {
		if err := scanXML(zf); err != nil {
			if m, ok := problem.MessageOf(err); ok {
				return ImportErrors{{File: filename, Message: m}}
			}
			return FileError(filename, "import.bad_xlsx_detail", err.Error())
		}
	}
	return nil
}

// scanXML reads a sheet or shared strings part as a stream and fails if one
// of its texts or tags is longer than maxToken, if its elements nest deeper
// than maxDepth, if it holds more than maxSharedStrings strings, or if it
// holds comments, CDATA sections or a DOCTYPE (which Excel never writes and
// the XML reader would hold whole).
func scanXML(zf *zip.File) error {
	r, err := zf.Open()
	if err != nil {
		return problem.Reason("import.bad_xlsx_detail", err.Error())
	}
	defer r.Close()
	var s xmlScanner
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		if serr := s.scan(buf[:n]); serr != nil {
			return serr
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return problem.Reason("import.bad_xlsx_detail", err.Error())
		}
	}
}

// xmlScanner follows XML just far enough to measure the tokens an XML
// reader would hold: texts end at '<', tags at a '>' outside quotes,
// processing instructions at "?>".
type xmlScanner struct {
	state   int  // one of the scan* states
	quote   byte // the quote of an attribute value in a tag, 0 outside
	run     int  // bytes in the current token
	prev    byte
	name    []byte // the name of the current tag, up to its first space
	naming  bool
	closing bool // an end tag
	depth   int
	strings int // <si> elements
}

const (
	scanText = iota
	scanTagStart
	scanTag
	scanPI
)

var errXMLSpecial = problem.Reason("import.xml_special")

func (s *xmlScanner) scan(p []byte) error {
	for _, b := range p {
		s.run++
		if s.run > maxToken {
			return problem.Reason("import.token_too_long", maxToken>>10)
		}
		switch s.state {
		case scanText:
			if b == '<' {
				s.state, s.run, s.name, s.naming, s.closing = scanTagStart, 1, s.name[:0], true, false
			}
		case scanTagStart:
			switch b {
			case '!':
				return errXMLSpecial
			case '?':
				s.state = scanPI
			case '/':
				s.state, s.closing = scanTag, true
			default:
				s.state = scanTag
				if err := s.tagByte(b); err != nil {
					return err
				}
			}
		case scanTag:
			if err := s.tagByte(b); err != nil {
				return err
			}
		case scanPI:
			if b == '>' && s.prev == '?' {
				s.state, s.run = scanText, 0
			}
		}
		s.prev = b
	}
	return nil
}

// tagByte follows one byte of a start or end tag.
func (s *xmlScanner) tagByte(b byte) error {
	if s.quote != 0 {
		if b == s.quote {
			s.quote = 0
		}
		return nil
	}
	switch b {
	case '"', '\'':
		s.quote = b
	case '>':
		if s.naming {
			if err := s.endName(); err != nil {
				return err
			}
		}
		switch {
		case s.closing:
			s.depth--
		case s.prev != '/':
			if s.depth++; s.depth > maxDepth {
				return problem.Reason("import.nests_too_deep", maxDepth)
			}
		}
		s.state, s.run = scanText, 0
		return nil
	case ' ', '\t', '\r', '\n', '/':
		if s.naming {
			return s.endName()
		}
	default:
		if s.naming && len(s.name) < 16 {
			s.name = append(s.name, b)
		}
	}
	return nil
}

// endName counts a finished start tag name that is a shared string (<si>,
// with or without a namespace prefix).
func (s *xmlScanner) endName() error {
	s.naming = false
	name := s.name
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	if !s.closing && string(name) == "si" {
		if s.strings++; s.strings > maxSharedStrings {
			return problem.Reason("import.too_many_texts", maxSharedStrings)
		}
	}
	return nil
}
