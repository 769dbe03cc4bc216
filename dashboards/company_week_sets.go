package dashboards

import "math/bits"

// companyWeeks is which counted company had something (a setup problem
// from one source, a third-party grant) in which week: a bit per company
// (its index among those counted) and week (its offset from the first week
// loaded). The overview counts such sets over many ranges of weeks (each
// week of the trend, the period, the previous period, from the first week
// on); at national scale that is 100,000 companies, so the sets are bits
// and the counts per week and from the first week on are made in one pass
// (seal).
type companyWeeks struct {
	weeks, words int
	bits         []uint64 // company i's weeks are bits[i*words : (i+1)*words]
	// After seal: perWeek[w] counts the companies with week w, upTo[w]
	// those with a week at or before w.
	perWeek, upTo []int
}

// newCompanyWeeks is an empty set of companies × weeks.
func newCompanyWeeks(companies, weeks int) *companyWeeks {
	words := (weeks + 63) / 64
	return &companyWeeks{weeks: weeks, words: words, bits: make([]uint64, companies*words)}
}

// add marks week offset of company; a week outside the set is ignored.
func (s *companyWeeks) add(company, offset int) {
	if offset < 0 || offset >= s.weeks {
		return
	}
	s.bits[company*s.words+offset/64] |= 1 << (offset % 64)
}

// addWeeks marks the weeks of company set in weeks: bit i is week offset
// offset+i (offset may be negative); weeks outside the set are ignored.
func (s *companyWeeks) addWeeks(company, offset int, weeks uint64) {
	if offset < 0 {
		if offset <= -64 {
			return
		}
		weeks, offset = weeks>>-offset, 0
	}
	if offset >= s.weeks {
		return
	}
	if n := s.weeks - offset; n < 64 {
		weeks &= 1<<n - 1
	}
	row := s.bits[company*s.words : (company+1)*s.words]
	w, shift := offset/64, offset%64
	row[w] |= weeks << shift
	if shift > 0 && w+1 < s.words {
		row[w+1] |= weeks >> (64 - shift)
	}
}

// unionOf is the companies and weeks of any of sets (nil ones left out).
func unionOf(companies, weeks int, sets ...*companyWeeks) *companyWeeks {
	u := newCompanyWeeks(companies, weeks)
	for _, s := range sets {
		if s == nil {
			continue
		}
		for i, b := range s.bits {
			u.bits[i] |= b
		}
	}
	return u
}

// seal counts the companies per week and up to each week; s is not
// changed afterwards (sealing it again changes nothing, so a sealed set
// may be shared).
func (s *companyWeeks) seal() *companyWeeks {
	if s.perWeek != nil {
		return s
	}
	s.perWeek, s.upTo = make([]int, s.weeks), make([]int, s.weeks)
	first := make([]int, s.weeks) // companies whose first week is w
	for i := 0; i < len(s.bits); i += s.words {
		seen := false
		for j, b := range s.bits[i : i+s.words] {
			if b != 0 && !seen {
				first[j*64+bits.TrailingZeros64(b)]++
				seen = true
			}
			for ; b != 0; b &= b - 1 {
				s.perWeek[j*64+bits.TrailingZeros64(b)]++
			}
		}
	}
	n := 0
	for w, f := range first {
		n += f
		s.upTo[w] = n
	}
	return s
}

// count is how many companies have a week from lo to hi (offsets,
// inclusive, clipped to the set's weeks); s must be sealed.
func (s *companyWeeks) count(lo, hi int) int {
	lo, hi = max(lo, 0), min(hi, s.weeks-1)
	switch {
	case lo > hi:
		return 0
	case lo == hi:
		return s.perWeek[lo]
	case lo == 0:
		return s.upTo[hi]
	}
	// A mask per word of the weeks lo..hi.
	masks := make([]uint64, s.words)
	for w := lo; w <= hi; w++ {
		masks[w/64] |= 1 << (w % 64)
	}
	n := 0
	for i := 0; i < len(s.bits); i += s.words {
		for j, b := range s.bits[i : i+s.words] {
			if b&masks[j] != 0 {
				n++
				break
			}
		}
	}
	return n
}
