package ansinh_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"ansinh"
)

func TestParseImportRowInMovesThroughTheCrosswalk(t *testing.T) {
	sets, err := ansinh.BundledUnitSets(ansinh.SetCanTho2025)
	if err != nil {
		t.Fatal(err)
	}
	h, err := ansinh.MapImportHeader([]string{"Họ và tên", "Số CCCD", "Ngày sinh", "Mã xã", "Nhóm"})
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, ansinh.Vietnam)
	cur := sets.Current()
	tests := []struct {
		name, set, code string
		commune         string
		candidates      []string
		err             string
	}{
		{"a Sóc Trăng ward of 2024", ansinh.SetSocTrang2024, "31498", "31507", nil, ""},
		{"Phường 1 before its 2024 merger, two steps", ansinh.SetSocTrang2024, "31513", "31510", nil, ""},
		{"a split old ward waits for a choice", ansinh.SetPreMerger, "31178", "", []string{"31120", "31168"}, ""},
		{"today's code read as today's", ansinh.SetCanTho2025, "31507", "31507", nil, ""},
		{"an old code read as today's names the set", ansinh.SetCanTho2025, "31498", "", nil,
			fmt.Sprintf(ansinh.MsgCommuneNotInSet, "31498", cur.Name, cur.ID) + fmt.Sprintf(ansinh.MsgCommuneNotInSetOlder, "01/07/2025")},
		{"a code of no set", ansinh.SetSocTrang2024, "99999", "", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, errs := h.ParseImportRowIn([]string{"Nguyễn Văn Sáu", "094050001234", "05/03/1950", tc.code, "NCC"}, 2, sets, tc.set, today)
			if tc.code == "99999" {
				if len(errs) != 1 || errs[0].Column != "Mã xã" {
					t.Fatalf("errors %+v", errs)
				}
				return
			}
			if tc.err != "" {
				if len(errs) != 1 || errs[0].Message != tc.err {
					t.Fatalf("errors %+v, want %q", errs, tc.err)
				}
				return
			}
			if len(errs) != 0 {
				t.Fatalf("errors %+v", errs)
			}
			b := r.Beneficiary
			if b.Commune != tc.commune || !slices.Equal(b.Candidates, tc.candidates) {
				t.Fatalf("commune %q candidates %v", b.Commune, b.Candidates)
			}
			if tc.set != cur.ID && (b.OldCommune != tc.code || b.OldUnitSet != tc.set) {
				t.Fatalf("old %q %q", b.OldCommune, b.OldUnitSet)
			}
		})
	}
}

func TestThePhoneColumn(t *testing.T) {
	units, err := ansinh.BundledUnitSets(ansinh.SetSocTrang2024)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, ansinh.Vietnam)
	for _, header := range []string{"so_dien_thoai", "Số điện thoại", "SĐT", "phone"} {
		h, err := ansinh.MapImportHeader([]string{"Họ và tên", "Số CCCD", "Ngày sinh", "Mã xã", "Nhóm", header})
		if err != nil || !h.Has("so_dien_thoai") {
			t.Fatalf("%q: not the phone column (%v)", header, err)
		}
	}
	h, _ := ansinh.MapImportHeader([]string{"Họ và tên", "Số CCCD", "Ngày sinh", "Mã xã", "Nhóm", "SĐT"})
	tests := []struct{ name, cell, want, err string }{
		{"as typed", "0912 345 678", "84912345678", ""},
		{"international", "+84 912.345.678", "84912345678", ""},
		{"a sheet dropped the zero", "912345678", "84912345678", ""},
		{"blank", "", "", ""},
		{"not a number", "0123", "", ansinh.MsgPhoneInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, errs := h.ParseImportRow([]string{"Nguyễn Văn Sáu", "094050001234", "05/03/1950", "31498", "NCC", tc.cell}, 2, units.Current().Units, today)
			if tc.err != "" {
				if len(errs) != 1 || errs[0].Column != "SĐT" || errs[0].Message != tc.err {
					t.Fatalf("errors %+v", errs)
				}
				return
			}
			if len(errs) != 0 || r.Beneficiary.Phone != tc.want {
				t.Fatalf("phone %q, errors %+v", r.Beneficiary.Phone, errs)
			}
		})
	}
}
