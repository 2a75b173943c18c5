package ansinh

import "time"

// A registration in progress on the web form is a draft kept with the chat's states:
// the answers under FormDraftPrefix+id, the photo of a proxy's authorisation beside
// them under FormDraftPrefix+id+FormDraftPhotoSuffix. A draft waits FormDraftTTL for
// its next answer; after that the form refuses it and the retention run deletes it,
// its photo with it.
const (
	FormDraftTTL         = time.Hour
	FormDraftPrefix      = "form:"
	FormDraftPhotoSuffix = ":giay-uy-quyen"
)
