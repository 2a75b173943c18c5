package handlers_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestOpenAPIDescribesEveryRoute checks that every /api/v1 and G2P mapper route of the
// app is in the OpenAPI document with its method, and that the document lists nothing
// that is not.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/api/v1/openapi.json", "", nil)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil || r.StatusCode != 200 || doc.OpenAPI == "" {
		t.Fatalf("openapi.json: %d %v", r.StatusCode, err)
	}
	param := regexp.MustCompile(`:([a-z]+)`)
	seen := map[string]bool{}
	for _, rt := range e.app.GetRoutes(true) {
		machine := strings.HasPrefix(rt.Path, "/api/v1/") || strings.HasPrefix(rt.Path, "/g2p/")
		if !machine || rt.Method == "HEAD" || strings.Contains(rt.Path, "*") {
			continue
		}
		path := param.ReplaceAllString(rt.Path, "{$1}")
		key := strings.ToLower(rt.Method) + " " + path
		seen[key] = true
		if _, ok := doc.Paths[path][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("%s %s is not in openapi.json", rt.Method, path)
		}
	}
	if len(seen) < 30 {
		t.Fatalf("only %d API routes seen", len(seen))
	}
	for path, ops := range doc.Paths {
		for m := range ops {
			if !seen[m+" "+path] {
				t.Errorf("openapi.json lists %s %s, which has no route", m, path)
			}
		}
	}
}
