package tabular

import "github.com/pilotpulse/pilotpulse/internal/web"

func init() {
	web.Translations(map[string]string{
		"import.row": "række %d", "import.column": "kolonne %s", "import.located": "%s: %s",
		"import.at_cell": "%s, række %d, kolonne %s", "import.at_row": "%s, række %d", "import.at_file": "%s",
		"import.unknown_column": "ukendt kolonne; tilladte kolonner: %s", "import.column_twice": "kolonnen findes to gange (også kolonne %s)",
		"import.column_missing": "en påkrævet kolonne mangler", "import.bad_row": "rækken kan ikke læses: %s",
		"import.csv_quote":      `en celle i anførselstegn er ikke afsluttet, eller et " i den er ikke fordoblet ("")`,
		"import.csv_bare_quote": `et " i en celle, der ikke starter med "; sæt cellen i anførselstegn og fordobl " ("")`,
		"import.bad_csv_detail": "CSV-filen kan ikke læses: %s", "import.bad_file": "filen kan ikke læses: %s",
		"import.too_large": "filen er større end %d MB", "import.no_extension": "filnavnet har ingen endelse; tilladt: .csv, .xlsx",
		"import.bad_type": "filtypen %q understøttes ikke; tilladt: .csv, .xlsx", "import.no_rows": "ingen rækker med data",
		"import.no_header":     "cellen har en værdi, men dens kolonne har ingen overskrift",
		"import.not_utf8":      `cellen er ikke gyldig UTF-8; gem filen som "CSV UTF-8" eller som .xlsx`,
		"import.cell_too_long": "cellen er længere end %d tegn", "import.too_many_rows": "mere end %d rækker med data; del filen op",
		"import.xlsx_as_csv": "filen er ikke CSV-tekst, men ligner en Excel-projektmappe; kald den .xlsx",
		"import.bad_xlsx":    "XLSX-filen kan ikke læses", "import.bad_xlsx_detail": "XLSX-filen kan ikke læses: %s",
		"import.bad_sheet": "arket %q kan ikke læses: %s",
	}, map[string]string{
		"import.row": "row %d", "import.column": "column %s", "import.located": "%s: %s",
		"import.at_cell": "%s, row %d, column %s", "import.at_row": "%s, row %d", "import.at_file": "%s",
		"import.unknown_column": "unknown column; accepted columns: %s", "import.column_twice": "column appears twice (also column %s)",
		"import.column_missing": "required column is missing", "import.bad_row": "cannot read the row: %s",
		"import.csv_quote":      `a quoted cell is not closed, or a " inside it is not doubled ("")`,
		"import.csv_bare_quote": `a " inside a cell that does not start with "; quote the cell and double the " ("")`,
		"import.bad_csv_detail": "cannot read the CSV file: %s", "import.bad_file": "cannot read the file: %s",
		"import.too_large": "the file is larger than %d MB", "import.no_extension": "the file name has no extension; accepted: .csv, .xlsx",
		"import.bad_type": "unsupported file type %q; accepted: .csv, .xlsx", "import.no_rows": "no data rows",
		"import.no_header":     "the cell has a value but its column has no header",
		"import.not_utf8":      `the cell is not valid UTF-8; save the file as "CSV UTF-8" or as .xlsx`,
		"import.cell_too_long": "the cell is longer than %d characters", "import.too_many_rows": "more than %d data rows; split the file",
		"import.xlsx_as_csv": "the file is not CSV text but looks like an Excel workbook; name it .xlsx",
		"import.bad_xlsx":    "cannot read the XLSX file", "import.bad_xlsx_detail": "cannot read the XLSX file: %s",
		"import.bad_sheet": "cannot read sheet %q: %s",
	})
}
