package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"yeonsok/internal/access"
	"yeonsok/internal/audit"
	"yeonsok/internal/auth"
	"yeonsok/internal/grading"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/placement"
	"yeonsok/internal/quality"
	"yeonsok/internal/recovery"
)

var (
	templateKey = regexp.MustCompile(`\.T "([^"]+)"`)
	// goKey is a string literal that looks like a catalogue key in the
	// pages' Go code: lower-case words joined by dots.
	goKey = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)
)

// Every word on the pages comes from the catalogue: the keys templates and
// page code name exist, and so do the keys built from a domain value
// ("operator." + operator).
func TestPageKeysAreInTheCatalogue(t *testing.T) {
	fs.WalkDir(templateFiles, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, _ := templateFiles.ReadFile(p)
		for _, m := range templateKey.FindAllStringSubmatch(string(body), -1) {
			if !locale.Has(m[1]) {
				t.Errorf("%s: key %q is not in the catalogue", p, m[1])
			}
		}
		return nil
	})
	for name, literals := range pageLiterals(t) {
		for _, lit := range literals {
			if !goKey.MatchString(lit) || strings.HasSuffix(lit, ".css") || strings.HasPrefix(lit, "test.") {
				continue
			}
			if !locale.Has(lit) {
				t.Errorf("%s: key %q is not in the catalogue", name, lit)
			}
		}
	}
	families := map[string][]string{
		"grade.":              inventory.GradeKeys,
		"operator.":           inventory.Operators,
		"state.":              {inventory.Unknown, inventory.No, inventory.Yes},
		"dr.":                 inventory.DRPerformances,
		"offsite.":            inventory.OffsiteMethods,
		"layer.":              inventory.Layers,
		"condition.":          inventory.ConditionItems,
		"audience.":           inventory.Audiences,
		"depkind.":            inventory.DependencyKinds,
		"endpoint.":           {"http", "tcp", "dns", "tls"},
		"severity.":           {quality.High, quality.Medium, quality.Low},
		"home.survey.":        {"surveyed", "manual", "redundancy", "dr", "dr_similar", "backup", "offsite"},
		"home.card.operator_": inventory.Operators,
		"quality.subject.":    {"ministry"},
		"admin.users.done.":   userDone,
		"admin.users.action.": {"lock", "unlock", "reset_password", "disable", "enable", "unlink_sso"},
		"audit.kind.":         audit.Kinds,
		"audit.action.":       audit.Actions,
		"audit.actor.":        {access.ActorUser, access.ActorToken, access.ActorCLI, access.ActorSystem},
		"auth.lock_reason.":   {auth.ReasonFailedLogins, auth.ReasonInactive, auth.ReasonAdmin},
		// grades (issue 4)
		"grades.status.": grading.Statuses,
		"grades.done.":   gradeProposalDone,
		// Facilities (issue 4 ⑦).
		"placement.reason.": {placement.OffsiteNone, placement.OffsiteNotDone, placement.DRSameFacility},
		"placement.region.": {placement.RegionsDiffer, placement.RegionUnknown, placement.RegionSame},
		"recovery.verdict.": {recovery.Met, recovery.Misses, recovery.NoTarget},
	}
	for prefix, values := range families {
		for _, v := range values {
			if !locale.Has(prefix + v) {
				t.Errorf("key %q is not in the catalogue", prefix+v)
			}
		}
	}
}

// No Korean (or any other) words are written into the pages' code or
// templates; they live in the catalogue. The one exception is the name of
// the other language on the language switch, written in that language.
func TestNoWordsOutsideTheCatalogue(t *testing.T) {
	hangul := func(s string) bool {
		for _, r := range s {
			if unicode.Is(unicode.Hangul, r) {
				return true
			}
		}
		return false
	}
	fs.WalkDir(templateFiles, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, _ := templateFiles.ReadFile(p)
		text := strings.ReplaceAll(string(body), `lang="ko">한국어<`, "")
		if hangul(text) {
			t.Errorf("%s has Korean text outside the catalogue", p)
		}
		return nil
	})
	for name, literals := range pageLiterals(t) {
		for _, lit := range literals {
			if hangul(lit) {
				t.Errorf("%s: Korean text %q outside the catalogue", name, lit)
			}
		}
	}
}

// pageLiterals are the string literals of the pages' Go code (ui*.go),
// by file; comments may be in any language.
func pageLiterals(t *testing.T) map[string][]string {
	t.Helper()
	files, _ := filepath.Glob("ui*.go")
	out := map[string][]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if v, err := strconv.Unquote(lit.Value); err == nil {
					out[name] = append(out[name], v)
				}
			}
			return true
		})
	}
	return out
}
