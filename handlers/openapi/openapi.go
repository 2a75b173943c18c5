// Package openapi holds the OpenAPI document of ansinh's HTTP API, served at
// /api/v1/openapi.json. A test keeps it in step with the routes.
package openapi

import _ "embed"

// Document is the OpenAPI 3 document, JSON.
//
//go:embed openapi.json
var Document []byte
