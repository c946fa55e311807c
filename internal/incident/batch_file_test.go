package incident

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/korean"

	"yeonsok/internal/locale"
	"yeonsok/internal/transfer"
)

func manualIncident() *Incident {
	return &Incident{ID: 9, Services: []*AffectedService{
		{ServiceID: 3, Name: "고용보험", Manual: &ManualMode{}},
		{ServiceID: 4, Name: "실업급여"}, // affected, never run by hand
	}}
}

func TestParseBatchesFromCSVAndXLSX(t *testing.T) {
	csv := "서비스,접수처,건수,첫 접수번호,끝 접수번호,입력 완료\n고용보험,서울고용센터,\"1,200\",A-0001,A-1200,\n\n고용보험,부산고용센터,30,,,30\n"
	cp949, err := korean.EUCKR.NewEncoder().String(csv)
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	for i, row := range [][]any{{"서비스", "접수처", "건수", "첫 접수번호", "끝 접수번호", "입력 완료"},
		{"고용보험", "서울고용센터", 1200, "A-0001", "A-1200"}, {"고용보험", "부산고용센터", 30, "", "", 30}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var xlsx bytes.Buffer
	if err := f.Write(&xlsx); err != nil {
		t.Fatal(err)
	}
	for _, file := range []struct {
		name string
		data []byte
	}{{"batches.csv", []byte(csv)}, {"수기접수.csv", []byte(cp949)}, {"batches.xlsx", xlsx.Bytes()}} {
		got, err := ParseBatches(file.name, file.data, manualIncident())
		if err != nil {
			t.Fatalf("%s: %v", file.name, err)
		}
		if len(got) != 2 || got[0].ServiceID != 3 || got[0].Count != 1200 || got[0].LastReceipt != "A-1200" || got[0].Entered != 0 ||
			got[1].Office != "부산고용센터" || got[1].Entered != 30 {
			t.Errorf("%s: %+v", file.name, got)
		}
	}
}

func TestParseBatchesRefusesByRowAndColumn(t *testing.T) {
	csv := "서비스,접수처,건수,첫 접수번호,끝 접수번호\n" +
		"실업급여,서울,10,,\n" + // row 2: service not run by hand (A)
		"고용보험,부산,열,,\n" + // row 3: not a number (C)
		"고용보험,대구,5,D-1,D-4\n" + // row 4: a range of 4 for 5 (C)
		"고용보험,광주,3,,\n" // fine
	_, err := ParseBatches("b.csv", []byte(csv), manualIncident())
	pe, ok := err.(*transfer.ProblemsError)
	if !ok {
		t.Fatalf("want the problems, got %v", err)
	}
	var places []string
	for _, p := range pe.Problems {
		places = append(places, p.Describe(locale.Korean))
	}
	want := []string{"수기접수 시트 2행 A열(서비스)", "수기접수 시트 3행 C열(건수)", "수기접수 시트 4행 C열(건수)"}
	if len(places) != len(want) {
		t.Fatalf("problems %q", places)
	}
	for i, w := range want {
		if !strings.HasPrefix(places[i], w) {
			t.Errorf("problem %d: %q, want it to start %q", i, places[i], w)
		}
	}
	if _, err := ParseBatches("b.csv", []byte("서비스,접수처\n고용보험,서울\n"), manualIncident()); err == nil ||
		!strings.Contains(err.Error(), "건수") {
		t.Errorf("a file without the count column: %v", err)
	}
	if _, err := ParseBatches("b.xlsx", []byte("PK\x03\x04not a workbook"), manualIncident()); err == nil {
		t.Error("a broken workbook was read")
	}
}
