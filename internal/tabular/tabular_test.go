package tabular

import (
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/problem"
)

func TestImportErrorFormat(t *testing.T) {
	tests := []struct {
		e    ImportError
		want string
	}{
		{ImportError{"companies.csv", 3, "cvr", problem.Msg("fails the modulus-11 check")}, "companies.csv: row 3, column cvr: fails the modulus-11 check"},
		{ImportError{"companies.csv", 0, "", problem.Msg("no data rows")}, "companies.csv: no data rows"},
		{ImportError{"companies.csv", 4, "", problem.Msg("bad quote")}, "companies.csv: row 4: bad quote"},
		{ImportError{"", 4, "name", problem.Msg("is required")}, "row 4, column name: is required"},
		{ImportError{"", 0, "", problem.Msg("no data rows")}, "no data rows"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}

	da := ImportError{"companies.csv", 3, "cvr", problem.Msg("import.column_missing")}.In("da")
	if da != "companies.csv: række 3, kolonne cvr: en påkrævet kolonne mangler" {
		t.Errorf("In(da) = %q", da)
	}

	var many ImportErrors
	for i := range 25 {
		many = append(many, ImportError{"f.csv", i + 2, "cvr", problem.Msg("is required")})
	}
	got := many.Error()
	if !strings.HasPrefix(got, "f.csv: row 2, column cvr: is required; f.csv: row 3, column cvr: is required; ") {
		t.Fatalf("Error() = %q", got)
	}
	if !strings.HasSuffix(got, "f.csv: row 21, column cvr: is required; and 5 more") || strings.Contains(got, "row 22") {
		t.Fatalf("Error() = %q", got)
	}
	if got := many[:20].Error(); strings.Contains(got, "more") {
		t.Fatalf("Error() = %q", got)
	}
}
