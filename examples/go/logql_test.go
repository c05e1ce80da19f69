package obsv

import (
	"reflect"
	"testing"
)

// The behaviours of tests/capi/c_api_logql_test.c, through the Go API.

func TestFormatLogQL(t *testing.T) {
	got, err := FormatLogQL(`sum by (app) (rate({app="api"} |= "error" | json [5m]))`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := `sum by (app)(rate({app="api"} |= "error" | json[5m]))`; got != want {
		t.Errorf("FormatLogQL = %q, want %q", got, want)
	}
	_, err = FormatLogQL(`{app="a"} |= `, nil)
	wantCode(t, err, ErrSyntax)
	if d := DefaultLogQLOptions(); d.MaxQueryBytes != 131071 {
		t.Errorf("MaxQueryBytes = %d", d.MaxQueryBytes)
	}
}

func TestLogQLInjector(t *testing.T) {
	inj, err := NewLogQLInjector([]Matcher{{Name: "resource_id", Op: MatchEqual, Value: "r1"}}, ConflictError, false)
	if err != nil {
		t.Fatal(err)
	}
	defer inj.Close()
	got, err := inj.InjectQuery(`sum(rate({app="api"} |= "error" [5m]))`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := `sum(rate({app="api", resource_id="r1"} |= "error"[5m]))`; got != want {
		t.Errorf("InjectQuery = %q, want %q", got, want)
	}
	_, err = inj.InjectQuery(`{app="a", resource_id="r2"}`, nil)
	if e := wantCode(t, err, ErrPermissionDenied); e.Offset != 10 || e.Column != 11 {
		t.Errorf("refusal at offset %d column %d", e.Offset, e.Column)
	}
	sel, err := inj.InjectSelector("", false, nil)
	if err != nil || sel != `{resource_id="r1"}` {
		t.Errorf("InjectSelector(\"\") = %q, %v", sel, err)
	}
	_, err = inj.InjectSelector(`{a="1"} |= "x"`, false, nil)
	wantCode(t, err, ErrInvalidArgument)
	list, err := inj.InjectSelectors([]string{`{a="1"}`, `{b="2"}`}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{`{a="1", resource_id="r1"}`, `{b="2", resource_id="r1"}`}; !reflect.DeepEqual(list, want) {
		t.Errorf("InjectSelectors = %q", list)
	}

	strict, err := NewLogQLInjectorForValues("resource_id", []string{"r2", "r1"}, ConflictReplace, true)
	if err != nil {
		t.Fatal(err)
	}
	defer strict.Close()
	_, err = strict.InjectQuery(`{a="1"} | label_format resource_id="x"`, nil)
	wantCode(t, err, ErrPermissionDenied)
	got, err = strict.InjectQuery(`{a="1", resource_id="x"}`, nil)
	if err != nil || got != `{a="1", resource_id=~"r1|r2"}` {
		t.Errorf("replace = %q, %v", got, err)
	}
	_, err = NewLogQLInjector([]Matcher{{Name: "resource-id", Op: MatchEqual, Value: "r1"}}, ConflictError, false)
	wantCode(t, err, ErrInvalidArgument)
}

func TestExpandLogQLTemplate(t *testing.T) {
	got, err := ExpandLogQLTemplate(`rate({app="{{app}}"}[{{range}}])`, map[string]string{"app": `a"}`, "range": "5m"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := `rate({app="a\"}"}[5m])`; got != want {
		t.Errorf("ExpandLogQLTemplate = %q, want %q", got, want)
	}
	_, err = ExpandLogQLTemplate(`rate({app="a"}[{{range}}])`, map[string]string{"range": "5m] or vector(1"}, nil)
	wantCode(t, err, ErrInvalidArgument)
}
