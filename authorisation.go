package ansinh

import "time"

// Authorisation is the photo of a proxy's certified authorisation (giấy ủy quyền có
// xác nhận của UBND xã) taken on the public form, kept beside its registration for the
// officer who decides it. The image is sealed at rest.
type Authorisation struct {
	Receipt       string
	BeneficiaryID string
	Commune       string
	ContentType   string // image/jpeg or image/png
	Image         []byte
	At            time.Time
}
