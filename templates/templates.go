// Package templates holds the HTML views and static assets, embedded in the binary.
package templates

import "embed"

// Views are the html/template files, named by their base name without ".html".
//
//go:embed views/*.html
var Views embed.FS

// Static are the assets served under /static/.
//
//go:embed static
var Static embed.FS
