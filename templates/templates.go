// Package templates embeds the HTML page templates. Every page is rendered
// inside layout.html; pages define "title" and "content".
package templates

import "embed"

// FS holds the templates.
//
//go:embed *.html
var FS embed.FS
