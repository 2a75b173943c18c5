// Package refdata bundles the reference data the binary needs: administrative units,
// CCCD province codes, banks with their NAPAS BIN, VietQR test vectors. README.md says
// where each file comes from.
package refdata

import _ "embed"

// SocTrangUnits is the default units file: Sóc Trăng province as of May 2024.
//
//go:embed soc_trang_units.csv
var SocTrangUnits []byte

// CCCDProvinces lists the province codes that open a CCCD number (Circular 07/2016/TT-BCA).
//
//go:embed cccd_province_codes.csv
var CCCDProvinces []byte

// Banks lists the banks with their NAPAS BIN.
//
//go:embed banks.csv
var Banks []byte
