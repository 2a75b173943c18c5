// Package refdata bundles the reference data the binary needs: administrative units,
// CCCD province codes, banks with their NAPAS BIN, VietQR test vectors. README.md says
// where each file comes from.
package refdata

import _ "embed"

// SocTrangUnits is the default units file: Sóc Trăng province as of May 2024.
//
//go:embed soc_trang_units.csv
var SocTrangUnits []byte
