package ansinh

// Severities of a check. An error or a warning asks the officer to look at the
// submission before verifying it; information does not (it never stops a bulk
// verification).
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
	SeverityInfo    = "info"
)

// Blocks reports whether the finding asks for a look before verifying.
func (c Check) Blocks() bool { return c.Severity != SeverityInfo }

// Blocking reports whether any finding asks for a look before verifying.
func Blocking(checks []Check) bool {
	for _, c := range checks {
		if c.Blocks() {
			return true
		}
	}
	return false
}

// Label is the finding's short name in the queue, in Vietnamese.
func (c Check) Label() string {
	if c.Code == CheckIdentity && c.Severity != SeverityInfo {
		return checkLabels[CheckIdentity+".mismatch"]
	}
	if l, ok := checkLabels[c.Code]; ok {
		return l
	}
	if c.Blocks() {
		return checkLabels[""]
	}
	return checkLabels["info"]
}

// Icon is the sign shown beside the label, by severity (the colour is never alone).
func (c Check) Icon() string {
	switch c.Severity {
	case SeverityError:
		return "✖"
	case SeverityWarning:
		return "⚠"
	}
	return "ℹ"
}
