package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"

	"ansinh"
	"ansinh/demo"
	"ansinh/registration"
)

// loadDemo runs `ansinh demo [-units SET]`: a synthetic province and staff users of
// every role, on an empty store only. In today's Cần Thơ (the default) the letter's
// list is carried through the crosswalk; -units soc-trang-2024 keeps the letter's
// structure with its 11 districts (serve it with ANSINH_UNITS_SET=soc-trang-2024).
func (a *app) loadDemo(ctx context.Context, args []string, stderr io.Writer) error {
	fl := flag.NewFlagSet("demo", flag.ContinueOnError)
	fl.SetOutput(stderr)
	set := fl.String("units", a.sets.Current().ID, "the unit set to build the demo in: "+ansinh.SetCanTho2025+" or "+ansinh.SetSocTrang2024)
	if err := fl.Parse(args); err != nil {
		return usageError{err}
	}
	if *set != a.sets.Current().ID {
		if *set != ansinh.SetSocTrang2024 && *set != ansinh.SetCanTho2025 {
			return usageError{fmt.Errorf("-units: use %s or %s", ansinh.SetCanTho2025, ansinh.SetSocTrang2024)}
		}
		sets, err := ansinh.BundledUnitSets(*set)
		if err != nil {
			return usageError{err}
		}
		a.sets, a.units = sets, sets.Current().Units
	}
	st, err := a.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	if err := a.checkUnitSet(ctx, st); err != nil {
		return err
	}
	real, err := st.CountBeneficiaries(ctx, true)
	if err != nil {
		return err
	}
	all, err := st.CountBeneficiaries(ctx, false)
	if err != nil {
		return err
	}
	switch {
	case real > 0:
		return fmt.Errorf("the store holds %d real beneficiaries: the demo runs only on an empty store", real)
	case all > 0:
		return fmt.Errorf("the demo is already loaded (%d synthetic beneficiaries)", all)
	}
	now := time.Now()
	seed := uint64(now.UnixNano())
	var rows []*ansinh.ImportRow
	if a.sets.Current().ID == ansinh.SetCanTho2025 {
		rows, err = demo.City(a.sets, seed, now)
	} else {
		rows, err = demo.Province(a.units, seed, now)
	}
	if err != nil {
		return err
	}
	if recorded, err := st.StoredUnitSet(ctx); err != nil {
		return err
	} else if recorded == "" {
		if err := st.RecordUnitSet(ctx, a.sets.Current().ID, now); err != nil {
			return err
		}
	}
	for i := 0; i < len(rows); i += 1000 {
		if _, err := st.InsertImported(ctx, rows[i:min(i+1000, len(rows))], now); err != nil {
			return err
		}
	}
	if err := a.ensureAdmin(ctx, st); err != nil {
		return err
	}
	// Submissions waiting in the communes' queues, a few of them in the demo commune
	// officer's own.
	users := demoUsers(a.units)
	commune := demoCommune(users)
	submissions := demo.PendingSubmissions(rows, 60, seed)
	try := demo.TryPeople(rows, commune, 3, func(r *ansinh.ImportRow) bool { return submissions[r] != nil })
	own := demo.CommuneSubmissions(rows, commune, demoCommuneSubmissions, seed, func(r *ansinh.ImportRow) bool {
		return submissions[r] != nil || slices.Contains(try, r)
	})
	svc := registration.New(st, a.cfg.SecretKey, nil)
	for _, set := range []map[*ansinh.ImportRow]*ansinh.RegistrationRequest{submissions, own} {
		for row, req := range set {
			b := row.Beneficiary
			b.ID = st.BeneficiaryID(b.CCCD)
			if _, _, err := svc.SubmitFor(ctx, &b, req, ansinh.ChannelQR); err != nil {
				return fmt.Errorf("demo submission: %w", err)
			}
		}
	}
	withAccount, waiting := 0, 0
	for _, r := range rows {
		if r.Beneficiary.Account != nil {
			withAccount++
		}
		if r.Beneficiary.Commune == "" {
			waiting++
		}
	}
	fmt.Fprintf(a.stdout, "Loaded a synthetic %s (unit set %s): %d beneficiaries, %d with a verified account, %d submissions to review, %d waiting for their commune to be chosen. Every record is marked synthetic.\n",
		a.units.Root.Name, a.sets.Current().ID, len(rows), withAccount, len(submissions)+len(own), waiting)
	if a.sets.Current().ID == ansinh.SetCanTho2025 {
		fmt.Fprintf(a.stdout, "Of them, the letter's %d (%d with an account) came from a list coded in %s, carried through the crosswalk.\n",
			demo.Beneficiaries, demo.WithAccount, ansinh.SetSocTrang2024)
	}
	fmt.Fprintln(a.stdout, "Staff users (one-time demo passwords, shown once; each is changed at the first login):")
	for _, nu := range users {
		nu.Password, nu.MustChangePassword = ansinh.OneTimePassword(), true
		if _, err := ansinh.CreateUser(ctx, st, &nu, "demo", now); err != nil {
			if ansinh.ErrorCode(err) == ansinh.ECONFLICT {
				fmt.Fprintf(a.stdout, "  %-16s already exists, left as it is\n", nu.Username)
				continue
			}
			return err
		}
		if err := st.Audit(ctx, &ansinh.AuditEvent{At: now, Actor: "demo", Action: ansinh.ActionUserCreate,
			Target: "user:" + nu.Username, Unit: nu.Unit, IP: "cli", Detail: map[string]any{"role": string(nu.Role), "one_time": true}}); err != nil {
			return err
		}
		unit, _ := a.units.Get(nu.Unit)
		fmt.Fprintf(a.stdout, "  %-16s %-9s %-28s password: %s\n", nu.Username, nu.Role, unit.Name, nu.Password)
	}
	if unit, ok := a.units.Get(commune); ok {
		fmt.Fprintf(a.stdout, "%d of the submissions wait in the queue of %s (xa.%s).\n", len(own), unit.Name, commune)
	}
	fmt.Fprintln(a.stdout, "People to try the public form with (synthetic; open the form of their commune):")
	for _, r := range try {
		b := r.Beneficiary
		name := b.Commune
		if u, ok := a.units.Get(b.Commune); ok {
			name = u.Name
		}
		fmt.Fprintf(a.stdout, "  %-24s CCCD %s  born %s  %s  %s/c/%s\n", b.Name, b.CCCD, ansinh.DisplayDate(b.BirthDate), name,
			a.cfg.BaseURL, b.Commune)
	}
	return st.Audit(ctx, &ansinh.AuditEvent{At: now, Actor: "demo", Action: ansinh.ActionImport, Unit: a.units.Root.Code, IP: "cli",
		Detail: map[string]any{"file": "demo", "inserted": len(rows), "synthetic": true}})
}

// demoCommuneSubmissions are the submissions the demo adds in the demo commune
// officer's own commune.
const demoCommuneSubmissions = 6

// demoCommune is the commune of the first demo commune officer.
func demoCommune(users []ansinh.NewUser) string {
	for _, u := range users {
		if u.Role == ansinh.RoleCommune {
			return u.Unit
		}
	}
	return ""
}

// demoUsers are staff of every role: the two departments and the police on the root;
// in the letter's structure the first district's office and its first commune; in
// today's city Phường Sóc Trăng and the two communes that share the split Bùi Hữu Nghĩa.
func demoUsers(units *ansinh.Units) []ansinh.NewUser {
	root := units.Root.Code
	users := []ansinh.NewUser{
		{Username: "so.yte", Role: ansinh.RoleProvince, Unit: root},
		{Username: "so.noivu", Role: ansinh.RoleProvince, Unit: root},
		{Username: "congan.tinh", Role: ansinh.RolePolice, Unit: root},
	}
	if top := units.Root.Children[0]; !top.Leaf() {
		return append(users, ansinh.NewUser{Username: "huyen." + top.Code, Role: ansinh.RoleDistrict, Unit: top.Code},
			ansinh.NewUser{Username: "xa." + units.Leaves(top.Code)[0], Role: ansinh.RoleCommune, Unit: units.Leaves(top.Code)[0]})
	}
	for _, code := range []string{"31507", "31120", "31168"} {
		if _, ok := units.Get(code); ok {
			users = append(users, ansinh.NewUser{Username: "xa." + code, Role: ansinh.RoleCommune, Unit: code})
		}
	}
	return users
}
