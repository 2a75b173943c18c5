// Package g2ptest checks G2P Connect answers against JSON schemas written from the
// published mapper schema (v1.0.0): the components of ansinh's openapi.json. It reads
// the subset of OpenAPI 3.0 schema those use — $ref, type, required, properties,
// items, enum, maxLength, minLength, pattern, format date-time — and treats null as
// a value of no type, as OpenAPI 3.0 does without nullable.
package g2ptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Schemas are the component schemas of an OpenAPI document.
type Schemas struct {
	components map[string]any
	// strict refuses a property that an object schema with properties does not name
	// (unless its additionalProperties says otherwise): an answer has no field the
	// document does not describe.
	strict bool
}

// Strict returns the same schemas, checking that answers carry no undescribed field.
func (s *Schemas) Strict() *Schemas {
	c := *s
	c.strict = true
	return &c
}

// CheckValue validates body, a JSON document, against an inline schema (which may
// $ref the components), and returns what breaks it.
func (s *Schemas) CheckValue(sch map[string]any, body []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	var out []string
	s.check("$", sch, v, &out, 0)
	sort.Strings(out)
	return out
}

// Load reads the component schemas of an OpenAPI document.
func Load(doc []byte) (*Schemas, error) {
	var d struct {
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	if len(d.Components.Schemas) == 0 {
		return nil, fmt.Errorf("g2ptest: no component schemas")
	}
	return &Schemas{components: d.Components.Schemas}, nil
}

// Check validates body, a JSON document, against the component schema name, and
// returns what breaks it (nothing: valid).
func (s *Schemas) Check(name string, body []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	var out []string
	s.check("#/components/schemas/"+name, map[string]any{"$ref": "#/components/schemas/" + name}, v, &out, 0)
	sort.Strings(out)
	return out
}

func (s *Schemas) resolve(ref string) (map[string]any, error) {
	name, ok := strings.CutPrefix(ref, "#/components/schemas/")
	if !ok {
		return nil, fmt.Errorf("unsupported $ref %s", ref)
	}
	sch, ok := s.components[name].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("no schema %s", name)
	}
	return sch, nil
}

func (s *Schemas) check(path string, sch map[string]any, v any, out *[]string, depth int) {
	bad := func(format string, args ...any) { *out = append(*out, path+": "+fmt.Sprintf(format, args...)) }
	if depth > 32 {
		bad("schema nests too deep")
		return
	}
	if v == nil && sch["nullable"] == true { // {"nullable": true, "allOf": [{"$ref": …}]}
		return
	}
	if ref, ok := sch["$ref"].(string); ok {
		target, err := s.resolve(ref)
		if err != nil {
			bad("%v", err)
			return
		}
		s.check(path, target, v, out, depth+1)
		return
	}
	if all, ok := sch["allOf"].([]any); ok {
		for _, a := range all {
			if m, ok := a.(map[string]any); ok {
				s.check(path, m, v, out, depth+1)
			}
		}
	}
	if v == nil {
		if sch["nullable"] != true {
			bad("null is not allowed")
		}
		return
	}
	if enum, ok := sch["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if fmt.Sprint(e) == fmt.Sprint(v) {
				found = true
			}
		}
		if !found {
			bad("%v is not one of %v", v, enum)
		}
	}
	switch t, _ := sch["type"].(string); t {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("want an object, got %T", v)
			return
		}
		for _, r := range list(sch["required"]) {
			if _, ok := obj[r]; !ok {
				bad("%s is required", r)
			}
		}
		props, _ := sch["properties"].(map[string]any)
		for k, val := range obj {
			if p, ok := props[k].(map[string]any); ok {
				s.check(path+"."+k, p, val, out, depth+1)
			} else if sch["additionalProperties"] == false || (s.strict && props != nil && sch["additionalProperties"] == nil) {
				bad("%s is not allowed", k)
			}
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			bad("want an array, got %T", v)
			return
		}
		if it, ok := sch["items"].(map[string]any); ok {
			for i, e := range arr {
				s.check(fmt.Sprintf("%s[%d]", path, i), it, e, out, depth+1)
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			bad("want a string, got %T", v)
			return
		}
		n := utf8.RuneCountInString(str)
		if m, ok := num(sch["maxLength"]); ok && n > m {
			bad("%d characters, at most %d", n, m)
		}
		if m, ok := num(sch["minLength"]); ok && n < m {
			bad("%d characters, at least %d", n, m)
		}
		if p, ok := sch["pattern"].(string); ok {
			if re, err := regexp.Compile(p); err != nil || !re.MatchString(str) {
				bad("%q does not match %s", str, p)
			}
		}
		if sch["format"] == "date-time" {
			if _, err := time.Parse(time.RFC3339, str); err != nil {
				bad("%q is not a date-time", str)
			}
		}
	case "integer":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			bad("want an integer, got %v", v)
		}
	case "number":
		if _, ok := v.(json.Number); !ok {
			bad("want a number, got %T", v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("want a boolean, got %T", v)
		}
	case "":
	default:
		bad("unsupported type %s", t)
	}
}

func list(v any) []string {
	var out []string
	for _, e := range asSlice(v) {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

func num(v any) (int, bool) {
	f, ok := v.(float64)
	return int(f), ok
}
