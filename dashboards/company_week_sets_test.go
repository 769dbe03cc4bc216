package dashboards

import (
	"slices"
	"testing"
)

// addWeeks marks what add marks week by week, for 64 weeks at any offset
// (before the set, across a word, past its end), for sets of 1 to 3 words.
func TestAddWeeksIsAddPerWeek(t *testing.T) {
	masks := []uint64{1, 1 << 63, 0x8000_0000_0000_0001, 0xdead_beef_0bad_f00d, ^uint64(0)}
	for _, weeks := range []int{1, 53, 64, 65, 130} {
		for offset := -70; offset < weeks+70; offset++ {
			for _, m := range masks {
				got, want := newCompanyWeeks(3, weeks), newCompanyWeeks(3, weeks)
				got.addWeeks(1, offset, m)
				for b := range 64 {
					if m&(1<<b) != 0 {
						want.add(1, offset+b)
					}
				}
				if !slices.Equal(got.bits, want.bits) {
					t.Fatalf("%d weeks, offset %d, mask %x: %x, want %x", weeks, offset, m, got.bits, want.bits)
				}
			}
		}
	}
}
