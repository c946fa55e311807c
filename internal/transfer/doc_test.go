package transfer_test

import (
	"os"
	"strings"
	"testing"

	"yeonsok/internal/transfer"
)

// The user documentation lists every column with its headers; a column
// added to the code without a line in the doc fails here.
func TestImportExportDocListsEveryColumn(t *testing.T) {
	doc, err := os.ReadFile("../../docs/import-export.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, sheet := range transfer.Sheets {
		if !strings.Contains(string(doc), "### "+sheet+" ("+transfer.SheetNamesKo[sheet]+")") {
			t.Errorf("docs/import-export.md has no section for sheet %s", sheet)
		}
		for _, c := range transfer.Columns(sheet) {
			if !strings.Contains(string(doc), "| `"+c.Key+"` | "+c.Korean+" | "+c.English+" |") {
				t.Errorf("docs/import-export.md lacks column %s.%s (%s / %s)", sheet, c.Key, c.Korean, c.English)
			}
		}
	}
}
