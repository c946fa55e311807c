package transfer

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
)

// Every header a person may write (key, Korean label, English label) names
// one column only, so import cannot read a column as another.
func TestHeaderNamesAreUnambiguous(t *testing.T) {
	for _, sheet := range Sheets {
		owner := map[string]string{}
		for _, c := range Columns(sheet) {
			if c.Key == "" || c.Korean == "" || c.English == "" {
				t.Errorf("%s: column %+v lacks a name", sheet, c)
			}
			for _, name := range []string{c.Key, c.Korean, c.English} {
				if other, ok := owner[fold(name)]; ok && other != c.Key {
					t.Errorf("%s: header %q names both %s and %s", sheet, name, other, c.Key)
				}
				owner[fold(name)] = c.Key
			}
		}
	}
	if _, ok := SheetName(" 시스템 "); !ok {
		t.Error("Korean sheet name not accepted")
	}
	for _, s := range Sheets {
		if got, ok := SheetName(strings.ToUpper(s)); !ok || got != s {
			t.Errorf("sheet name %s not accepted in upper case", s)
		}
	}
}

// Every header comes from the catalogue: a column's own
// column.<sheet>.<key>, or for the facility checklist and the redundancy
// layers the labels the rest of the tower shows (condition.*, layer.*), so
// that a workbook and the pages name a thing the same way.
func TestColumnLabelsAreInTheCatalogue(t *testing.T) {
	checkLabels(t, agencySheet)
	checkLabels(t, facilitySheet)
	checkLabels(t, systemSheet)
	checkLabels(t, serviceSheet)
	checkLabels(t, dependencySheet)
	for _, item := range inventory.ConditionItems {
		if c := facilitySheet.column(item); c == nil || c.label != "condition."+item || c.Korean != locale.T(locale.Korean, "condition."+item) {
			t.Errorf("facility column %s is not labelled condition.%s: %+v", item, item, c)
		}
	}
	for _, layer := range inventory.Layers {
		want := locale.T(locale.Korean, "column.systems.redundancy", locale.Key("layer."+layer))
		if c := systemSheet.column("redundancy_" + layer); c == nil || c.Korean != want || !strings.Contains(c.Korean, locale.T(locale.Korean, "layer."+layer)) {
			t.Errorf("system column redundancy_%s is not labelled with layer.%s: %+v", layer, layer, c)
		}
	}
	for _, s := range Sheets {
		if !locale.Has("sheet."+s) || SheetNamesKo[s] == "" || SheetLabel(s, locale.English) != s {
			t.Errorf("sheet %s: Korean name %q, English %q", s, SheetNamesKo[s], SheetLabel(s, locale.English))
		}
	}
}

func checkLabels[T any](t *testing.T, def *sheetDef[T]) {
	t.Helper()
	for _, c := range def.columns {
		keys := []string{c.label}
		for _, a := range c.labelArgs {
			if k, ok := a.(locale.Key); ok {
				keys = append(keys, string(k))
			}
		}
		for _, k := range keys {
			if !locale.Has(k) {
				t.Errorf("%s.%s: label %q is not in the catalogue", def.name, c.Key, k)
			}
		}
	}
}

// Every catalogue key the package names exists, in both languages (the
// locale package checks the second half).
func TestMessageKeysExist(t *testing.T) {
	keys := regexp.MustCompile(`"((?:transfer|invalid|conflict|not_found|forbidden)\.[a-z_.]+)"`)
	entries, _ := os.ReadDir(".")
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		src, err := os.ReadFile(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keys.FindAllStringSubmatch(string(src), -1) {
			if !locale.Has(m[1]) {
				t.Errorf("%s: message key %q is not in the catalogue", e.Name(), m[1])
			}
		}
	}
}

// A problem is read by the person who uploaded the file, in Korean or
// English: it names a catalogue message and never carries a Go error's
// text ("zip: not a valid zip file", "strconv.Atoi: …"). Code that builds
// problems therefore calls no err.Error() (TestBadFilesGetAClearError checks
// the messages themselves).
func TestProblemsCarryNoErrorText(t *testing.T) {
	errorText := regexp.MustCompile(`\w*[eE]rr\w*\.Error\(\)`)
	entries, _ := os.ReadDir(".")
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		src, err := os.ReadFile(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		text := string(src)
		if !strings.Contains(text, "Problem{") && !strings.Contains(text, "fileProblem(") {
			continue
		}
		if loc := errorText.FindStringIndex(text); loc != nil {
			t.Errorf("%s:%d builds problems and calls err.Error(): give the problem a catalogue message instead",
				e.Name(), strings.Count(text[:loc[0]], "\n")+1)
		}
	}
}

func TestColumnLetters(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA"} {
		if got := columnLetter(i); got != want || columnNumber(got) != i+1 {
			t.Errorf("column %d: %s (%d), want %s", i, got, columnNumber(got), want)
		}
	}
}

func TestValues(t *testing.T) {
	for in, want := range map[string]int{"": 0, "미부여": 0, "1": 1, "2등급": 2, "3.0": 3, " 4 ": 4, "7": 7} {
		if got, ok := parseGrade(in); !ok || got != want {
			t.Errorf("grade %q = %d %v, want %d", in, got, ok, want)
		}
	}
	for _, bad := range []string{"A", "1.5", "일"} {
		if _, ok := parseGrade(bad); ok {
			t.Errorf("grade %q accepted", bad)
		}
	}
	for in, want := range map[string]bool{"Y": true, "예": true, "true": true, "1": true, "N": false, "아니오": false, "FALSE": false, "0": false, "": false} {
		if got, ok := parseBool(in); !ok || got != want {
			t.Errorf("bool %q = %v %v", in, got, ok)
		}
	}
	if _, ok := parseBool("maybe"); ok {
		t.Error("bool maybe accepted")
	}
	for _, v := range []string{"=1+1", "+82", "-", "@x", "'quoted", "''", "plain", ""} {
		if got := unguardFormula(GuardFormula(v)); got != v {
			t.Errorf("formula guard round trip %q → %q", v, got)
		}
	}
	if parseCode(" 민간 위탁 ", operatorAliases) != "private" || parseCode("NIRS", operatorAliases) != "nirs" || parseCode("있음", triAliases) != "yes" {
		t.Error("aliases not read")
	}
	for in, want := range map[string]string{"systems.csv": "systems", "시스템.csv": "systems", "C:\\tmp\\Systems (1).CSV": "systems",
		"yeonsok-dependencies.csv": "dependencies", "기관_2.csv": "agencies", "facilities.txt": "facilities"} {
		if got, p := csvSheet(baseName(in), ""); p != nil || got != want {
			t.Errorf("csv sheet of %q = %q %v, want %q", in, got, p, want)
		}
	}
}

func TestDisplayWidth(t *testing.T) {
	scenarios := []struct {
		text  string
		width int
	}{
		{"", 0},
		{"RTO 2h", 6},
		{"고용24", 6},      // Hangul syllables are wide
		{"ᄀ", 2},         // and so are leading jamo
		{"國家", 4},        // Hanja
		{"ＡＢ", 4},        // fullwidth Latin
		{"ｶﾅ", 2},        // halfwidth katakana
		{"A → B · C", 9}, // arrows and the middle dot are narrow
		{"🔥", 2},         // emoji are wide
		{"재해 시 RTO", 11}, // 4 + 1 + 2 + 1 + 3
	}
	for _, s := range scenarios {
		if got := DisplayWidth(s.text); got != s.width {
			t.Errorf("DisplayWidth(%q) = %d, want %d", s.text, got, s.width)
		}
	}
}
