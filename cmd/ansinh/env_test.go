package main

import (
	"os"
	"strings"
	"testing"
)

// TestEnvExampleListsEveryVariable keeps .env.example honest: every variable the
// configuration reads is listed there.
func TestEnvExampleListsEveryVariable(t *testing.T) {
	example, err := os.ReadFile("../../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]bool{}
	_, _ = loadConfig(func(k string) string { read[k] = true; return "" })
	if len(read) < 20 {
		t.Fatalf("only %d variables read", len(read))
	}
	for k := range read {
		if strings.HasSuffix(k, "_FILE") {
			continue // the _FILE forms are described once, at the top
		}
		if !strings.Contains(string(example), "\n"+k+"=") {
			t.Errorf(".env.example lacks %s", k)
		}
	}
}
