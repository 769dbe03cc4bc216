package reports

import "github.com/xuri/excelize/v2"

// Table starts another table further down the sheet: an empty row, then a
// header row of cols (styled like the first one); the rows written after it
// take their number formats from cols. The sheet's frozen header stays the
// first table's. A sheet started without columns gets its first header here,
// frozen.
func (s *Sheet) Table(cols []Column) error {
	first := s.row == 0
	if !first {
		s.row++ // the empty row between the tables
	}
	s.row++
	hdr := make([]any, len(cols))
	for i, c := range cols {
		hdr[i] = c.Header
		s.fit(i, c.Header)
	}
	if err := s.put(s.row, hdr, s.b.header); err != nil {
		return err
	}
	s.cols = cols
	if first {
		return s.b.f.SetPanes(s.Name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
	return nil
}
