package ansinh

// Texts and audit actions added with the Khmer registration and the reviewer's view of
// a proxy's authorisation (kept apart from messages.go while others change it).

// ActionAuthorisationView: an officer opened the photo of a proxy's authorisation.
const ActionAuthorisationView = "registration.authorisation_view"

func init() { actionLabels[ActionAuthorisationView] = "Cán bộ xem ảnh giấy ủy quyền" }
