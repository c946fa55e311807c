package transfer

import (
	"os"
	"regexp"
	"strings"
	"testing"

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
		if got := unguardFormula(guardFormula(v)); got != v {
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
