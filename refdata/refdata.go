// Package refdata bundles the reference data the binary needs: administrative units
// (three unit sets and the 2025 crosswalk between them), CCCD province codes, banks
// with their NAPAS BIN, VietQR test vectors. README.md says where each file comes from.
package refdata

import _ "embed"

// SocTrangUnits is Sóc Trăng province as of May 2024, the structure of letter
// 433/UBND-VX (unit set soc-trang-2024).
//
//go:embed soc_trang_units.csv
var SocTrangUnits []byte

// SocTrangUnits20250301 is the last Sóc Trăng list before the 2025 merger, after
// Phường 9 and Phường 1 became Phường 1 (31522) on 1 September 2024.
//
//go:embed soc_trang_units_20250301.csv
var SocTrangUnits20250301 []byte

// CanThoUnits is Thành phố Cần Thơ from 1 July 2025: 103 communes, no districts (unit
// set can-tho-2025, the default).
//
//go:embed can_tho_units_2025.csv
var CanThoUnits []byte

// CanThoCrosswalk maps every commune of old Cần Thơ, Hậu Giang and Sóc Trăng before
// 1 July 2025 to its commune(s) from that day (Resolution 1668/NQ-UBTVQH15).
//
//go:embed can_tho_crosswalk_2025.csv
var CanThoCrosswalk []byte

// CCCDProvinces lists the province codes that open a CCCD number (Circular 07/2016/TT-BCA).
//
//go:embed cccd_province_codes.csv
var CCCDProvinces []byte

// Banks lists the banks with their NAPAS BIN.
//
//go:embed banks.csv
var Banks []byte

// Banks2025 renames banks of banks.csv since 2025 (their old names kept, to be found
// by) and adds the payment accounts a NAPAS list leaves out: the social-policy bank and
// the e-wallets and Mobile Money accounts (kind "wallet"), SPEC §1a.
//
//go:embed banks_2025.csv
var Banks2025 []byte
